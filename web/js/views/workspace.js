// The agent workspace: own status, chat list, routing to one chat, and the live events that
// keep them current; the open chat's conversation, composer and debtor panel are in
// ./workspace/. Supervisors use the same screen to read any chat and reassign or transfer
// it; #/workspace?chat=ID opens one chat directly (the dashboard links there).
import { get, patch, query, session } from '../api.js';
import { on } from '../live.js';
import { h, mount, field, select, formatTime, since, labels, toast } from '../dom.js';
import { alertUser } from '../alerts.js';
import { actionError, chatName, listAgents } from '../chat_actions.js';
import { conversation, messageTime, typeLabel } from './workspace/conversation.js';
import { composer } from './workspace/composer.js';
import { debtorPanel } from './workspace/debtor_panel.js';

const PRIORITIES = ['URGENTE', 'ALTA', 'MEDIA', 'BAJA'];

export async function workspaceView(main) {
  const me = session.user;
  const isAgent = me.role === 'agent';
  const seesAll = !isAgent; // the server limits agents to their own chats anyway
  const can = {
    assign: session.can('queue:update'),
    update: session.can('chats:update'),
    send: session.can('messages:create'),
    debtor: session.can('debtors:update'),
    tasks: session.can('tasks:create'),
  };

  const state = {
    chats: [],
    selected: null, // the open chat
    messages: new Map(), // id -> message of the open chat
    firstPage: 1, // the oldest page of messages loaded
    debtor: null,
    promises: [],
    notes: [],
    users: new Map(), // agents by id: names and load for transfers
    filters: { status: 'assigned', agentId: '', campaignId: '', priority: '' },
    myStatus: me.status || 'offline',
  };
  const offs = [];
  const timers = [];
  let disposed = false;
  let reloadTimer = null;

  // -- layout ---------------------------------------------------------------------------
  const statusBox = h('div', { class: 'ws-status', role: 'group', 'aria-label': 'Mi estado' });
  const listEl = h('ul', { class: 'chat-list', id: 'chat-list' });
  const listInfo = h('p', { class: 'hint ws-count', 'aria-live': 'polite' });
  const filtersBox = h('div', { class: 'ws-filters' });
  const left = h('section', { class: 'ws-list card', 'aria-labelledby': 'ws-list-title' },
    h('h1', { id: 'ws-list-title' }, isAgent ? 'Mis chats' : 'Conversaciones'),
    isAgent ? statusBox : null, seesAll ? filtersBox : null, listInfo,
    h('nav', { 'aria-label': 'Lista de chats' }, listEl));
  const convoEl = h('section', { class: 'ws-convo card', 'aria-label': 'Conversación' });
  const panel = h('aside', { class: 'ws-debtor card', 'aria-label': 'Deudor y acciones' });
  mount(main, h('div', { class: 'workspace' }, left, convoEl, panel));
  main.classList.add('fill'); // the columns scroll inside the window, not the page

  // The open chat's parts; they reach this screen only through the callbacks given here.
  const compose = composer({ state, upsertMessage: (m) => convo.upsertMessage(m), bumpChat });
  const convo = conversation({
    convo: convoEl, state, me, can, isAgent, seesAll,
    composer: compose.form, renderWindow: compose.renderWindow, onDismiss: () => clearSelection(),
  });
  const debtor = debtorPanel({
    panel, state, me, can, isAgent, chatClosed, dropChat, clearSelection, refreshSelected, scheduleReload,
  });

  // -- own status -----------------------------------------------------------------------
  const STATUS_CHOICES = [['available', 'Disponible'], ['break', 'En pausa'], ['offline', 'Desconectado']];
  function renderStatus() {
    const current = state.myStatus;
    mount(statusBox,
      h('p', { class: 'ws-status-now' }, 'Mi estado: ',
        h('strong', { id: 'my-status', class: `st-${current}`, dataset: { status: current } },
          labels.status[current] || current)),
      h('div', { class: 'seg' }, STATUS_CHOICES.map(([value, label]) =>
        h('button', {
          type: 'button', class: 'seg-btn', 'aria-pressed': String(current === value),
          dataset: { status: value }, onclick: () => setStatus(value),
        }, label))));
  }
  async function setStatus(status) {
    try {
      const load = await patch('/users/me/status', { status });
      state.myStatus = load.status || status;
      renderStatus();
      toast(`Estado: ${labels.status[state.myStatus] || state.myStatus}`, 'ok');
    } catch (e) {
      toast(`No se pudo cambiar el estado: ${actionError(e)}`, 'error');
    }
  }

  // -- supervisors' filters -------------------------------------------------------------
  async function renderFilters() {
    const [agents, campaigns] = await Promise.all([
      Promise.resolve([...state.users.values()]),
      session.can('campaigns:read') ? get('/campaigns?limit=200').then((r) => r.items).catch(() => []) : [],
    ]);
    const change = (key) => (ev) => { state.filters[key] = ev.target.value; loadChats(); };
    mount(filtersBox,
      field('Estado', select('status', [['assigned', 'Asignados'], ['queued', 'En cola'], ['bot', 'Con el bot'],
        ['closed', 'Cerrados'], ['', 'Todos']], state.filters.status, { onchange: change('status') })),
      field('Gestor', select('agentId', [['', 'Todos'], ...agents.map((u) => [u.id, u.fullName])],
        state.filters.agentId, { onchange: change('agentId') })),
      field('Campaña', select('campaignId', [['', 'Todas'], ...campaigns.map((c) => [c.id, c.name])],
        state.filters.campaignId, { onchange: change('campaignId') })),
      field('Prioridad', select('priority', [['', 'Todas'], ...PRIORITIES.map((p) => [p, p])],
        state.filters.priority, { onchange: change('priority') })));
  }

  // -- chat list ------------------------------------------------------------------------
  function waitingSince(c) {
    const last = c.lastMessage;
    if (last) return last.direction === 'in' ? last.createdAt : null;
    if (c.status === 'queued') return c.openedAt || c.lastMessageAt;
    return c.lastMessageAt;
  }

  function chatItem(c) {
    const last = c.lastMessage;
    const snippet = last ? `${last.direction === 'out' ? 'Tú: ' : ''}${last.text || typeLabel(last.type)}` : '';
    const waiting = waitingSince(c);
    const agent = c.agentId ? state.users.get(c.agentId) : null;
    const selected = state.selected && state.selected.id === c.id;
    return h('li', {},
      h('button', {
        type: 'button', class: 'chat-item', dataset: { chatId: c.id, priority: c.priority || '' },
        'aria-current': selected ? 'true' : null, onclick: () => selectChat(c.id),
      },
      h('span', { class: 'ci-top' },
        h('span', { class: 'ci-name' }, chatName(c)),
        c.unread > 0 ? h('span', { class: 'unread', title: 'Mensajes sin leer' },
          h('span', { class: 'sr-only' }, 'Sin leer: '), String(c.unread)) : null),
      h('span', { class: 'ci-meta' },
        c.priority ? h('span', { class: `pill prio-${c.priority}` }, c.priority) : null,
        seesAll ? h('span', { class: 'ci-agent' }, agent ? agent.fullName : (labels.chat[c.status] || c.status)) : null,
        waiting ? h('span', { class: 'ci-wait', title: last ? 'Tiempo esperando respuesta' : 'Desde el último mensaje' },
          h('span', { class: 'sr-only' }, 'Espera: '), h('span', { dataset: { since: waiting } }, since(waiting))) : null),
      snippet ? h('span', { class: 'ci-last' }, snippet) : null));
  }

  function renderList() {
    const sorted = [...state.chats].sort((a, b) =>
      String(b.lastMessageAt || '').localeCompare(String(a.lastMessageAt || '')));
    mount(listEl, sorted.map(chatItem));
    listInfo.textContent = sorted.length
      ? `${sorted.length} ${sorted.length === 1 ? 'chat' : 'chats'}`
      : isAgent ? 'No tienes chats asignados. Ponte «Disponible» para recibirlos.' : 'Ningún chat con estos filtros.';
  }

  async function loadChats() {
    const f = isAgent ? { status: 'assigned' } : state.filters;
    try {
      const res = await get(`/chats${query({ ...f, limit: 200 })}`);
      if (disposed) return;
      // What this screen knows better than the list: the open chat has been read (the server
      // clears unread only on a reply), and previews that came live.
      const before = new Map(state.chats.map((c) => [c.id, c]));
      state.chats = (res.items || []).map((c) => {
        const old = before.get(c.id);
        const merged = { ...c };
        if (old && !c.lastMessage && old.lastMessage) merged.lastMessage = old.lastMessage;
        if (state.selected && state.selected.id === c.id) merged.unread = 0;
        return merged;
      });
      renderList();
    } catch (e) {
      listInfo.textContent = `No se pudo cargar la lista: ${actionError(e)}`;
    }
  }

  function scheduleReload() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(loadChats, 300);
  }

  function upsertChat(chat) {
    const i = state.chats.findIndex((c) => c.id === chat.id);
    const old = i >= 0 ? state.chats[i] : null;
    const merged = { ...old, ...chat };
    if (old && !chat.lastMessage && old.lastMessage) merged.lastMessage = old.lastMessage;
    if (state.selected && state.selected.id === chat.id) merged.unread = 0;
    if (i >= 0) state.chats[i] = merged;
    else state.chats.push(merged);
    renderList();
  }

  function dropChat(id) {
    state.chats = state.chats.filter((c) => c.id !== id);
    renderList();
  }

  /** A message moves its chat up the list and updates its preview. */
  function bumpChat(chatId, m) {
    const c = state.chats.find((x) => x.id === chatId);
    if (!c) return false;
    const at = messageTime(m);
    c.lastMessage = { text: m.text, direction: m.direction, type: m.type, createdAt: at };
    c.lastMessageAt = at;
    const open = state.selected && state.selected.id === chatId;
    if (m.direction === 'in' && !open) c.unread = (c.unread || 0) + 1;
    renderList();
    return true;
  }

  // -- the open chat -------------------------------------------------------------------
  function clearSelection(note) {
    state.selected = null;
    state.messages.clear();
    state.debtor = null;
    history.replaceState(null, '', '#/workspace');
    renderList();
    convo.renderConvo();
    debtor.renderPanel();
    if (note) toast(note, 'warn');
  }

  async function selectChat(id, known) {
    const chat = known || state.chats.find((c) => c.id === id) || await get(`/chats/${id}`).catch((e) => {
      toast(`No se pudo abrir el chat: ${actionError(e)}`, 'error');
      return null;
    });
    if (!chat || disposed) return;
    state.selected = { ...chat };
    state.messages.clear();
    state.debtor = null;
    state.promises = [];
    state.notes = [];
    compose.reset();
    history.replaceState(null, '', `#/workspace?chat=${encodeURIComponent(id)}`);
    // Opening a chat reads it: the badge goes (the server clears it on the first reply).
    const listed = state.chats.find((c) => c.id === id);
    if (listed) listed.unread = 0;
    renderList();
    convo.renderLoading(chat);
    debtor.renderPanel();
    await convo.loadMessages(id);
    if (state.selected && state.selected.id === id) {
      convo.renderConvo();
      debtor.loadDebtor();
      if (can.send) compose.loadQuickReplies();
    }
  }

  function chatClosed(chatId, outcome) {
    if (isAgent) dropChat(chatId);
    else scheduleReload();
    if (state.selected && state.selected.id === chatId) {
      state.selected = { ...state.selected, status: 'closed', outcome: outcome || state.selected.outcome };
      convo.renderConvo();
      debtor.renderPanel();
    }
  }

  async function refreshSelected(chatId) {
    if (!state.selected || state.selected.id !== chatId) return;
    try {
      const fresh = await get(`/chats/${chatId}`);
      if (state.selected && state.selected.id === chatId) {
        state.selected = { ...state.selected, ...fresh };
        convo.renderConvo();
        debtor.renderPanel();
      }
    } catch (e) {
      if (e.status === 404) clearSelection('Ya no tienes acceso a este chat.');
    }
  }

  async function loadAgents() {
    try {
      state.users = new Map((await listAgents()).map((u) => [u.id, u]));
    } catch { /* names fall back to ids */ }
  }

  // -- live events ----------------------------------------------------------------------
  offs.push(on('agent.status', (d) => {
    if (d.agentId === me.id) { state.myStatus = d.status; if (isAgent) renderStatus(); }
    const u = state.users.get(d.agentId);
    if (u) { u.status = d.status; u.currentChats = d.currentChats; }
  }));

  offs.push(on('message.new', (m) => {
    if (state.selected && state.selected.id === m.chatId) convo.upsertMessage(m);
    if (!bumpChat(m.chatId, m) && (seesAll || m.direction === 'in')) scheduleReload();
  }));

  offs.push(on('message.status', (s) => {
    if (state.selected && state.selected.id === s.chatId && state.messages.has(s.id))
      convo.upsertMessage({ id: s.id, status: s.status, error: s.error ?? state.messages.get(s.id).error, providerId: s.providerId });
  }));

  offs.push(on('chat.assigned', async (d) => {
    if (isAgent && d.agentId === me.id) {
      let chat = null;
      try { chat = await get(`/chats/${d.chatId}`); } catch { chat = { id: d.chatId, ...d }; }
      if (disposed) return;
      upsertChat(chat);
      const name = chatName(chat);
      toast(`Nuevo chat asignado: ${name}`, 'ok');
      alertUser('Nuevo chat asignado', `${name}${chat.priority ? ` · ${chat.priority}` : ''}`, () => selectChat(chat.id));
    } else if (seesAll) {
      scheduleReload();
      refreshSelected(d.chatId);
    }
  }));

  offs.push(on('chat.transferred', async (d) => {
    if (isAgent) {
      if (d.fromAgentId === me.id && d.toAgentId !== me.id) {
        dropChat(d.chatId);
        if (state.selected && state.selected.id === d.chatId)
          clearSelection('Este chat fue transferido a otro gestor.');
        else toast('Un chat tuyo fue transferido.', 'warn');
      }
      if (d.toAgentId === me.id) {
        let chat = null;
        try { chat = await get(`/chats/${d.chatId}`); } catch { chat = { id: d.chatId, ...d, status: 'assigned' }; }
        if (disposed) return;
        upsertChat(chat);
        alertUser('Chat transferido a ti', `${chatName(chat)}${d.reason ? ` · ${d.reason}` : ''}`, () => selectChat(chat.id));
        toast(`Te transfirieron un chat: ${chatName(chat)}`, 'ok');
      }
    } else {
      scheduleReload();
      refreshSelected(d.chatId);
    }
  }));

  offs.push(on('chat.closed', (d) => chatClosed(d.chatId, d.outcome)));
  offs.push(on('chat.queued', () => { if (seesAll) scheduleReload(); }));

  offs.push(on('task.reminder', (t) => {
    const when = t.dueAt ? ` (vence ${formatTime(t.dueAt)})` : '';
    toast(`Recordatorio: ${t.title}${when}`, 'warn');
    alertUser('Recordatorio de tarea', `${t.title}${when}`, t.chatId ? () => selectChat(t.chatId) : null);
  }));

  // After a reconnection, what happened meanwhile is read again.
  offs.push(on('connected', async () => {
    await loadChats();
    const chat = state.selected;
    if (chat) {
      await convo.loadMessages(chat.id);
      if (state.selected && state.selected.id === chat.id) convo.renderMessages();
    }
  }));

  // Waiting times and the 24 h window age by themselves.
  timers.push(setInterval(() => {
    for (const el of main.querySelectorAll('[data-since]')) el.textContent = since(el.dataset.since);
    compose.renderWindow();
  }, 30000));

  // -- start ----------------------------------------------------------------------------
  convo.renderConvo();
  debtor.renderPanel();
  if (isAgent) {
    renderStatus();
    get('/auth/me').then((u) => { if (!disposed && u.status) { state.myStatus = u.status; renderStatus(); } }).catch(() => {});
  }
  await loadAgents();
  if (seesAll) renderFilters().catch(() => {});
  await loadChats();
  const wanted = new URLSearchParams(location.hash.split('?')[1] || '').get('chat');
  if (wanted) selectChat(wanted);

  return () => {
    disposed = true;
    main.classList.remove('fill');
    for (const off of offs) off();
    for (const t of timers) clearInterval(t);
    clearTimeout(reloadTimer);
    compose.dispose();
    for (const d of document.querySelectorAll('dialog.modal')) d.close();
  };
}
