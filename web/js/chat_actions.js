// What the workspace and the dashboard both do to a chat: name it, explain the server's
// refusals in Spanish, and move it (assign, reassign, transfer, back to the queue).
import { get, post } from './api.js';
import { h, field, select, formData, labels, errorText, dialog } from './dom.js';

/** The name a chat goes by: the debtor's, else what WhatsApp says, else the phone. */
export function chatName(c) {
  return (c && (c.debtorName || c.contactName || c.debtorPhone)) || 'Sin nombre';
}

/** Server errors of chat actions, in Spanish. */
export function actionError(e) {
  if (!e || !e.status) return errorText(e);
  if (e.code === 'outside_service_window')
    return 'La ventana de 24 horas está cerrada: solo puedes enviar una plantilla aprobada.';
  if (e.code === 'forbidden_question')
    return `La ley prohíbe preguntar al deudor por qué no ha pagado${e.details && e.details.phrase ? ` («${e.details.phrase}»)` : ''}: ofrece alternativas de pago.`;
  if (e.code === 'outside_contact_window') return `Fuera del horario legal de contacto: ${e.message}`;
  if (e.code === 'no_capacity') return 'El gestor está desconectado o no tiene cupo libre.';
  if (e.status === 404) return 'El chat ya no está abierto o no está asignado a ti.';
  if (e.status === 403) return 'Tu rol no permite esta acción.';
  if (e.status === 409) return `Conflicto: ${e.message}`;
  if (e.status === 422) return `Regla incumplida: ${e.message}`;
  if (e.status === 503) return 'El servidor no está disponible; inténtalo de nuevo en un momento.';
  return errorText(e);
}

let seq = 0;
/** A dialog holding a form: errors stay inside it, it closes once onSubmit succeeds. */
export function formDialog(title, body, submitLabel, onSubmit) {
  const id = `dlg-form-${++seq}`;
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { id }, body, error);
  const submit = h('button', { type: 'submit', form: id, class: 'primary' }, submitLabel);
  const cancel = h('button', { type: 'button', onclick: () => d.close() }, 'Cancelar');
  const d = dialog(title, form, [cancel, submit]);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      await onSubmit(formData(form), form);
      d.close();
    } catch (e) {
      error.textContent = actionError(e);
    } finally {
      submit.disabled = false;
    }
  });
  const first = form.querySelector('input, select, textarea');
  if (first) first.focus();
  return d;
}

/** The active agents, with their status and load as the server has them now. */
export async function listAgents() {
  const res = await get('/users?role=agent&active=true&limit=200');
  return res.items || [];
}

/**
 * kind 'transfer': to another agent or back to the queue, with a reason (required);
 * kind 'assign': to one agent (a queued chat, or a supervisor's reassignment).
 */
export async function moveChatDialog(chat, kind, onDone) {
  let agents = [];
  try { agents = await listAgents(); } catch { /* the list stays empty: the queue remains */ }
  const others = agents.filter((u) => u.id !== chat.agentId);
  const options = others.map((u) => [u.id,
    `${u.fullName} · ${labels.status[u.status] || u.status} · ${u.currentChats ?? 0}/${u.maxConcurrentChats ?? '?'}`]);
  const agentSelect = kind === 'transfer'
    ? select('agentId', [['', 'Devolver a la cola'], ...options], '')
    : select('agentId', [['', 'Elige un gestor…'], ...options], '', { required: true });
  const reason = h('textarea', { name: 'reason', rows: '2', maxlength: '500', required: kind === 'transfer' });
  const title = kind === 'transfer' ? 'Transferir chat' : chat.status === 'queued' ? 'Asignar chat' : 'Reasignar chat';
  return formDialog(`${title}: ${chatName(chat)}`, [
    field(kind === 'transfer' ? 'Transferir a' : 'Gestor', agentSelect,
      'Solo aceptan chats los gestores disponibles con cupo libre.'),
    field(kind === 'transfer' ? 'Motivo' : 'Motivo (opcional)', reason),
  ], kind === 'transfer' ? 'Transferir' : 'Asignar', async (v) => {
    const body = { agentId: v.agentId || null };
    if (v.reason.trim()) body.reason = v.reason.trim();
    await post(`/chats/${chat.id}/${kind}`, body);
    if (onDone) await onDone(body);
  });
}
