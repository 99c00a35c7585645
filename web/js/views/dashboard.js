// The supervisor dashboard: live counters, agents with status and load, the queue with its
// waiting times, the chats in progress (reassign, transfer, read), and the report charts
// (./dashboard/reports.js). Live data comes from the WebSocket (stats.overview every few
// seconds, agent.status, queue.updated, chat.*); the REST reads fill the screen and catch up
// after reconnecting.
import { get } from '../api.js';
import { on } from '../live.js';
import { h, mount, formatDuration, since, labels, toast, table } from '../dom.js';
import { actionError, chatName, moveChatDialog } from '../chat_actions.js';
import { reportsSection } from './dashboard/reports.js';

const STATUSES = ['available', 'busy', 'break', 'offline'];

export async function dashboardView(main) {
  const offs = [];
  const timers = [];
  let disposed = false;
  let refreshTimer = null;
  const state = {
    agents: new Map(), // agentId -> {agentId, fullName, status, openChats, capacity}
    overview: null,
    queue: [],
    assigned: [],
    chats: new Map(), // chatId -> chat (names for the queue)
  };

  // -- layout ---------------------------------------------------------------------------
  const kpis = h('div', { class: 'kpis', id: 'kpis', 'aria-live': 'polite' });
  const agentsBox = h('div', { class: 'table-wrap', id: 'agents' });
  const queueBox = h('div', { class: 'table-wrap', id: 'queue' });
  const assignedBox = h('div', { class: 'table-wrap', id: 'in-progress' });
  const reports = reportsSection({ isDisposed: () => disposed });

  mount(main, h('div', { class: 'dashboard' },
    h('h1', {}, 'Supervisión en vivo'),
    kpis,
    h('div', { class: 'dash-grid' },
      h('section', { class: 'card', 'aria-labelledby': 'h-agents' }, h('h2', { id: 'h-agents' }, 'Gestores'), agentsBox),
      h('section', { class: 'card', 'aria-labelledby': 'h-queue' }, h('h2', { id: 'h-queue' }, 'Cola de espera'), queueBox)),
    h('section', { class: 'card', 'aria-labelledby': 'h-progress' }, h('h2', { id: 'h-progress' }, 'Chats en curso'), assignedBox),
    reports.el));

  // -- counters and agents --------------------------------------------------------------
  function kpi(id, label, value, extra) {
    return h('div', { class: 'kpi', id }, h('div', { class: 'value' }, value), h('div', { class: 'label' }, label), extra || null);
  }

  function renderKpis() {
    const o = state.overview || {};
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0]));
    for (const a of state.agents.values()) counts[a.status] = (counts[a.status] || 0) + 1;
    const queued = o.queueLength ?? state.queue.length;
    const oldest = o.oldestQueuedAt ? since(o.oldestQueuedAt)
      : o.oldestWaitSeconds !== null && o.oldestWaitSeconds !== undefined ? formatDuration(o.oldestWaitSeconds) : '—';
    mount(kpis,
      kpi('kpi-available', 'Disponibles', counts.available),
      kpi('kpi-busy', 'Ocupados', counts.busy),
      kpi('kpi-break', 'En pausa', counts.break),
      kpi('kpi-offline', 'Desconectados', counts.offline),
      kpi('kpi-queue', 'En cola', String(queued)),
      kpi('kpi-oldest', 'Espera más larga', queued ? oldest : '—'),
      kpi('kpi-bot', 'Con el bot', o.withBot ?? '—'),
      kpi('kpi-messages', 'Mensajes última hora', o.messagesLastHour ? `${o.messagesLastHour.in} ↓ · ${o.messagesLastHour.out} ↑` : '—'));
  }

  function renderAgents() {
    const rows = [...state.agents.values()].sort((a, b) => String(a.fullName).localeCompare(String(b.fullName)));
    mount(agentsBox, table([
      ['Gestor', (a) => a.fullName],
      ['Estado', (a) => h('span', { class: `pill st-${a.status}`, dataset: { status: a.status } }, labels.status[a.status] || a.status)],
      ['Carga', (a) => {
        const cap = Number(a.capacity) || 0;
        const n = Number(a.openChats) || 0;
        return h('span', { class: 'load' },
          h('meter', { min: '0', max: String(cap || 1), value: String(Math.min(n, cap || 1)), 'aria-label': `Carga de ${a.fullName}` }),
          ` ${n} / ${cap || '?'}`);
      }],
    ], rows, { empty: 'No hay gestores activos.', rowAttrs: (a) => ({ dataset: { agentId: a.agentId } }) }));
  }

  function applyOverview(o) {
    state.overview = { ...state.overview, ...o };
    if (Array.isArray(o.agents)) {
      const known = state.agents.size;
      state.agents = new Map(o.agents.map((a) => [a.agentId, a]));
      renderAgents();
      if (state.agents.size !== known) renderAssigned(); // the names of the chats' agents
    }
    renderKpis();
  }

  async function loadOverview() {
    try {
      applyOverview(await get('/reports/overview'));
    } catch (e) {
      mount(agentsBox, h('p', { class: 'error' }, `No se pudo leer el resumen: ${actionError(e)}`));
    }
  }

  // -- queue and chats in progress ------------------------------------------------------
  function chatLink(chatId) {
    return h('a', { href: `#/workspace?chat=${encodeURIComponent(chatId)}`, class: 'small-link' }, 'Ver conversación');
  }

  function renderQueue() {
    mount(queueBox, table([
      ['#', (q) => String(q.position)],
      ['Deudor', (q) => chatName(state.chats.get(q.chatId) || { id: q.chatId })],
      ['Prioridad', (q) => q.priority ? h('span', { class: `pill prio-${q.priority}` }, q.priority) : '—'],
      ['Esperando', (q) => h('span', { dataset: { since: q.queuedAt } }, since(q.queuedAt))],
      ['Acciones', (q) => h('span', { class: 'row' },
        h('button', { type: 'button', class: 'small', onclick: () => move(q.chatId, 'assign') }, 'Asignar'),
        chatLink(q.chatId))],
    ], state.queue, { empty: 'La cola está vacía.', rowAttrs: (q) => ({ dataset: { chatId: q.chatId } }) }));
  }

  function renderAssigned() {
    mount(assignedBox, table([
      ['Deudor', (c) => chatName(c)],
      ['Gestor', (c) => (state.agents.get(c.agentId) || {}).fullName || '—'],
      ['Prioridad', (c) => c.priority ? h('span', { class: `pill prio-${c.priority}` }, c.priority) : '—'],
      ['Sin leer', (c) => String(c.unread || 0)],
      ['Último mensaje', (c) => c.lastMessageAt ? h('span', { dataset: { since: c.lastMessageAt } }, since(c.lastMessageAt)) : '—'],
      ['Acciones', (c) => h('span', { class: 'row' },
        h('button', { type: 'button', class: 'small', onclick: () => move(c.id, 'transfer') }, 'Transferir'),
        h('button', { type: 'button', class: 'small', onclick: () => move(c.id, 'assign') }, 'Reasignar'),
        chatLink(c.id))],
    ], state.assigned, { empty: 'No hay chats asignados.', rowAttrs: (c) => ({ dataset: { chatId: c.id } }) }));
  }

  async function loadQueue() {
    try {
      const [queue, queued] = await Promise.all([get('/queue'), get('/chats?status=queued&limit=200')]);
      if (disposed) return;
      for (const c of queued.items || []) state.chats.set(c.id, c);
      state.queue = (queue.items || []).map((q, i) => ({ ...q, position: i + 1 }));
      renderQueue();
    } catch (e) {
      mount(queueBox, h('p', { class: 'error' }, `No se pudo leer la cola: ${actionError(e)}`));
    }
  }

  async function loadAssigned() {
    try {
      const res = await get('/chats?status=assigned&limit=200');
      if (disposed) return;
      state.assigned = res.items || [];
      for (const c of state.assigned) state.chats.set(c.id, c);
      renderAssigned();
    } catch (e) {
      mount(assignedBox, h('p', { class: 'error' }, `No se pudieron leer los chats: ${actionError(e)}`));
    }
  }

  function scheduleRefresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => { loadQueue(); loadAssigned(); }, 250);
  }

  async function move(chatId, kind) {
    const chat = state.chats.get(chatId) || await get(`/chats/${chatId}`).catch(() => null);
    if (!chat) { toast('El chat ya no existe.', 'error'); return; }
    moveChatDialog(chat, kind, () => {
      toast(kind === 'transfer' ? 'Chat transferido' : 'Chat asignado', 'ok');
      scheduleRefresh();
    });
  }

  // -- live -----------------------------------------------------------------------------
  offs.push(on('stats.overview', (o) => applyOverview(o)));
  offs.push(on('agent.status', (d) => {
    const a = state.agents.get(d.agentId) || { agentId: d.agentId, fullName: d.agentId };
    state.agents.set(d.agentId, {
      ...a, status: d.status, openChats: d.currentChats ?? a.openChats, capacity: d.maxConcurrentChats ?? a.capacity,
    });
    if (!a.fullName || a.fullName === d.agentId) loadOverview(); // a new agent: its name comes with the overview
    renderAgents();
    renderKpis();
  }));
  offs.push(on('queue.updated', (d) => {
    state.overview = { ...state.overview, queueLength: d.length, oldestQueuedAt: d.oldestQueuedAt, oldestWaitSeconds: null };
    renderKpis();
    scheduleRefresh();
  }));
  for (const ev of ['chat.assigned', 'chat.transferred', 'chat.closed', 'chat.queued'])
    offs.push(on(ev, scheduleRefresh));
  offs.push(on('message.new', (m) => {
    const c = state.assigned.find((x) => x.id === m.chatId);
    if (!c) return;
    c.lastMessageAt = m.createdAt || new Date().toISOString();
    if (m.direction === 'in') c.unread = (c.unread || 0) + 1;
    renderAssigned();
  }));
  offs.push(on('connected', () => { loadOverview(); loadQueue(); loadAssigned(); }));

  timers.push(setInterval(() => {
    for (const el of main.querySelectorAll('[data-since]')) el.textContent = since(el.dataset.since);
    if (state.overview && state.overview.oldestQueuedAt) renderKpis();
  }, 15000));

  // -- start ----------------------------------------------------------------------------
  renderKpis();
  reports.loadCampaigns();
  await Promise.all([loadOverview(), loadQueue(), loadAssigned()]);
  reports.loadReports();

  return () => {
    disposed = true;
    for (const off of offs) off();
    for (const t of timers) clearInterval(t);
    clearTimeout(refreshTimer);
    for (const d of document.querySelectorAll('dialog.modal')) d.close();
  };
}
