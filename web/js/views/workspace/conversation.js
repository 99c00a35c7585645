// The open chat's conversation: header, messages with their delivery ticks, older pages.
import { api, get, query } from '../../api.js';
import { h, mount, formatDateTime, formatTime, labels, toast } from '../../dom.js';
import { actionError, chatName } from '../../chat_actions.js';

const PAGE = 50;
const STATUS_RANK = { pending: 0, sent: 1, delivered: 2, read: 3 };

export function typeLabel(type) {
  return {
    image: 'Imagen', document: 'Documento', audio: 'Audio', video: 'Video', sticker: 'Sticker',
    location: 'Ubicación', template: 'Plantilla', interactive: 'Mensaje interactivo',
    unsupported: 'Mensaje no compatible',
  }[type] || type || '';
}

export function messageTime(m) {
  if (m.createdAt) return m.createdAt;
  if (m.timestamp) return new Date(Number(m.timestamp) * 1000).toISOString();
  return new Date().toISOString();
}

/** The provider's error as a person reads it (Meta: {code, title, message, error_data}). */
function providerError(err) {
  if (!err) return 'error desconocido';
  let e = err;
  if (typeof e === 'string') {
    try { e = JSON.parse(e); } catch { return e; }
  }
  if (Array.isArray(e)) e = e[0] || {};
  const text = (e.error_data && e.error_data.details) || e.message || e.title || JSON.stringify(e);
  const known = {
    131047: 'fuera de la ventana de 24 horas', 131026: 'no se pudo entregar al número',
    130429: 'límite de envío del número', 131056: 'demasiados mensajes a este deudor',
    131049: 'retenido por WhatsApp (no reenviar en 24 h)',
  }[e.code];
  return known ? `${known} (${e.code})` : `${text}${e.code ? ` (${e.code})` : ''}`;
}

function tick(m) {
  const st = m.status || 'pending';
  const glyph = { pending: '🕓', sent: '✓', delivered: '✓✓', read: '✓✓', failed: '✕' }[st] || '';
  return h('span', { class: `tick tick-${st}`, title: labels.message[st] || st, dataset: { status: st } },
    h('span', { 'aria-hidden': 'true' }, glyph), h('span', { class: 'sr-only' }, labels.message[st] || st));
}

