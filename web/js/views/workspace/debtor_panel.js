// The debtor panel of the open chat: facts, promises, notes, and the chat's actions
// (promise, task, assign, transfer, close).
import { get, post } from '../../api.js';
import { h, mount, field, select, formatMoney, formatDateTime, today, labels, toast } from '../../dom.js';
import { actionError, chatName, formDialog, moveChatDialog } from '../../chat_actions.js';

/** A <datetime-local> value (local time) an hour from now. */
function inAnHour() {
  const d = new Date(Date.now() + 3600 * 1000);
  d.setSeconds(0, 0);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * Renders into `panel`. Reads state.selected and state.users; owns state.debtor,
 * state.promises and state.notes. The callbacks are the screen's: what a closed, moved or
 * vanished chat does to the list and the conversation.
 */
export function debtorPanel({
  panel, state, me, can, isAgent, chatClosed, dropChat, clearSelection, refreshSelected, scheduleReload,
}) {
  async function loadDebtor() {
    const chat = state.selected;
    if (!chat || !chat.debtorId) { renderPanel(); return; }
    const id = chat.debtorId;
    try {
      const [d, promises, notes] = await Promise.all([
        get(`/debtors/${id}`), get(`/debtors/${id}/promises`), get(`/debtors/${id}/notes?limit=20`),
      ]);
      if (!state.selected || state.selected.debtorId !== id) return;
      state.debtor = d;
      state.promises = promises.items || [];
      state.notes = notes.items || [];
    } catch (e) {
      toast(`No se pudo cargar el deudor: ${actionError(e)}`, 'error');
    }
    renderPanel();
  }

  function chatActions(chat) {
    const open = chat.status !== 'closed';
    const holder = chat.agentId === me.id;
    const buttons = [];
    if (open && state.debtor && can.debtor)
      buttons.push(h('button', { type: 'button', class: 'primary', onclick: promiseDialog }, 'Registrar promesa'));
    if (open && can.tasks)
      buttons.push(h('button', { type: 'button', onclick: taskDialog }, 'Crear tarea'));
    if (open && can.assign && chat.status === 'queued')
      buttons.push(h('button', { type: 'button', onclick: () => moveDialog('assign') }, 'Asignar'));
    if (open && can.assign && chat.status === 'assigned' && !isAgent)
      buttons.push(h('button', { type: 'button', onclick: () => moveDialog('assign') }, 'Reasignar'));
    if (open && can.update && chat.status !== 'bot' && (holder || !isAgent))
      buttons.push(h('button', { type: 'button', onclick: () => moveDialog('transfer') }, 'Transferir'));
    if (open && can.update && (holder || !isAgent))
      buttons.push(h('button', { type: 'button', class: 'danger', onclick: closeDialog }, 'Cerrar chat'));
    return buttons.length ? h('div', { class: 'actions-bar', role: 'group', 'aria-label': 'Acciones del chat' }, buttons) : null;
  }

  function renderPanel() {
    const chat = state.selected;
    if (!chat) {
      mount(panel, h('p', { class: 'empty' }, 'Aquí verás los datos del deudor.'));
      return;
    }
    const d = state.debtor;
    const sections = [h('h2', {}, 'Deudor'), chatActions(chat)];
    if (!chat.debtorId) {
      sections.push(h('p', { class: 'empty' }, 'Este número no está vinculado a ningún deudor.'));
    } else if (!d) {
      sections.push(h('p', { class: 'loading' }, 'Cargando deudor…'));
    } else {
      const row = (term, ...value) => [h('dt', {}, term), h('dd', {}, ...value)];
      sections.push(
        h('p', { class: 'debtor-name', id: 'debtor-name' }, d.fullName || '—'),
        d.optedOut ? h('p', { class: 'warning-box' }, 'El deudor pidió no recibir más mensajes de cobranza.') : null,
        h('dl', { class: 'facts' },
          row('Documento', `${d.documentType || ''} ${d.documentNumber || '—'}`.trim()),
          row('Deuda', h('strong', { id: 'debtor-debt' }, formatMoney(d.debtAmount, d.currency))),
          row('Días de mora', h('span', { id: 'debtor-days' }, String(d.daysOverdue ?? '—'))),
          row('Prioridad', h('span', { class: `pill prio-${d.priority}` }, d.priority || '—')),
          row('Estado', h('span', { id: 'debtor-status', dataset: { status: d.collectionStatus || '' } },
            labels.collection[d.collectionStatus] || d.collectionStatus || '—')),
          row('Teléfonos', (d.phones || []).join(', ') || '—'),
          row('Etiquetas', (d.tags || []).length
            ? h('span', { class: 'tags' }, d.tags.map((t) => h('span', { class: 'tag' }, t))) : '—')),
        h('h3', {}, 'Promesas de pago'),
        state.promises.length
          ? h('ul', { class: 'plain promises', id: 'promises' }, state.promises.map((p) => h('li', { dataset: p.id ? { id: p.id } : null },
            h('strong', {}, formatMoney(p.amount, d.currency)), ` para el ${p.dueDate} · `,
            h('span', { class: `promise-${p.status}` }, labels.promise[p.status] || p.status),
            Number(p.paidAmount) > 0 ? ` · pagado ${formatMoney(p.paidAmount, d.currency)}` : null)))
          : h('p', { class: 'empty', id: 'promises' }, 'Sin promesas.'),
        h('h3', {}, 'Notas'),
        can.debtor ? noteForm(d.id) : null,
        state.notes.length
          ? h('ul', { class: 'plain notes', id: 'notes' }, state.notes.map((n) => h('li', {},
            h('p', {}, n.body), h('small', { class: 'muted' }, formatDateTime(n.createdAt),
              n.createdBy && state.users.get(n.createdBy) ? ` · ${state.users.get(n.createdBy).fullName}` : ''))))
          : h('p', { class: 'empty', id: 'notes' }, 'Sin notas.'));
    }
    mount(panel, sections);
  }

  function noteForm(debtorId) {
    const body = h('textarea', { name: 'body', rows: '2', maxlength: '4000', required: true });
    const form = h('form', { class: 'note-form' }, field('Nueva nota', body),
      h('button', { type: 'submit', class: 'small' }, 'Agregar nota'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const text = body.value.trim();
      if (!text) return;
      try {
        const note = await post(`/debtors/${debtorId}/notes`, { body: text });
        state.notes = [note, ...state.notes];
        renderPanel();
        toast('Nota agregada', 'ok');
      } catch (e) {
        toast(`No se pudo guardar la nota: ${actionError(e)}`, 'error');
      }
    });
    return form;
  }

  /**
   * Agents lose sight of a debtor once the chat is closed (the server shows them only the
   * debtors of their open chats): the panel then keeps what it showed, updated with what the
   * close recorded. Others read the debtor again.
   */
  async function afterClose(chat, outcome, promise) {
    chatClosed(chat.id, outcome);
    if (!isAgent) { await loadDebtor(); return; }
    if (!state.selected || state.selected.id !== chat.id || !state.debtor) return;
    if (promise)
      state.promises = [{ ...promise, chatId: chat.id, status: 'pending', paidAmount: 0 }, ...state.promises];
    const d = state.debtor;
    if ((outcome === 'promise' || outcome === 'paid') && !['paid', 'legal'].includes(d.collectionStatus))
      d.collectionStatus = outcome;
    renderPanel();
  }

  function promiseDialog() {
    const chat = state.selected;
    const d = state.debtor;
    if (!chat || !d) return;
    const mayClose = can.update && chat.status !== 'closed' && (chat.agentId === me.id || !isAgent);
    formDialog('Registrar promesa de pago', [
      h('p', {}, `${d.fullName} · deuda ${formatMoney(d.debtAmount, d.currency)}`),
      field('Monto prometido', h('input', { name: 'amount', type: 'number', min: '1', step: 'any', required: true, inputmode: 'decimal' })),
      field('Fecha de pago', h('input', { name: 'dueDate', type: 'date', min: today(), value: today(7), required: true })),
      mayClose ? h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'close', checked: true }),
        ' Cerrar el chat con resultado «Promesa de pago»') : null,
    ], 'Registrar', async (v) => {
      const promise = { amount: Number(v.amount), dueDate: v.dueDate };
      if (v.close) {
        // The close records the promise itself: one promise, not two.
        await post(`/chats/${chat.id}/close`, { outcome: 'promise', promise });
        toast('Promesa registrada y chat cerrado', 'ok');
        await afterClose(chat, 'promise', promise);
      } else {
        await post(`/debtors/${d.id}/promises`, { ...promise, chatId: chat.id });
        toast('Promesa registrada', 'ok');
        await loadDebtor();
      }
    });
  }

  function closeDialog() {
    const chat = state.selected;
    if (!chat) return;
    const amount = h('input', { name: 'amount', type: 'number', min: '1', step: 'any', inputmode: 'decimal' });
    const due = h('input', { name: 'dueDate', type: 'date', min: today(), value: today(7) });
    const already = state.promises.some((p) => p.chatId === chat.id);
    const promiseBox = h('fieldset', { class: 'promise-fields', hidden: true },
      h('legend', {}, 'Promesa'), field('Monto prometido', amount), field('Fecha de pago', due),
      already ? h('p', { class: 'hint' }, 'Ya hay una promesa registrada en este chat: cerrar con «Promesa de pago» registra otra.') : null);
    const outcome = select('outcome', [['', 'Elige el resultado…'], ...Object.entries(labels.outcome)], '', { required: true });
    const toggle = () => {
      const isPromise = outcome.value === 'promise';
      promiseBox.hidden = !isPromise;
      for (const el of [amount, due]) { el.disabled = !isPromise; el.required = isPromise; }
    };
    outcome.addEventListener('change', toggle);
    toggle();
    formDialog(`Cerrar chat con ${chatName(chat)}`, [field('Resultado de la gestión', outcome), promiseBox], 'Cerrar chat', async (v) => {
      const body = { outcome: v.outcome };
      if (v.outcome === 'promise') body.promise = { amount: Number(v.amount), dueDate: v.dueDate };
      await post(`/chats/${chat.id}/close`, body);
      toast('Chat cerrado', 'ok');
      await afterClose(chat, v.outcome, body.promise);
    });
  }

  function moveDialog(kind) {
    const chat = state.selected;
    if (!chat) return;
    moveChatDialog(chat, kind, async () => {
      toast(kind === 'transfer' ? 'Chat transferido' : 'Chat asignado', 'ok');
      if (isAgent) {
        dropChat(chat.id);
        if (state.selected && state.selected.id === chat.id) clearSelection();
      } else {
        await refreshSelected(chat.id);
        scheduleReload();
      }
    });
  }

  function taskDialog() {
    const chat = state.selected;
    if (!chat) return;
    const assignee = !isAgent
      ? field('Responsable', select('assigneeId', [[me.id, 'Yo'], ...[...state.users.values()].map((u) => [u.id, u.fullName])], chat.agentId || me.id))
      : null;
    formDialog('Crear tarea de seguimiento', [
      field('Título', h('input', { name: 'title', required: true, maxlength: '200', value: `Seguimiento: ${chatName(chat)}` })),
      field('Vence', h('input', { name: 'dueAt', type: 'datetime-local', required: true, value: inAnHour() })),
      field('Notas', h('textarea', { name: 'notes', rows: '3', maxlength: '4000' })),
      assignee,
    ], 'Crear tarea', async (v) => {
      const body = { title: v.title.trim(), dueAt: new Date(v.dueAt).toISOString(), chatId: chat.id };
      if (v.notes.trim()) body.notes = v.notes.trim();
      if (chat.debtorId) body.debtorId = chat.debtorId;
      if (v.assigneeId) body.assigneeId = v.assigneeId;
      await post('/tasks', body);
      toast('Tarea creada', 'ok');
    });
  }

  return { renderPanel, loadDebtor };
}
