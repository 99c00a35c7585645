// Bot flows: list, create, edit (JSON definition in a code editor), validate and delete.
// The server validates on save too; both answers list problems as {node, field, message}.
import { del, get, patch, post, session } from '../../api.js';
import { attempt, field, formatDateTime, h, mount, table, toast } from '../../dom.js';
import { confirmAction, failed, loadAll, problem, screen } from './common.js';

const nodeTypes = 'message, menu, input, condition, action, wait, transfer, end';
const starter = {
  start: 'saludo',
  nodes: [
    { id: 'saludo', type: 'message', text: 'Hola {{clientName}}, le escribimos por su saldo pendiente de ${{debtAmountText}}.', next: 'asesor' },
    { id: 'asesor', type: 'transfer' },
  ],
};

/** "Unexpected token } in JSON at position 120" -> the line and column of position 120. */
function jsonProblem(text, e) {
  const m = /position (\d+)/.exec(e.message) || [];
  const lineCol = /line (\d+) column (\d+)/.exec(e.message);
  if (lineCol) return `JSON no válido en la línea ${lineCol[1]}, columna ${lineCol[2]}: ${e.message}`;
  if (m[1] === undefined) return `JSON no válido: ${e.message}`;
  const before = text.slice(0, Number(m[1])).split('\n');
  return `JSON no válido en la línea ${before.length}, columna ${before[before.length - 1].length + 1}: ${e.message}`;
}

