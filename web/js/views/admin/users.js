// Users: list with filters, create, edit, deactivate/reactivate, and an agent's status.
import { del, get, patch, post, query, session } from '../../api.js';
import { attempt, field, formatDateTime, h, labels, mount, select, table, toast } from '../../dom.js';
import { on } from '../../live.js';
import {
  checkGroup, checkedValues, confirmAction, failed, formDialog, intOf, loadAll, pager, screen, splitList, yesNo,
} from './common.js';

const names = {
  email: 'Correo', fullName: 'Nombre', role: 'Rol', password: 'Contraseña',
  maxConcurrentChats: 'Chats simultáneos', skills: 'Habilidades', campaignIds: 'Campañas', isActive: 'Activo',
};
const statusOptions = Object.entries(labels.status);

export async function usersView(main) {
  const filters = { role: '', status: '', active: 'true', page: 1, limit: 50 };
  let roles = [];
  let campaigns = [];
  const body = h('div', {}, h('p', { class: 'loading' }, 'Cargando…'));
  const campaignName = (id) => (campaigns.find((c) => c.id === id) || {}).name || id.slice(0, 8);

  async function loadRefs() {
    roles = (await get('/roles')).items || [];
    campaigns = session.can('campaigns:read') ? await loadAll('/campaigns') : [];
  }

  async function reload() {
    try {
      const list = await get('/users' + query(filters));
      mount(body, renderList(list));
    } catch (e) {
      mount(body, failed(e, reload));
    }
  }

  function filterBar() {
    const role = select('role', [['', 'Todos'], ...roles.map((r) => [r.name, r.name])], filters.role);
    const status = select('status', [['', 'Todos'], ...statusOptions], filters.status);
    const active = select('active', [['', 'Todos'], ['true', 'Activos'], ['false', 'Desactivados']], filters.active);
    const form = h('form', { class: 'row filters', role: 'search', 'aria-label': 'Filtrar usuarios' },
      field('Rol', role), field('Estado', status), field('Cuenta', active),
      h('button', { type: 'submit' }, 'Filtrar'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      Object.assign(filters, { role: role.value, status: status.value, active: active.value, page: 1 });
      reload();
    });
    return form;
  }

  function statusControl(u) {
    // Only agents have a working status (they receive chats): the API answers 404 for anyone else.
    if (u.role !== 'agent') return h('span', { class: 'muted' }, '—');
    const pill = h('span', { class: `pill st-${u.status}`, 'data-status-of': u.id }, labels.status[u.status] || u.status);
    if (!u.isActive || !session.can('users:update')) return pill;
    const sel = select('status', statusOptions, u.status, { class: 'small', 'aria-label': `Cambiar estado de ${u.fullName}` });
    sel.addEventListener('change', async () => {
      const saved = await attempt(() => patch(`/users/${u.id}/status`, { status: sel.value }),
        `Estado de ${u.fullName}: ${labels.status[sel.value]}`);
      if (saved) { u.status = saved.status; pill.className = `pill st-${saved.status}`; pill.textContent = labels.status[saved.status] || saved.status; }
      sel.value = u.status;
    });
    return h('div', { class: 'row' }, pill, sel);
  }

  function actions(u) {
    const out = [];
    if (session.can('users:update'))
      out.push(h('button', { type: 'button', class: 'small', onclick: () => edit(u) }, 'Editar'));
    if (u.isActive && session.can('users:delete') && u.id !== session.user?.id)
      out.push(h('button', { type: 'button', class: 'small danger', onclick: () => deactivate(u) }, 'Desactivar'));
    if (!u.isActive && session.can('users:update'))
      out.push(h('button', { type: 'button', class: 'small', onclick: () => reactivate(u) }, 'Reactivar'));
    return h('div', { class: 'row' }, out);
  }

  function renderList(list) {
    const columns = [
      ['Nombre', (u) => h('span', {}, u.fullName, u.isActive ? '' : h('span', { class: 'muted' }, ' (desactivado)'))],
      ['Correo', (u) => u.email],
      ['Rol', (u) => u.role],
      ['Estado', statusControl],
      ['Chats', (u) => `${u.currentChats ?? 0} / ${u.maxConcurrentChats}`],
      ['Habilidades', (u) => (u.skills || []).join(', ') || '—'],
      ['Campañas', (u) => (u.campaignIds || []).map(campaignName).join(', ') || '—'],
      ['2FA', (u) => yesNo(u.twoFactorEnabled)],
      ['Último ingreso', (u) => formatDateTime(u.lastLoginAt)],
      ['Acciones', actions],
    ];
    return h('div', {},
      h('div', { class: 'table-wrap' }, table(columns, list.items, { empty: 'No hay usuarios con estos filtros.' })),
      pager(list, (p) => { filters.page = p; reload(); }));
  }

  function userForm(u) {
    const creating = !u;
    const role = select('role', roles.map((r) => [r.name, `${r.name}${r.description ? ' — ' + r.description : ''}`]),
      u ? u.role : 'agent', { required: true });
    return h('div', {},
      field('Correo', h('input', { name: 'email', type: 'email', required: true, autocomplete: 'off', value: u?.email ?? '' })),
      field('Nombre completo', h('input', { name: 'fullName', required: true, maxlength: '200', value: u?.fullName ?? '' })),
      field('Rol', role),
      field(creating ? 'Contraseña' : 'Nueva contraseña',
        h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: creating }),
        creating ? 'La política de contraseñas del servidor aplica (longitud y complejidad).'
          : 'Déjala en blanco para conservar la actual. Cambiarla cierra las sesiones del usuario.'),
      field('Chats simultáneos máximos', h('input', {
        name: 'maxConcurrentChats', type: 'number', min: '1', max: '100', step: '1', value: u?.maxConcurrentChats ?? 5,
      })),
      field('Habilidades', h('input', { name: 'skills', value: (u?.skills || []).join(', ') }),
        'Separadas por comas, p. ej.: juridico, cartera_castigada'),
      campaigns.length || session.can('campaigns:read')
        ? checkGroup('Campañas', 'campaignIds', campaigns.map((c) => [c.id, c.name]), u?.campaignIds,
          { empty: 'No hay campañas creadas.' })
        : null);
  }

  function bodyOf(form, u) {
    const el = form.elements;
    const b = {
      email: el.email.value.trim(),
      fullName: el.fullName.value.trim(),
      role: el.role.value,
      skills: splitList(el.skills.value),
    };
    const max = intOf(el.maxConcurrentChats.value);
    if (max !== undefined) b.maxConcurrentChats = max;
    if (el.password.value) b.password = el.password.value;
    if (form.querySelector('[data-group="campaignIds"]')) b.campaignIds = checkedValues(form, 'campaignIds');
    if (u) for (const k of ['email', 'fullName', 'role']) if (b[k] === u[k]) delete b[k]; // only what changed
    return b;
  }

  function create() {
    formDialog('Nuevo usuario', userForm(null), 'Crear', async (form) => {
      const u = await post('/users', bodyOf(form, null));
      toast(`Usuario ${u.email} creado`, 'ok');
      await reload();
    }, { names });
  }

  function edit(u) {
    formDialog(`Editar: ${u.fullName}`, userForm(u), 'Guardar', async (form) => {
      await patch(`/users/${u.id}`, bodyOf(form, u));
      toast('Cambios guardados', 'ok');
      await reload();
    }, { names });
  }

  async function deactivate(u) {
    if (!(await confirmAction('Desactivar usuario',
      `${u.fullName} (${u.email}) no podrá ingresar y sus sesiones se cierran. Su historial se conserva.`, 'Desactivar'))) return;
    await attempt(() => del(`/users/${u.id}`), 'Usuario desactivado');
    await reload();
  }

  async function reactivate(u) {
    await attempt(() => patch(`/users/${u.id}`, { isActive: true }), 'Usuario reactivado');
    await reload();
  }

  async function start() {
    try {
      await loadRefs();
    } catch (e) {
      mount(main, failed(e, start));
      return;
    }
    const tools = session.can('users:create')
      ? h('button', { type: 'button', class: 'primary', onclick: create }, 'Nuevo usuario') : null;
    screen(main, 'Usuarios', tools, h('div', { class: 'card' }, filterBar(), body));
    await reload();
  }
  await start();

  // Statuses change all day long: patch the pill in place instead of reloading the table.
  return on('agent.status', (d) => {
    const pill = main.querySelector(`[data-status-of="${d.agentId}"]`);
    if (!pill || !d.status) return;
    pill.className = `pill st-${d.status}`;
    pill.textContent = labels.status[d.status] || d.status;
    const sel = pill.parentElement && pill.parentElement.querySelector('select');
    if (sel && document.activeElement !== sel) sel.value = d.status;
  });
}
