// Campaigns: a portfolio segment with its numbers, agents, bot flow, assignment strategy,
// business hours and contact windows; and, per campaign, its outbound runs.
import { del, get, patch, post, query, session } from '../../api.js';
import { attempt, field, h, mount, select, table, toast } from '../../dom.js';
import {
  checkGroup, checkedValues, confirmAction, failed, formDialog, intOf, loadAll, pager, screen, splitList, weekdays, yesNo,
} from './common.js';
import { outboundPanel } from './outbound.js';

const strategies = {
  round_robin: 'Rotación (round robin)', least_busy: 'Gestor menos ocupado', skills_based: 'Por habilidades',
};
const names = {
  name: 'Nombre', description: 'Descripción', strategy: 'Estrategia', botFlowId: 'Flujo del bot',
  requiredSkills: 'Habilidades requeridas', maxChatsPerAgent: 'Chats por gestor', isActive: 'Activa',
  numberIds: 'Números', agentIds: 'Gestores', businessHours: 'Horario de atención', contactWindows: 'Franjas de contacto',
};
const rangeShape = '(([01][0-9]|2[0-3]):[0-5][0-9])-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)';

/** Seven "HH:MM-HH:MM" inputs; empty means closed that day. */
function weekInputs(prefix, legend, week, hint) {
  return h('fieldset', { class: 'week' }, h('legend', {}, legend),
    hint ? h('p', { class: 'hint' }, hint) : null,
    h('div', { class: 'week-days' }, weekdays.map(([day, label]) => field(label, h('input', {
      name: `${prefix}.${day}`, pattern: rangeShape, placeholder: 'cerrado', value: (week && week[day]) || '',
      autocomplete: 'off', size: '11',
    })))));
}

function weekOf(form, prefix) {
  const out = {};
  for (const [day] of weekdays) out[day] = form.elements.namedItem(`${prefix}.${day}`).value.trim() || null;
  return out;
}

/** Business hours: a week with every day empty is "no hours" ({}: always open), not closed all week. */
function hoursOf(form) {
  const week = weekOf(form, 'bh');
  return Object.values(week).some(Boolean) ? week : {};
}