export async function flowsView(main) {
  let flows = [];
  let current = null; // the flow being edited; null: a new one
  let dirty = false;
  const list = h('div', {}, h('p', { class: 'loading' }, 'Cargando…'));
  const editor = h('div', {});
  const canEdit = session.can('bot:update');

  async function reload() {
    try {
      flows = await loadAll('/bot-flows');
      mount(list, renderList());
    } catch (e) {
      mount(list, failed(e, reload));
    }
  }

  async function leaveEdits() {
    return !dirty || confirmAction('Cambios sin guardar', 'El flujo tiene cambios sin guardar. ¿Descartarlos?', 'Descartar');
  }

  function renderList() {
    const columns = [
      ['Nombre', (f) => h('div', {}, h('strong', {}, f.name), ' ', f.isDefault ? h('span', { class: 'pill' }, 'predeterminado') : null,
        f.description ? h('div', { class: 'muted small-text' }, f.description) : null)],
      ['Nodos', (f) => String((f.definition?.nodes || []).length)],
      ['Actualizado', (f) => formatDateTime(f.updatedAt)],
      ['Acciones', (f) => h('div', { class: 'row' },
        h('button', { type: 'button', class: 'small', onclick: () => open(f) }, canEdit ? 'Editar' : 'Ver'),
        !f.isDefault && session.can('bot:delete')
          ? h('button', { type: 'button', class: 'small danger', onclick: () => remove(f) }, 'Eliminar') : null)],
    ];
    return h('div', { class: 'table-wrap' }, table(columns, flows, {
      empty: 'No hay flujos.',
      rowAttrs: (f) => ({ class: current && current.id === f.id ? 'selected' : null }),
    }));
  }

  /** The problems table (or a single message) in the editor's result region. */
  function showProblems(region, errors, headline) {
    mount(region, h('p', { class: errors.length ? 'error' : 'ok-text' }, headline),
      errors.length ? table([
        ['Nodo', (x) => x.node || '—'], ['Campo', (x) => x.field || '—'], ['Problema', (x) => x.message],
      ], errors) : null);
  }

  async function open(flow) {
    if (!(await leaveEdits())) return;
    current = flow;
    dirty = false;
    renderEditor();
    mount(list, renderList());
  }

  function renderEditor() {
    const f = current;
    const readOnly = f ? !canEdit : !session.can('bot:create');
    const name = h('input', { name: 'name', required: true, maxlength: '100', value: f?.name ?? '', readonly: readOnly });
    const description = h('input', { name: 'description', maxlength: '1000', value: f?.description ?? '', readonly: readOnly });
    const code = h('textarea', { name: 'definition', class: 'code', spellcheck: 'false', readonly: readOnly, autocomplete: 'off' },
      JSON.stringify(f ? f.definition : starter, null, 2));
    const result = h('div', { class: 'result', role: 'alert' });
    for (const el of [name, description, code]) el.addEventListener('input', () => { dirty = true; });

    /** The definition parsed, or null after showing where the JSON is broken. */
    function definition() {
      try {
        const d = JSON.parse(code.value);
        if (!d || typeof d !== 'object' || Array.isArray(d)) throw new SyntaxError('la definición debe ser un objeto {start, nodes}');
        return d;
      } catch (e) {
        showProblems(result, [], jsonProblem(code.value, e));
        code.focus();
        return null;
      }
    }

    async function validate() {
      const d = definition();
      if (!d) return;
      try {
        const r = await post('/bot-flows/validate', { definition: d });
        const errors = r.errors || [];
        showProblems(result, errors, r.valid ? 'El flujo es válido.' : `El flujo tiene ${errors.length} problema(s):`);
      } catch (e) {
        showProblems(result, (e.details && e.details.errors) || [], problem(e));
      }
    }

    function format() {
      const d = definition();
      if (d) code.value = JSON.stringify(d, null, 2);
    }

    async function save(ev) {
      ev.preventDefault();
      const d = definition();
      if (!d) return;
      const body = { name: name.value.trim(), description: description.value.trim(), definition: d };
      try {
        const saved = f ? await patch(`/bot-flows/${f.id}`, body) : await post('/bot-flows', body);
        current = saved;
        dirty = false;
        toast(`Flujo «${saved.name}» guardado`, 'ok');
        await reload();
        renderEditor();
      } catch (e) {
        const errors = (e.details && e.details.errors) || [];
        showProblems(result, errors, errors.length ? `No se guardó: el flujo tiene ${errors.length} problema(s):` : problem(e, { name: 'Nombre', definition: 'Definición' }));
        if (e.details && e.details.field === 'name') name.focus();
      }
    }

    const form = h('form', { class: 'card', 'aria-labelledby': 'flow-editor-title' },
      h('h2', { id: 'flow-editor-title' }, f ? `${readOnly ? 'Flujo' : 'Editar flujo'}: ${f.name}` : 'Nuevo flujo'),
      h('div', { class: 'grid tight' }, field('Nombre', name), field('Descripción', description)),
      field('Definición (JSON)', code,
        `Objeto {start, nodes: [...]}. Tipos de nodo: ${nodeTypes}. Variables: {{clientName}}, {{debtAmount}}, {{debtAmountText}}, {{daysOverdue}}, {{priority}}, {{documentNumber}} y las capturadas.`),
      h('div', { class: 'row' },
        h('button', { type: 'button', onclick: validate }, 'Validar'),
        h('button', { type: 'button', onclick: format, disabled: readOnly }, 'Formatear'),
        h('span', { class: 'spacer' }),
        h('button', { type: 'button', onclick: async () => { if (await leaveEdits()) { current = null; dirty = false; mount(editor); mount(list, renderList()); } } }, 'Cerrar'),
        readOnly ? null : h('button', { type: 'submit', class: 'primary' }, 'Guardar')),
      result);
    form.addEventListener('submit', save);
    // Tab inserts two spaces in the editor; Escape then Tab leaves it (keyboard users are not trapped).
    let escaped = false;
    code.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') { escaped = true; return; }
      if (ev.key === 'Tab' && !ev.shiftKey && !escaped && !readOnly) {
        ev.preventDefault();
        code.setRangeText('  ', code.selectionStart, code.selectionEnd, 'end');
        dirty = true;
      }
      escaped = false;
    });
    mount(editor, form);
    name.focus();
  }

  async function remove(f) {
    if (!(await confirmAction('Eliminar flujo', `¿Eliminar «${f.name}»? No es posible si una campaña lo usa.`, 'Eliminar'))) return;
    const ok = await attempt(() => del(`/bot-flows/${f.id}`), 'Flujo eliminado');
    if (ok !== undefined && current && current.id === f.id) { current = null; dirty = false; mount(editor); }
    await reload();
  }

  async function createNew() {
    if (!(await leaveEdits())) return;
    current = null;
    dirty = false;
    renderEditor();
    mount(list, renderList());
  }

  const tools = session.can('bot:create')
    ? h('button', { type: 'button', class: 'primary', onclick: createNew }, 'Nuevo flujo') : null;
  screen(main, 'Flujos del bot', tools, h('div', { class: 'flows' }, h('div', { class: 'card' }, list), editor));
  await reload();
  // Leaving the screen drops unsaved edits; the browser asks on reload or close.
  const warn = (ev) => { if (dirty) { ev.preventDefault(); ev.returnValue = ''; } };
  window.addEventListener('beforeunload', warn);
  return () => window.removeEventListener('beforeunload', warn);
}
