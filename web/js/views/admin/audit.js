// Audit log: append-only and hash-chained. Filters, expandable before/after details, and a
// check of the whole chain ("Verificar cadena").
import { get, query, session } from '../../api.js';
import { field, formatDateTime, h, mount, select, table } from '../../dom.js';
import { failed, loadAll, moduleLabels, pager, problem, screen } from './common.js';

const actionNames = {
  'auth.login': 'Inicio de sesión', 'auth.login_failed': 'Ingreso fallido', 'auth.login_throttled': 'Ingreso bloqueado por intentos',
  'auth.logout': 'Cierre de sesión', 'auth.token_reuse': 'Reuso de token (sesiones revocadas)', 'auth.2fa_setup': '2FA: inscripción',
  'auth.2fa_enabled': '2FA activado', 'auth.2fa_disabled': '2FA desactivado', 'auth.2fa_code_refused': '2FA: código rechazado',
  'users.create': 'Usuario creado', 'users.update': 'Usuario modificado', 'users.delete': 'Usuario desactivado',
  'roles.create': 'Rol creado', 'roles.update': 'Rol modificado', 'roles.delete': 'Rol eliminado',
  'permission.denied': 'Acceso denegado', 'user.bootstrap': 'Administrador inicial creado',
  'debtors.export': 'Datos personales exportados (habeas data)', 'debtors.erase': 'Datos personales suprimidos',
};
const entityLabels = { auth: 'Autenticación', ...moduleLabels };
const entities = Object.keys(entityLabels);

/** YYYY-MM-DD as the start of that day in Bogotá (UTC-5, no DST), ISO-8601. */
const dayStart = (d, plusDays = 0) => {
  if (!d) return '';
  const t = new Date(`${d}T00:00:00-05:00`).getTime() + plusDays * 86400000;
  return new Date(t).toISOString();
};

const pretty = (v) => (v === null || v === undefined ? '—' : JSON.stringify(v, null, 2));

export async function auditView(main) {
  const filters = { user: '', action: '', entity: '', from: '', to: '', page: 1, limit: 50 };
  let users = [];
  const list = h('div', {}, h('p', { class: 'loading' }, 'Cargando…'));
  const verdict = h('div', { role: 'status', 'aria-live': 'polite', class: 'verdict' });
  const who = (id) => {
    if (!id) return h('span', { class: 'muted' }, 'sistema / anónimo');
    const u = users.find((x) => x.id === id);
    return u ? h('span', { title: id }, u.fullName) : h('code', { title: id }, id.slice(0, 8));
  };

  async function reload() {
    list.setAttribute('aria-busy', 'true');
    try {
      const { from, to, ...rest } = filters;
      // "Hasta" includes its whole day: the API's `to` is exclusive.
      const r = await get('/audit' + query({ ...rest, from: dayStart(from), to: dayStart(to, 1) }));
      mount(list, render(r));
    } catch (e) {
      mount(list, failed(e, reload));
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  function details(a) {
    const hasChange = a.before !== null || a.after !== null;
    return h('details', {},
      h('summary', {}, hasChange ? 'Ver cambios' : 'Ver detalle'),
      h('div', { class: 'audit-detail' },
        a.before !== null ? h('div', {}, h('h3', {}, 'Antes'), h('pre', {}, pretty(a.before))) : null,
        a.after !== null ? h('div', {}, h('h3', {}, 'Después'), h('pre', {}, pretty(a.after))) : null,
        h('p', { class: 'muted small-text' }, `Registro #${a.id} · IP ${a.ip || '—'} · ${a.userAgent || 'sin agente de usuario'}`)));
  }

  function render(r) {
    const cols = [
      ['Fecha', (a) => formatDateTime(a.createdAt)],
      ['Usuario', (a) => who(a.userId)],
      ['Rol', (a) => a.role || '—'],
      ['Acción', (a) => h('div', {}, actionNames[a.action] || a.action,
        actionNames[a.action] ? h('div', { class: 'muted small-text' }, a.action) : null)],
      ['Entidad', (a) => h('div', {}, entityLabels[a.entity] || a.entity,
        a.entityId ? h('div', { class: 'muted small-text' }, h('code', {}, a.entityId)) : null)],
      ['IP', (a) => a.ip || '—'],
      ['Detalles', details],
    ];
    return h('div', {},
      h('div', { class: 'table-wrap' }, table(cols, r.items, { empty: 'No hay registros con estos filtros.' })),
      pager(r, (p) => { filters.page = p; reload(); }));
  }

  function filterBar() {
    // Without users:read the ids cannot be named: the filter takes a raw user id.
    const user = users.length
      ? select('user', [['', 'Todos'], ...users.map((u) => [u.id, `${u.fullName} (${u.email})`])], filters.user)
      : h('input', { name: 'user', pattern: '[0-9a-fA-F\\-]{36}', placeholder: 'id del usuario (UUID)', value: filters.user });
    const action = h('input', { name: 'action', list: 'audit-actions', value: filters.action, maxlength: '200' });
    const actionList = h('datalist', { id: 'audit-actions' }, Object.entries(actionNames).map(([v, l]) => h('option', { value: v }, l)));
    const entity = select('entity', [['', 'Todas'], ...entities.map((e) => [e, entityLabels[e]])], filters.entity);
    const from = h('input', { name: 'from', type: 'date', value: filters.from });
    const to = h('input', { name: 'to', type: 'date', value: filters.to });
    const form = h('form', { class: 'row filters', role: 'search', 'aria-label': 'Filtrar auditoría' },
      field('Usuario', user), field('Acción', action, 'Exacta, p. ej. users.update o POST /api/v1/campaigns'), actionList,
      field('Entidad', entity), field('Desde', from), field('Hasta (incluido)', to),
      h('button', { type: 'submit' }, 'Filtrar'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      Object.assign(filters, {
        user: user.value.trim(), action: action.value.trim(), entity: entity.value, from: from.value, to: to.value, page: 1,
      });
      reload();
    });
    return form;
  }

  async function verify(ev) {
    const button = ev.currentTarget;
    button.disabled = true;
    mount(verdict, h('p', { class: 'muted' }, 'Verificando la cadena completa…'));
    try {
      const r = await get('/audit/verify');
      mount(verdict, r.valid
        ? h('p', { class: 'ok-text' }, `Cadena íntegra: ${r.checked} registros verificados, ninguno alterado.`)
        : h('p', { class: 'error', role: 'alert' },
          `Cadena rota: el registro #${r.firstBrokenId} no coincide con su huella (${r.checked} revisados). `,
          'Los registros desde ese punto pudieron ser alterados fuera de la aplicación.'));
    } catch (e) {
      mount(verdict, h('p', { class: 'error', role: 'alert' }, problem(e)));
    } finally {
      button.disabled = false;
    }
  }

  if (session.can('users:read')) {
    try { users = await loadAll('/users'); } catch { users = []; } // names are a nicety, not a requirement
  }
  const tools = h('button', { type: 'button', onclick: verify }, 'Verificar cadena');
  screen(main, 'Auditoría', tools, verdict, h('div', { class: 'card' }, filterBar(), list));
  await reload();
}
