// Small DOM and formatting helpers shared by every screen (no framework).

/**
 * h('button', {class: 'primary', onclick: fn, 'aria-label': 'Cerrar'}, 'Texto', child...)
 * Attributes starting with "on" become listeners; null/false children are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's content. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let fieldIds = 0;
/** A labelled form field: the label is tied to the control for screen readers. */
export function field(label, control, hint) {
  const id = control.id || `f${++fieldIds}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control,
    hint ? h('small', { class: 'hint' }, hint) : null);
}

/** <select> with [value, label] options and the current value chosen. */
export function select(name, options, current, attrs = {}) {
  return h('select', { name, ...attrs },
    options.map(([value, label]) => h('option', { value, selected: String(value) === String(current ?? '') }, label)));
}

/** Reads a form's named controls into an object (numbers stay strings: callers convert). */
export function formData(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else out[el.name] = el.value;
  }
  return out;
}

const money = new Intl.NumberFormat('es-CO', { style: 'currency', currency: 'COP', maximumFractionDigits: 0 });
export function formatMoney(amount, currency = 'COP') {
  if (amount === null || amount === undefined || amount === '') return '—';
  if (currency && currency !== 'COP')
    return new Intl.NumberFormat('es-CO', { style: 'currency', currency }).format(Number(amount));
  return money.format(Number(amount));
}

const dateTime = new Intl.DateTimeFormat('es-CO', { dateStyle: 'short', timeStyle: 'short', timeZone: 'America/Bogota' });
const timeOnly = new Intl.DateTimeFormat('es-CO', { timeStyle: 'short', timeZone: 'America/Bogota' });
export function formatDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : '—';
}
export function formatTime(iso) {
  return iso ? timeOnly.format(new Date(iso)) : '';
}

/** "3 min", "2 h 5 min", "1 d 4 h" since (or between) ISO times. */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const hrs = Math.floor(m / 60);
  if (hrs < 24) return `${hrs} h ${m % 60} min`;
  return `${Math.floor(hrs / 24)} d ${hrs % 24} h`;
}
export function since(iso) {
  return iso ? formatDuration((Date.now() - new Date(iso).getTime()) / 1000) : '—';
}

/** Today's date in Bogotá as YYYY-MM-DD (the server's business calendar). */
export function today(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Bogota' }).format(d);
}

export const labels = {
  status: { available: 'Disponible', busy: 'Ocupado', break: 'En pausa', offline: 'Desconectado' },
  chat: { bot: 'Bot', queued: 'En cola', assigned: 'Asignado', closed: 'Cerrado' },
  outcome: {
    promise: 'Promesa de pago', paid: 'Pagó', refused: 'Se niega', wrong_number: 'Número equivocado',
    unreachable: 'No localizable', call_back: 'Volver a llamar',
  },
  collection: {
    pending: 'Pendiente', contacted: 'Contactado', promise: 'Promesa', paid: 'Pagado',
    legal: 'Jurídico', unlocatable: 'Inubicable',
  },
  promise: { pending: 'Pendiente', kept: 'Cumplida', broken: 'Incumplida', partially_kept: 'Cumplida parcialmente' },
  message: { pending: 'Enviando', sent: 'Enviado', delivered: 'Entregado', read: 'Leído', failed: 'Falló', received: 'Recibido' },
};

/** A short notice at the top of the screen (role=status so screen readers announce it). */
export function toast(text, kind = 'info') {
  let box = document.getElementById('toasts');
  if (!box) {
    box = h('div', { id: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  const t = h('div', { class: `toast ${kind}` }, text);
  box.append(t);
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 4000);
}

/** The message of an ApiError, with the fields it names. */
export function errorText(e) {
  const fields = e && e.details && Object.keys(e.details).length
    ? ` (${Object.entries(e.details).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('; ')})`
    : '';
  return `${(e && e.message) || e}${fields}`;
}

/** Runs an async action, showing its error as a toast; returns its result or undefined. */
export async function attempt(fn, okText) {
  try {
    const r = await fn();
    if (okText) toast(okText, 'ok');
    return r;
  } catch (e) {
    toast(errorText(e), 'error');
    return undefined;
  }
}

/** A modal dialog built on <dialog> (focus trapped and Escape handled by the browser). */
export function dialog(title, body, actions) {
  const d = h('dialog', { class: 'modal', 'aria-label': title },
    h('h2', {}, title), body,
    h('div', { class: 'actions' }, actions || []));
  document.body.append(d);
  d.addEventListener('close', () => d.remove());
  d.showModal();
  return d;
}

/** A simple table: columns are [header, row => cell]. */
export function table(columns, rows, { empty = 'Sin datos', rowAttrs } = {}) {
  if (!rows || !rows.length) return h('p', { class: 'empty' }, empty);
  return h('table', {},
    h('thead', {}, h('tr', {}, columns.map(([title]) => h('th', { scope: 'col' }, title)))),
    h('tbody', {}, rows.map((r) => h('tr', rowAttrs ? rowAttrs(r) : {}, columns.map(([, cell]) => h('td', {}, cell(r)))))));
}
