// The REST client: keeps the session (access token in memory, refresh token in
// localStorage so a reload stays signed in), refreshes once on 401, and turns
// error answers into exceptions carrying the server's {code, message, details}.

const BASE = '/api/v1';
const REFRESH_KEY = 'crm.refreshToken';

let accessToken = null;
let refreshing = null;
let currentUser = null;
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || 'http_' + status;
    this.details = err.details || {};
  }
}

/** Called with the user (or null) whenever the session starts or ends. */
export function onSession(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function setSession(tokens, user) {
  accessToken = tokens ? tokens.accessToken : null;
  if (tokens && tokens.refreshToken) localStorage.setItem(REFRESH_KEY, tokens.refreshToken);
  if (!tokens) localStorage.removeItem(REFRESH_KEY);
  currentUser = user || null;
  for (const fn of listeners) fn(currentUser);
}

export const session = {
  get user() { return currentUser; },
  get token() { return accessToken; },
  can(permission) {
    const perms = (currentUser && currentUser.permissions) || [];
    const [module, action] = permission.split(':');
    return perms.includes(permission) || perms.includes(`${module}:*`) ||
      perms.includes(`*:${action}`) || perms.includes('*:*');
  },
};

async function send(method, path, body, { raw = false, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  if (accessToken) init.headers.Authorization = `Bearer ${accessToken}`;
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Blob) {
      init.body = body;
    } else {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  const res = await fetch(path.startsWith('/') && !path.startsWith(BASE) ? BASE + path : path, init);
  if (raw && res.ok) return res;
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Tries the stored refresh token; resolves true when a new pair was obtained. */
export function refresh() {
  if (refreshing) return refreshing;
  const token = localStorage.getItem(REFRESH_KEY);
  if (!token) return Promise.resolve(false);
  refreshing = send('POST', '/auth/refresh', { refreshToken: token })
    .then((pair) => {
      setSession(pair, pair.user || currentUser);
      return true;
    })
    .catch((e) => {
      if (e.status === 401 || e.status === 400) setSession(null);
      return false;
    })
    .finally(() => { refreshing = null; });
  return refreshing;
}

/** A request with the session's token; one transparent refresh on 401. */
export async function api(method, path, body, opts) {
  try {
    return await send(method, path, body, opts);
  } catch (e) {
    if (e.status === 401 && (await refresh()))
      return send(method, path, body, opts);
    if (e.status === 401) setSession(null);
    throw e;
  }
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body ?? {}, opts);
export const patch = (path, body) => api('PATCH', path, body);
export const del = (path) => api('DELETE', path);

/** Builds "?a=1&b=2" from the non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {}))
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function login(email, password, totpCode) {
  const body = { email, password };
  if (totpCode) body.totpCode = totpCode;
  const pair = await send('POST', '/auth/login', body);
  accessToken = pair.accessToken;
  const me = await send('GET', '/auth/me');
  setSession(pair, me);
  return me;
}

/** Restores a session from the stored refresh token (page reload). */
export async function resume() {
  if (!(await refresh())) return null;
  const me = await send('GET', '/auth/me');
  setSession({ accessToken }, me);
  return me;
}

export async function logout() {
  try {
    await send('POST', '/auth/logout', {});
  } catch { /* the session ends here either way */ }
  setSession(null);
}

/** Reloads the signed-in user (after a status or profile change). */
export async function reloadMe() {
  const me = await get('/auth/me');
  currentUser = me;
  for (const fn of listeners) fn(currentUser);
  return me;
}