export async function campaignsView(main) {
  const filters = { active: '', page: 1, limit: 50 };
  let flows = [];
  let numbers = [];
  let users = [];
  let closePanel = null;
  const body = h('div', {}, h('p', { class: 'loading' }, 'Cargando…'));
  const panel = h('div', { class: 'panel-slot' });
  const nameOf = (list, id, key = 'name') => (list.find((x) => x.id === id) || {})[key] || id.slice(0, 8);

  async function loadRefs() {
    // Each list needs its own read permission: what the role cannot read is left out of the form.
    [flows, numbers, users] = await Promise.all([
      session.can('bot:read') ? loadAll('/bot-flows') : [],
      session.can('whatsapp:read') ? get('/whatsapp/numbers').then((r) => r.items || []) : [],
      session.can('users:read') ? loadAll('/users') : [], // the deactivated too: their links are kept
    ]);
  }

  async function reload() {
    try {
      const list = await get('/campaigns' + query(filters));
      mount(body, render(list));
    } catch (e) {
      mount(body, failed(e, reload));
    }
  }

  function render(list) {
    const columns = [
      ['Nombre', (c) => h('div', {}, h('strong', {}, c.name), c.description ? h('div', { class: 'muted small-text' }, c.description) : null)],
      ['Activa', (c) => yesNo(c.isActive)],
      ['Estrategia', (c) => strategies[c.strategy] || c.strategy],
      ['Flujo del bot', (c) => (c.botFlowId ? nameOf(flows, c.botFlowId) : 'Sin bot')],
      ['Números', (c) => (c.numberIds || []).map((id) => nameOf(numbers, id)).join(', ') || '—'],
      ['Gestores', (c) => String((c.agentIds || []).length)],
      ['Chats por gestor', (c) => c.maxChatsPerAgent],
      ['Habilidades', (c) => (c.requiredSkills || []).join(', ') || '—'],
      ['Acciones', (c) => h('div', { class: 'row' },
        session.can('campaigns:update') ? h('button', { type: 'button', class: 'small', onclick: () => edit(c) }, 'Editar') : null,
        h('button', { type: 'button', class: 'small', onclick: () => showRuns(c) }, 'Envíos'),
        session.can('campaigns:delete') ? h('button', { type: 'button', class: 'small danger', onclick: () => remove(c) }, 'Eliminar') : null)],
    ];
    return h('div', {},
      h('div', { class: 'table-wrap' }, table(columns, list.items, { empty: 'No hay campañas.' })),
      pager(list, (p) => { filters.page = p; reload(); }));
  }

  function filterBar() {
    const active = select('active', [['', 'Todas'], ['true', 'Activas'], ['false', 'Inactivas']], filters.active);
    active.addEventListener('change', () => { filters.active = active.value; filters.page = 1; reload(); });
    return h('div', { class: 'row filters' }, field('Mostrar', active));
  }

  function campaignForm(c) {
    const legal = !c || c.contactWindows === null || c.contactWindows === undefined;
    const useLegal = h('input', { type: 'checkbox', name: 'useLegalWindows', checked: legal });
    const windows = weekInputs('cw', 'Franjas de contacto propias', c?.contactWindows,
      'Solo pueden restringir las franjas legales (L-V 07:00-19:00, sáb. 08:00-15:00; domingos y festivos no).');
    const sync = () => { windows.hidden = useLegal.checked; windows.disabled = useLegal.checked; };
    useLegal.addEventListener('change', sync);
    sync();
    const numberLabel = (n) => `${n.name} (${n.phoneNumber})${n.campaignId && n.campaignId !== c?.id ? ' — se moverá desde otra campaña' : ''}`;
    return h('div', {},
      h('div', { class: 'grid tight' },
        field('Nombre', h('input', { name: 'name', required: true, maxlength: '100', value: c?.name ?? '' })),
        field('Estrategia de asignación', select('strategy', Object.entries(strategies), c?.strategy ?? 'least_busy')),
        field('Flujo del bot', select('botFlowId', [['', 'Sin bot (directo a la cola)'], ...flows.map((f) => [f.id, f.name])], c?.botFlowId ?? '')),
        field('Máximo de chats por gestor', h('input', {
          name: 'maxChatsPerAgent', type: 'number', min: '1', max: '100', step: '1', value: c?.maxChatsPerAgent ?? 5,
        }))),
      field('Descripción', h('textarea', { name: 'description', rows: '2', maxlength: '1000' }, c?.description ?? '')),
      field('Habilidades requeridas', h('input', { name: 'requiredSkills', value: (c?.requiredSkills || []).join(', ') }),
        'Separadas por comas; con la estrategia «Por habilidades» solo reciben chats los gestores que las tengan.'),
      h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'isActive', checked: c ? c.isActive : true }), ' Campaña activa'),
      session.can('whatsapp:read')
        ? checkGroup('Números de WhatsApp', 'numberIds', numbers.map((n) => [n.id, numberLabel(n)]), c?.numberIds,
          { empty: 'No hay números creados.' }) : null,
      session.can('users:read')
        ? checkGroup('Gestores', 'agentIds', users
          // Active agents receive chats; anyone already linked stays listed so that saving keeps them.
          .filter((u) => (u.role === 'agent' && u.isActive) || (c?.agentIds || []).includes(u.id))
          .map((u) => [u.id, `${u.fullName}${u.role === 'agent' ? '' : ` (${u.role})`}${u.isActive ? '' : ' (desactivado)'}`]),
          c?.agentIds, { empty: 'No hay gestores activos.' }) : null,
      weekInputs('bh', 'Horario de atención', c?.businessHours,
        'Formato HH:MM-HH:MM, p. ej. 08:00-18:00. Un día vacío: cerrado ese día. Todos vacíos: sin horario (atiende siempre).'),
      h('label', { class: 'check' }, useLegal, ' Usar las franjas de contacto legales (predeterminado)'),
      windows);
  }

  function bodyOf(form) {
    const el = (k) => form.elements.namedItem(k);
    const b = {
      name: el('name').value.trim(),
      description: el('description').value.trim(),
      strategy: el('strategy').value,
      requiredSkills: splitList(el('requiredSkills').value),
      isActive: el('isActive').checked,
      businessHours: hoursOf(form),
      contactWindows: el('useLegalWindows').checked ? null : weekOf(form, 'cw'),
    };
    if (session.can('bot:read')) b.botFlowId = el('botFlowId').value || null;
    const max = intOf(el('maxChatsPerAgent').value);
    if (max !== undefined) b.maxChatsPerAgent = max;
    if (session.can('whatsapp:read')) b.numberIds = checkedValues(form, 'numberIds');
    if (session.can('users:read')) b.agentIds = checkedValues(form, 'agentIds');
    return b;
  }

  async function afterSave() {
    await loadRefs(); // numbers move between campaigns
    await reload();
  }

  function create() {
    formDialog('Nueva campaña', campaignForm(null), 'Crear', async (form) => {
      const c = await post('/campaigns', bodyOf(form));
      toast(`Campaña ${c.name} creada`, 'ok');
      await afterSave();
    }, { names, wide: true });
  }

  function edit(c) {
    formDialog(`Editar: ${c.name}`, campaignForm(c), 'Guardar', async (form) => {
      await patch(`/campaigns/${c.id}`, bodyOf(form));
      toast('Campaña guardada', 'ok');
      await afterSave();
    }, { names, wide: true });
  }

  async function remove(c) {
    if (!(await confirmAction('Eliminar campaña',
      `¿Eliminar ${c.name}? Sus números quedan sin campaña. No es posible si tiene chats abiertos.`, 'Eliminar'))) return;
    const ok = await attempt(() => del(`/campaigns/${c.id}`), 'Campaña eliminada');
    if (ok !== undefined) hideRuns();
    await afterSave();
  }

  function hideRuns() {
    if (closePanel) closePanel();
    closePanel = null;
    mount(panel);
  }

  function showRuns(c) {
    hideRuns();
    closePanel = outboundPanel(c, panel, hideRuns);
  }

  async function start() {
    try {
      await loadRefs();
    } catch (e) {
      mount(main, failed(e, start));
      return;
    }
    const tools = session.can('campaigns:create')
      ? h('button', { type: 'button', class: 'primary', onclick: create }, 'Nueva campaña') : null;
    screen(main, 'Campañas', tools, h('div', { class: 'card' }, filterBar(), body), panel);
    await reload();
  }
  await start();
  return () => { if (closePanel) closePanel(); };
}
