// The live connection: one WebSocket per signed-in tab, reconnected with backoff,
// events fanned out to subscribers, actions answered by id.
import { refresh, session } from './api.js';

const handlers = new Map(); // event name -> Set(fn); '*' gets every event
const pending = new Map(); // action id -> {resolve, reject}
let socket = null;
let nextId = 1;
let retry = 0;
let wanted = false;
let stateFn = () => {};

export function on(event, fn) {
  if (!handlers.has(event)) handlers.set(event, new Set());
  handlers.get(event).add(fn);
  return () => handlers.get(event).delete(fn);
}

/** fn(state) with 'open' | 'closed' | 'connecting', for the connection badge. */
export function onState(fn) { stateFn = fn; }

function emit(event, data) {
  for (const key of [event, '*'])
    for (const fn of handlers.get(key) || []) {
      try { fn(data, event); } catch (e) { console.error(e); }
    }
}

export function connect() {
  wanted = true;
  if (socket && socket.readyState <= 1) return;
  if (!session.token) return;
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  stateFn('connecting');
  socket = new WebSocket(`${proto}://${location.host}/ws?token=${encodeURIComponent(session.token)}`);
  socket.onopen = () => { retry = 0; stateFn('open'); emit('connected', {}); };
  socket.onmessage = (m) => {
    let frame;
    try { frame = JSON.parse(m.data); } catch { return; }
    if (frame.reply !== undefined) {
      const p = pending.get(frame.reply);
      pending.delete(frame.reply);
      if (p) (frame.ok ? p.resolve(frame) : p.reject(Object.assign(new Error(frame.error?.message || 'rechazado'), frame.error || {})));
      return;
    }
    if (frame.event) emit(frame.event, frame.data || {});
  };
  socket.onclose = async (ev) => {
    stateFn('closed');
    socket = null;
    for (const p of pending.values()) p.reject(new Error('conexión cerrada'));
    pending.clear();
    if (!wanted) return;
    emit('disconnected', { code: ev.code, reason: ev.reason });
    // The token may have expired: a refresh before the next attempt costs nothing.
    const delay = Math.min(30000, 500 * 2 ** retry++);
    setTimeout(async () => {
      if (!wanted) return;
      if (await refresh().catch(() => false) || session.token) connect();
    }, delay);
  };
}

export function disconnect() {
  wanted = false;
  if (socket) socket.close(1000, 'logout');
  socket = null;
}

/** Sends an action and resolves with the server's reply. */
export function act(action, data) {
  if (!socket || socket.readyState !== 1) return Promise.reject(new Error('sin conexión en vivo'));
  const id = nextId++;
  socket.send(JSON.stringify({ action, data, id }));
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    setTimeout(() => {
      if (pending.delete(id)) reject(new Error('sin respuesta del servidor'));
    }, 10000);
  });
}