async function openMedia(m) {
  try {
    const res = await api('GET', `/messages/${m.id}/media`, undefined, { raw: true });
    const url = URL.createObjectURL(await res.blob());
    window.open(url, '_blank', 'noopener');
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (e) {
    toast(`No se pudo abrir el archivo: ${actionError(e)}`, 'error');
  }
}

function messageBody(m) {
  const parts = [];
  if (m.type && m.type !== 'text') parts.push(h('span', { class: 'msg-type' }, typeLabel(m.type)));
  if (m.type === 'template') {
    const name = (m.details && m.details.name) || m.text;
    parts.push(h('span', {}, ` ${name}`));
  } else if (m.text) {
    parts.push(h('span', { class: 'msg-text' }, m.text));
  }
  if (m.type === 'location' && m.media) parts.push(h('span', {}, ` ${m.media.name || ''} ${m.media.address || ''}`));
  if (m.direction === 'in' && m.media && ['image', 'document', 'audio', 'video', 'sticker'].includes(m.type) && m.id)
    parts.push(h('button', { type: 'button', class: 'small', onclick: () => openMedia(m) }, 'Ver archivo'));
  return parts;
}

function fetchMessages(chatId, page) {
  return get(`/chats/${chatId}/messages${query({ page, limit: PAGE })}`);
}

/**
 * Renders into `convo`. Reads state.selected, state.messages, state.firstPage and state.users;
 * `composer` is the form shown to those who may write, `renderWindow` refreshes the 24 h
 * notice after messages change, `onDismiss` closes the chat on screen.
 */
export function conversation({ convo, state, me, can, isAgent, seesAll, composer, renderWindow, onDismiss }) {
  const messagesEl = h('ol', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': 'Mensajes' });
  const olderBtn = h('button', { type: 'button', class: 'small older', onclick: () => loadOlder() }, 'Cargar mensajes anteriores');

  function messageEl(m) {
    const at = messageTime(m);
    const who = m.direction === 'in' ? 'Deudor' : (m.sentBy && m.sentBy === me.id ? 'Tú' : (m.sentBy ? (state.users.get(m.sentBy)?.fullName || 'Gestor') : 'Sistema'));
    return h('li', { class: `msg ${m.direction === 'in' ? 'in' : 'out'}`, dataset: { id: m.id || '', status: m.status || '' } },
      h('span', { class: 'sr-only' }, `${who}: `),
      h('div', { class: 'msg-body' }, messageBody(m)),
      h('div', { class: 'msg-meta' }, h('time', { datetime: at, title: formatDateTime(at) }, formatTime(at)),
        m.direction === 'out' ? tick(m) : null),
      m.status === 'failed' ? h('p', { class: 'msg-error' }, `No se entregó: ${providerError(m.error)}`) : null);
  }

  function sortedMessages() {
    return [...state.messages.values()].sort((a, b) =>
      messageTime(a).localeCompare(messageTime(b)) || String(a.id).localeCompare(String(b.id)));
  }

  function nearBottom() {
    return messagesEl.scrollHeight - messagesEl.scrollTop - messagesEl.clientHeight < 80;
  }

  function renderMessages(scroll = true) {
    const list = sortedMessages();
    mount(messagesEl, list.length ? list.map(messageEl) : h('li', { class: 'empty' }, 'Sin mensajes todavía.'));
    olderBtn.hidden = state.firstPage <= 1;
    if (scroll) messagesEl.scrollTop = messagesEl.scrollHeight;
    renderWindow();
  }

  /** Adds or updates one message; a status never goes back (events may cross the POST's answer). */
  function upsertMessage(m) {
    if (!m || !m.id) return;
    const old = state.messages.get(m.id);
    const merged = old ? { ...old, ...m } : m;
    if (old && m.status !== 'failed' && old.status !== 'failed' &&
        (STATUS_RANK[old.status] ?? -1) > (STATUS_RANK[m.status] ?? -1))
      merged.status = old.status;
    state.messages.set(m.id, merged);
    const stick = nearBottom();
    const existing = messagesEl.querySelector(`li[data-id="${CSS.escape(m.id)}"]`);
    if (existing) existing.replaceWith(messageEl(merged));
    else renderMessages(false);
    if (stick || (!old && merged.direction === 'out')) messagesEl.scrollTop = messagesEl.scrollHeight;
    renderWindow();
  }

  function convoHeader(chat) {
    const agent = chat.agentId ? state.users.get(chat.agentId) : null;
    return h('header', { class: 'convo-head' },
      h('div', {},
        h('h2', { id: 'convo-title' }, chatName(chat)),
        h('p', { class: 'muted' }, chat.debtorPhone || '',
          chat.priority ? [' · ', h('span', { class: `pill prio-${chat.priority}` }, chat.priority)] : null,
          ' · ', h('span', { id: 'chat-status', dataset: { status: chat.status } }, labels.chat[chat.status] || chat.status),
          seesAll ? ` · Gestor: ${agent ? agent.fullName : chat.agentId ? 'otro' : 'ninguno'}` : null,
          chat.outcome ? ` · Resultado: ${labels.outcome[chat.outcome] || chat.outcome}` : null)),
      h('button', { type: 'button', class: 'small', onclick: () => onDismiss(), 'aria-label': 'Cerrar la conversación en pantalla' }, '×'));
  }

  function renderConvo() {
    const chat = state.selected;
    if (!chat) {
      mount(convo, h('div', { class: 'convo-empty' }, h('p', { class: 'empty' },
        'Elige un chat de la lista para ver la conversación.')));
      return;
    }
    const open = chat.status !== 'closed';
    const mine = chat.agentId === me.id;
    // Supervisors read everything but answer only chats they hold (or any, with the right).
    const mayWrite = can.send && open && (isAgent ? mine : true);
    composer.hidden = !mayWrite;
    mount(convo, convoHeader(chat), olderBtn, messagesEl,
      mayWrite ? composer : h('p', { class: 'hint convo-readonly' },
        open ? 'Solo lectura.' : `Chat cerrado${chat.outcome ? `: ${labels.outcome[chat.outcome] || chat.outcome}` : ''}.`));
    renderMessages();
  }

  /** While a chat's messages load. */
  function renderLoading(chat) {
    mount(convo, convoHeader(chat), h('p', { class: 'loading' }, 'Cargando mensajes…'));
  }

  /** The newest page (the route pages oldest first), plus the one before when it is short. */
  async function loadMessages(id) {
    try {
      const first = await fetchMessages(id, 1);
      let page = 1;
      let items = first.items || [];
      const pages = Math.max(1, Math.ceil((first.total || 0) / PAGE));
      if (pages > 1) {
        page = pages;
        items = (await fetchMessages(id, page)).items || [];
        if (items.length < 10 && page > 1) {
          page -= 1;
          items = [...((await fetchMessages(id, page)).items || []), ...items];
        }
      }
      if (!state.selected || state.selected.id !== id) return;
      state.firstPage = page;
      for (const m of items) state.messages.set(m.id, { ...state.messages.get(m.id), ...m });
    } catch (e) {
      toast(`No se pudieron cargar los mensajes: ${actionError(e)}`, 'error');
    }
  }

  async function loadOlder() {
    const chat = state.selected;
    if (!chat || state.firstPage <= 1) return;
    const page = state.firstPage - 1;
    const before = messagesEl.scrollHeight;
    try {
      const res = await fetchMessages(chat.id, page);
      if (!state.selected || state.selected.id !== chat.id) return;
      state.firstPage = page;
      for (const m of res.items || []) if (!state.messages.has(m.id)) state.messages.set(m.id, m);
      renderMessages(false);
      messagesEl.scrollTop = messagesEl.scrollHeight - before;
    } catch (e) {
      toast(`No se pudieron cargar los mensajes: ${actionError(e)}`, 'error');
    }
  }

  return { renderConvo, renderLoading, renderMessages, upsertMessage, loadMessages };
}
