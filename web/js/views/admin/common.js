// Helpers shared by the administration screens: page frame, Spanish error text, form
// dialogs with inline errors, confirmations, pagination, checkbox groups, downloads.
import { get, query } from '../../api.js';
import { dialog, h, mount } from '../../dom.js';

/** Spanish headline for the API's error codes (the server's message follows it). */
const codeText = {
  invalid_input: 'Datos no válidos',
  conflict: 'Conflicto',
  forbidden: 'Tu rol no tiene permiso para esta acción',
  not_found: 'No encontrado',
  unauthenticated: 'La sesión venció; vuelve a ingresar',
  payload_too_large: 'El archivo es demasiado grande',
  too_many_attempts: 'Demasiados intentos',
  no_number: 'La campaña no tiene números de WhatsApp',
};

/** "Datos no válidos (campo: Correo): email must be an email address". */
export function problem(e, names = {}) {
  if (!e || !e.code) return `Error: ${(e && e.message) || e}`;
  const head = codeText[e.code] || (e.status >= 500 ? 'Error del servidor; intenta de nuevo' : 'Error');
  const f = e.details && (e.details.field || e.details.column);
  const where = f ? ` (campo: ${names[f] || f})` : '';
  return `${head}${where}: ${e.message}`;
}

/** Renders a screen: heading, optional toolbar buttons, then the content. */
export function screen(main, title, tools, ...content) {
  const id = `t-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return mount(main, h('section', { class: 'admin', 'aria-labelledby': id },
    h('div', { class: 'row admin-head' }, h('h1', { id }, title), h('span', { class: 'spacer' }), tools),
    content));
}

/** An inline error block with a retry button, for a screen whose first load failed. */
export function failed(e, retry) {
  return h('div', { class: 'card', role: 'alert' },
    h('p', { class: 'error' }, problem(e)),
    retry ? h('button', { type: 'button', onclick: retry }, 'Reintentar') : null);
}

/**
 * A dialog holding a form. onSubmit(form) may throw an ApiError: its text is shown inside the
 * dialog (role=alert) and the field it names gets the focus; on success the dialog closes.
 */
export function formDialog(title, body, submitLabel, onSubmit, { names = {}, wide = false } = {}) {
  const formId = `form-${Math.random().toString(36).slice(2, 9)}`;
  const error = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { id: formId, class: 'dialog-form' }, body, error);
  const submit = h('button', { type: 'submit', class: 'primary', form: formId }, submitLabel);
  const cancel = h('button', { type: 'button', onclick: () => d.close() }, 'Cancelar');
  const d = dialog(title, form, [cancel, submit]);
  if (wide) d.classList.add('wide');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    try {
      // onSubmit returns false to keep the dialog open without an error (e.g. a declined confirm).
      if ((await onSubmit(form)) !== false) d.close();
    } catch (e) {
      error.textContent = problem(e, names);
      const f = e && e.details && e.details.field;
      const control = f && form.elements.namedItem(f);
      if (control && typeof control.focus === 'function') control.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return d;
}

/** Asks before a destructive action; resolves true when confirmed. */
export function confirmAction(title, text, okLabel = 'Confirmar') {
  return new Promise((resolve) => {
    let answer = false;
    const ok = h('button', { type: 'button', class: 'danger', onclick: () => { answer = true; d.close(); } }, okLabel);
    const no = h('button', { type: 'button', onclick: () => d.close() }, 'Cancelar');
    const d = dialog(title, h('p', {}, text), [no, ok]);
    d.addEventListener('close', () => resolve(answer));
    no.focus(); // the safe choice has the focus
  });
}

/** "Anterior · Página 2 de 7 (312) · Siguiente"; go(page) reloads. */
export function pager({ page = 1, limit = 50, total = 0 }, go) {
  const pages = Math.max(1, Math.ceil(total / limit));
  return h('nav', { class: 'row pager', 'aria-label': 'Paginación' },
    h('button', { type: 'button', class: 'small', disabled: page <= 1, onclick: () => go(page - 1) }, 'Anterior'),
    h('span', { class: 'muted' }, `Página ${page} de ${pages} (${total} en total)`),
    h('button', { type: 'button', class: 'small', disabled: page >= pages, onclick: () => go(page + 1) }, 'Siguiente'));
}

/** Every item of a paged list (the API serves at most 200 a page). */
export async function loadAll(path, params = {}) {
  const items = [];
  for (let page = 1; page <= 50; page++) {
    const r = await get(path + query({ ...params, page, limit: 200 }));
    items.push(...(r.items || []));
    if (items.length >= (r.total || 0) || !(r.items || []).length) break;
  }
  return items;
}

/** A labelled group of checkboxes: options are [value, label]; read back with checkedValues(). */
export function checkGroup(legend, name, options, selected = [], { empty = 'No hay opciones.' } = {}) {
  const chosen = new Set((selected || []).map(String));
  return h('fieldset', { class: 'checks', 'data-group': name },
    h('legend', {}, legend),
    options.length ? options.map(([value, label]) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', 'data-member': name, value, checked: chosen.has(String(value)) }), ' ', label))
      : h('p', { class: 'empty' }, empty));
}

export function checkedValues(root, name) {
  return [...root.querySelectorAll(`input[type=checkbox][data-member="${name}"]`)]
    .filter((c) => c.checked).map((c) => c.value);
}

/** "a, b ,c" -> ["a", "b", "c"] (also splits on new lines and |). */
export function splitList(text) {
  return [...new Set(String(text || '').split(/[,|\n]/).map((s) => s.trim()).filter(Boolean))];
}

/** An integer from an input, or undefined when left empty. */
export function intOf(value) {
  const s = String(value ?? '').trim();
  return s === '' ? undefined : Number.parseInt(s, 10);
}

/** A number from an input, or undefined when left empty. */
export function numOf(value) {
  const s = String(value ?? '').trim().replace(/\s/g, '');
  return s === '' ? undefined : Number(s);
}

/** Saves a Blob under a file name through a temporary object URL. */
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export const yesNo = (v) => (v ? 'Sí' : 'No');

/** Spanish names of the permission modules and actions. */
export const moduleLabels = {
  users: 'Usuarios', roles: 'Roles', campaigns: 'Campañas', whatsapp: 'WhatsApp', chats: 'Chats',
  messages: 'Mensajes', queue: 'Cola', bot: 'Bot', debtors: 'Deudores', tasks: 'Tareas',
  reports: 'Reportes', audit: 'Auditoría',
};
export const actionLabels = { create: 'Crear', read: 'Ver', update: 'Editar', delete: 'Eliminar' };

export const weekdays = [
  ['mon', 'Lunes'], ['tue', 'Martes'], ['wed', 'Miércoles'], ['thu', 'Jueves'],
  ['fri', 'Viernes'], ['sat', 'Sábado'], ['sun', 'Domingo'],
];
