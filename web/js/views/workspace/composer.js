// The reply form: legal phrase check while typing and before sending, quick replies,
// approved templates, and the notice of WhatsApp's 24 h customer service window.
import { get, post, query } from '../../api.js';
import { h, mount, field, formatDuration, toast } from '../../dom.js';
import { actionError, formDialog } from '../../chat_actions.js';
import { messageTime } from './conversation.js';

const WINDOW_MS = 24 * 3600 * 1000; // WhatsApp's customer service window

/**
 * Reads state.selected and state.messages. `upsertMessage` shows a sent message in the
 * conversation, `bumpChat` moves its chat up the list.
 */
export function composer({ state, upsertMessage, bumpChat }) {
  let checkSeq = 0;
  let checkTimer = null;
  let quickReplies = null; // of quickRepliesCampaign
  let quickRepliesCampaign;

  const windowInfo = h('p', { class: 'window-info', 'aria-live': 'polite' });
  const composeText = h('textarea', { name: 'text', rows: '3', maxlength: '4096', placeholder: 'Escribe un mensaje…' });
  const complianceEl = h('div', { class: 'compliance', role: 'alert' });
  const sendError = h('p', { class: 'error', role: 'alert' });
  const sendBtn = h('button', { type: 'submit', class: 'primary' }, 'Enviar');
  const quickSelect = h('select', { name: 'quickReply', 'aria-label': 'Respuesta rápida' },
    h('option', { value: '' }, 'Respuesta rápida…'));
  const templateBtn = h('button', { type: 'button', onclick: () => templateDialog() }, 'Plantilla…');
  const form = h('form', { class: 'composer', 'aria-label': 'Responder' },
    windowInfo,
    field('Mensaje', composeText),
    complianceEl, sendError,
    h('div', { class: 'row' }, quickSelect, templateBtn, h('span', { class: 'spacer' }), sendBtn));

  form.addEventListener('submit', (ev) => { ev.preventDefault(); sendText(); });
  composeText.addEventListener('keydown', (ev) => {
    // Enter sends, Shift+Enter adds a line (what chat users expect).
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); sendText(); }
  });
  composeText.addEventListener('input', () => {
    sendError.textContent = '';
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => checkCompliance(composeText.value), 600);
  });
  quickSelect.addEventListener('change', () => insertQuickReply(quickSelect.value));

  function lastInboundAt() {
    let last = null;
    for (const m of state.messages.values())
      if (m.direction === 'in') {
        const t = messageTime(m);
        if (!last || t > last) last = t;
      }
    return last;
  }

  function renderWindow() {
    const chat = state.selected;
    if (!chat) return;
    if (chat.status === 'closed') {
      windowInfo.className = 'window-info';
      windowInfo.textContent = 'El chat está cerrado.';
      return;
    }
    const last = lastInboundAt();
    const left = last ? WINDOW_MS - (Date.now() - new Date(last).getTime()) : -1;
    windowInfo.className = `window-info ${left > 0 ? 'open' : 'closed'}`;
    windowInfo.dataset.window = left > 0 ? 'open' : 'closed';
    windowInfo.textContent = left > 0
      ? `Ventana de 24 h abierta: quedan ${formatDuration(left / 1000)} para mensajes libres.`
      : last ? 'Ventana de 24 h cerrada: solo puedes enviar plantillas aprobadas.'
        : 'El deudor no ha escrito en esta conversación: solo plantillas aprobadas.';
  }

  function showWarnings(warnings) {
    mount(complianceEl, warnings && warnings.length
      ? h('div', { class: 'warning-box' },
        h('strong', {}, 'Atención: '),
        warnings.map((w) => h('span', {}, `${w.message || 'Frase no permitida'}${w.phrase ? ` (frase: «${w.phrase}»)` : ''} `)))
      : null);
  }

  async function checkCompliance(text) {
    const seq = ++checkSeq;
    if (!text.trim()) { showWarnings([]); return true; }
    try {
      const r = await post('/compliance/check', { text });
      if (seq === checkSeq) showWarnings(r.warnings);
      return r.allowed !== false;
    } catch {
      return true; // the server checks again on send
    }
  }

  async function sendText() {
    const chat = state.selected;
    const text = composeText.value.trim();
    if (!chat || !text || sendBtn.disabled) return;
    sendBtn.disabled = true;
    sendError.textContent = '';
    try {
      const seq = ++checkSeq;
      const check = await post('/compliance/check', { text });
      if (seq === checkSeq) showWarnings(check.warnings);
      if (check.allowed === false) {
        sendError.textContent = 'Corrige el mensaje antes de enviarlo.';
        composeText.focus();
        return;
      }
      const m = await post(`/chats/${chat.id}/messages`, { type: 'text', text });
      composeText.value = '';
      showWarnings([]);
      if (state.selected && state.selected.id === chat.id) upsertMessage(m);
      bumpChat(chat.id, m);
    } catch (e) {
      sendError.textContent = actionError(e);
    } finally {
      sendBtn.disabled = false;
    }
  }

  /** The quick replies of the open chat's campaign (and the global ones), read once per campaign. */
  async function loadQuickReplies() {
    const campaign = (state.selected && state.selected.campaignId) || '';
    if (quickReplies && quickRepliesCampaign === campaign) return;
    try {
      const res = await get(`/quick-replies${query({ campaignId: campaign })}`);
      quickReplies = res.items || [];
      quickRepliesCampaign = campaign;
      mount(quickSelect, h('option', { value: '' }, quickReplies.length ? 'Respuesta rápida…' : 'Sin respuestas rápidas'),
        quickReplies.map((q) => h('option', { value: q.id }, `${q.shortcut} · ${q.title}`)));
    } catch (e) {
      toast(`No se pudieron cargar las respuestas rápidas: ${actionError(e)}`, 'error');
    }
  }

  async function insertQuickReply(id) {
    if (!id) return;
    quickSelect.value = '';
    try {
      const debtorId = state.selected && state.selected.debtorId;
      const r = await get(`/quick-replies/${id}/render${query({ debtorId })}`);
      const t = composeText.value;
      composeText.value = t ? `${t}${t.endsWith(' ') ? '' : ' '}${r.text}` : r.text;
      composeText.focus();
      checkCompliance(composeText.value);
    } catch (e) {
      toast(`No se pudo usar la respuesta rápida: ${actionError(e)}`, 'error');
    }
  }

  function templateDialog() {
    const chat = state.selected;
    if (!chat) return;
    formDialog('Enviar plantilla aprobada', [
      h('p', { class: 'hint' }, 'Fuera de la ventana de 24 horas WhatsApp solo permite plantillas aprobadas por Meta.'),
      field('Nombre de la plantilla', h('input', { name: 'name', required: true, maxlength: '512', autocomplete: 'off' })),
      field('Idioma', h('input', { name: 'language', value: 'es', required: true, maxlength: '10' }), 'Código como es o es_CO'),
      field('Variables del cuerpo', h('textarea', { name: 'params', rows: '3' }), 'Una por línea, en el orden {{1}}, {{2}}…'),
    ], 'Enviar plantilla', async (v) => {
      const template = { name: v.name.trim(), language: v.language.trim() };
      const params = v.params.split('\n').map((x) => x.trim()).filter(Boolean);
      if (params.length)
        template.components = [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }];
      const m = await post(`/chats/${chat.id}/messages`, { type: 'template', template });
      if (state.selected && state.selected.id === chat.id) upsertMessage(m);
      bumpChat(chat.id, m);
      toast('Plantilla enviada', 'ok');
    });
  }

  /** A newly opened chat starts with an empty composer. */
  function reset() {
    composeText.value = '';
    complianceEl.replaceChildren();
    sendError.textContent = '';
  }

  function dispose() {
    clearTimeout(checkTimer);
  }

  return { form, renderWindow, loadQuickReplies, reset, dispose };
}
