// Debtors: a searchable list, CSV import with a per-row error report, and CSV export
// (fetched with the token, then saved from memory: a plain link could not send it).
import { api, get, query, session } from '../../api.js';
import { field, formatMoney, h, labels, mount, select, table, today, toast } from '../../dom.js';
import { download, failed, pager, problem, screen } from './common.js';

const maxBytes = 32 * 1024 * 1024; // the server's limit for an import body
const columns = 'fullName, documentType, documentNumber, phone, email, debtAmount, currency, dueDate, daysOverdue, tags';
const priorities = ['URGENTE', 'ALTA', 'MEDIA', 'BAJA'];

export async function importView(main) {
  const filters = { q: '', status: '', priority: '', tag: '', page: 1, limit: 50 };
  const list = h('div', {}, h('p', { class: 'loading' }, 'Cargando…'));

  async function reload() {
    list.setAttribute('aria-busy', 'true');
    try {
      const r = await get('/debtors' + query(filters));
      mount(list, renderList(r));
    } catch (e) {
      mount(list, failed(e, reload));
    } finally {
      list.removeAttribute('aria-busy');
    }
  }

  function renderList(r) {
    const cols = [
      ['Nombre', (d) => h('span', {}, d.fullName, d.optedOut ? [' ', h('span', { class: 'pill state-bad', title: 'Pidió no ser contactado' }, 'No contactar')] : null)],
      ['Documento', (d) => `${d.documentType} ${d.documentNumber}`],
      ['Teléfonos', (d) => (d.phones || []).join(', ') || '—'],
      ['Deuda', (d) => formatMoney(d.debtAmount, d.currency)],
      ['Días de mora', (d) => String(d.daysOverdue ?? '—')],
      ['Prioridad', (d) => h('span', { class: `pill prio-${d.priority}` }, d.priority)],
      ['Estado', (d) => labels.collection[d.collectionStatus] || d.collectionStatus],
      ['Etiquetas', (d) => (d.tags || []).join(', ') || '—'],
    ];
    return h('div', {},
      h('div', { class: 'table-wrap' }, table(cols, r.items, { empty: 'Ningún deudor coincide con la búsqueda.' })),
      pager(r, (p) => { filters.page = p; reload(); }));
  }

  function searchBar() {
    const q = h('input', { name: 'q', type: 'search', value: filters.q, maxlength: '200', placeholder: 'Nombre o número de documento' });
    const status = select('status', [['', 'Todos'], ...Object.entries(labels.collection)], filters.status);
    const priority = select('priority', [['', 'Todas'], ...priorities.map((p) => [p, p])], filters.priority);
    const tag = h('input', { name: 'tag', value: filters.tag, maxlength: '200' });
    const form = h('form', { class: 'row filters', role: 'search', 'aria-label': 'Buscar deudores' },
      field('Buscar', q), field('Estado de cobro', status), field('Prioridad', priority), field('Etiqueta', tag),
      h('button', { type: 'submit' }, 'Buscar'),
      session.can('debtors:read') ? h('button', { type: 'button', onclick: exportCsv }, 'Exportar CSV') : null);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      Object.assign(filters, { q: q.value.trim(), status: status.value, priority: priority.value, tag: tag.value.trim(), page: 1 });
      reload();
    });
    return form;
  }

  /** The same filters as the list, as a CSV file. */
  async function exportCsv(ev) {
    const button = ev.currentTarget;
    button.disabled = true;
    try {
      const { page, limit, ...f } = filters;
      const res = await api('GET', '/debtors/export' + query(f), undefined, { raw: true });
      download(await res.blob(), `deudores-${today()}.csv`);
      toast('Exportación lista', 'ok');
    } catch (e) {
      toast(problem(e), 'error');
    } finally {
      button.disabled = false;
    }
  }

  function importCard() {
    const file = h('input', { name: 'file', type: 'file', accept: '.csv,text/csv', required: true });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Importar');
    const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
    const report = h('div', { role: 'region', 'aria-label': 'Resultado de la importación', tabindex: '-1' });
    const form = h('form', { class: 'card', 'aria-labelledby': 'import-title' },
      h('h2', { id: 'import-title' }, 'Importar deudores (CSV)'),
      h('p', { class: 'hint' }, 'Archivo UTF-8 con fila de encabezado; columnas por nombre, en cualquier orden: ',
        h('code', {}, columns), '. Obligatorias: fullName, documentNumber y phone. Las etiquetas se separan con | . ',
        'Un deudor que ya existe (mismo documento) se actualiza.'),
      field('Archivo CSV', file), submit, status, report);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = file.files[0];
      if (!f) return;
      mount(report);
      if (f.size > maxBytes) {
        mount(report, h('p', { class: 'error', role: 'alert' }, 'El archivo supera 32 MB: divídelo en partes.'));
        return;
      }
      submit.disabled = true;
      status.textContent = `Importando ${f.name}…`;
      try {
        const r = await api('POST', '/debtors/import', f, { headers: { 'Content-Type': 'text/csv' } });
        status.textContent = '';
        mount(report, renderReport(r));
        report.focus();
        filters.page = 1;
        reload();
      } catch (e) {
        status.textContent = '';
        const where = e.details && e.details.line ? ` (línea ${e.details.line})` : '';
        mount(report, h('p', { class: 'error', role: 'alert' }, `No se importó nada${where}. ${problem(e)}`));
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  function renderReport(r) {
    const errors = r.errors || [];
    const kpi = (value, label) => h('div', { class: 'kpi' }, h('div', { class: 'value' }, String(value ?? 0)), h('div', { class: 'label' }, label));
    return h('div', {},
      h('div', { class: 'kpis' }, kpi(r.imported, 'Nuevos'), kpi(r.updated, 'Actualizados'), kpi(r.failed, 'Con errores')),
      errors.length ? h('div', {},
        h('h3', {}, 'Filas con errores (no se importaron)'),
        errors.length < (r.failed || 0) ? h('p', { class: 'muted' }, `Se muestran las primeras ${errors.length} de ${r.failed}.`) : null,
        h('div', { class: 'table-wrap' }, table([
          ['Fila', (x) => String(x.row)], ['Campo', (x) => x.field], ['Problema', (x) => x.message],
        ], errors))) : h('p', {}, 'Todas las filas se importaron.'));
  }

  screen(main, 'Deudores', null,
    session.can('debtors:create') ? importCard() : null,
    h('section', { class: 'card', 'aria-labelledby': 'debtors-title' },
      h('h2', { id: 'debtors-title' }, 'Cartera'), searchBar(), list));
  await reload();
}
