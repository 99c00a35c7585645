// A campaign's outbound runs: template sends over a portfolio segment, paced by the server
// and checked against the contact rules (Ley 2300 de 2023) target by target.
import { get, post, session } from '../../api.js';
import { attempt, field, formatDateTime, formatMoney, h, labels, mount, table, toast } from '../../dom.js';
import { checkGroup, checkedValues, confirmAction, failed, formDialog, intOf, numOf, splitList } from './common.js';

const runStates = { running: ['En curso', 'state-ok'], finished: ['Terminado', 'state-off'], cancelled: ['Cancelado', 'state-bad'] };
const skipReasons = {
  window: 'fuera de horario', per_day: 'ya contactado hoy', channel_week: 'otro canal esta semana',
  opted_out: 'pidió no ser contactado', no_consent: 'sin autorización', channel_not_authorized: 'WhatsApp no autorizado',
  no_phone: 'sin teléfono', reference: 'referencia personal', erased: 'datos suprimidos', not_found: 'no encontrado', error: 'error',
};
const names = {
  template: 'Plantilla', templateComponents: 'Componentes', perMinute: 'Envíos por minuto', 'filters.minDaysOverdue': 'Días de mora desde',
  'filters.maxDaysOverdue': 'Días de mora hasta', 'filters.minAmount': 'Monto desde', 'filters.maxAmount': 'Monto hasta',
  'filters.priority': 'Prioridad', 'filters.status': 'Estado de cobro', 'filters.tags': 'Etiquetas',
};

function filterSummary(f = {}) {
  const parts = [];
  const list = (v) => (Array.isArray(v) ? v : [v]);
  if (f.priority) parts.push(`prioridad ${list(f.priority).join('/')}`);
  if (f.minDaysOverdue !== undefined || f.maxDaysOverdue !== undefined)
    parts.push(`mora ${f.minDaysOverdue ?? 0}–${f.maxDaysOverdue ?? '∞'} días`);
  if (f.minAmount !== undefined || f.maxAmount !== undefined)
    parts.push(`monto ${f.minAmount !== undefined ? formatMoney(f.minAmount) : '0'}–${f.maxAmount !== undefined ? formatMoney(f.maxAmount) : '∞'}`);
  if (f.status) parts.push(`estado ${list(f.status).map((s) => labels.collection[s] || s).join('/')}`);
  if (f.tags) parts.push(`etiquetas ${list(f.tags).join(', ')}`);
  return parts.join(' · ') || 'Toda la cartera';
}

function skipped(run) {
  const by = Object.entries(run.skippedBy || {});
  if (!run.skipped || !by.length) return String(run.skipped ?? 0);
  return h('details', {}, h('summary', {}, String(run.skipped)),
    h('ul', { class: 'plain' }, by.map(([k, n]) => h('li', {}, `${skipReasons[k] || k}: ${n}`))));
}

/** Renders the runs of `campaign` into `container`; returns a cleanup (stops polling). */
export function outboundPanel(campaign, container, onClose) {
  let timer = null;
  let stopped = false; // the panel was closed: an answer in flight must not re-arm the poll
  let runs = [];
  const list = h('div', {}, h('p', { class: 'loading' }, 'Cargando envíos…'));
  const canRun = session.can('campaigns:update');

  async function reload() {
    try {
      const r = await get(`/campaigns/${campaign.id}/outbound`);
      runs = r.items || [];
      mount(list, render());
      // Running sends change every few seconds: poll only while one is running.
      clearTimeout(timer);
      if (!stopped && runs.some((x) => x.status === 'running')) timer = setTimeout(reload, 10000);
    } catch (e) {
      mount(list, failed(e, reload));
    }
  }

  async function cancel(run) {
    if (!(await confirmAction('Cancelar envío', `Se detienen los ${run.waiting} envíos pendientes. Los ya enviados no se deshacen.`, 'Cancelar envío'))) return;
    await attempt(() => post(`/outbound/${run.id}/cancel`), 'Envío cancelado');
    await reload();
  }

  // One run re-read on its own (GET /outbound/{id}), without reloading the others.
  async function refreshOne(run) {
    const fresh = await attempt(() => get(`/outbound/${run.id}`));
    if (!fresh) return;
    runs = runs.map((x) => (x.id === fresh.id ? fresh : x));
    mount(list, render());
  }

  function render() {
    const columns = [
      ['Inicio', (r) => formatDateTime(r.startedAt)],
      ['Estado', (r) => { const [t, c] = runStates[r.status] || [r.status, 'state-off']; return h('span', { class: `pill ${c}` }, t); }],
      ['Plantilla', (r) => `${r.template?.name ?? '—'} (${r.template?.language ?? ''})`],
      ['Segmento', (r) => filterSummary(r.filters)],
      ['Total', (r) => r.total],
      ['Enviados', (r) => r.sent],
      ['En espera', (r) => r.waiting],
      ['Omitidos', skipped],
      ['Por minuto', (r) => r.perMinute],
      ['Fin', (r) => formatDateTime(r.finishedAt)],
      ['Acciones', (r) => h('div', { class: 'row' },
        h('button', { type: 'button', class: 'small', onclick: () => refreshOne(r) }, 'Actualizar'),
        r.status === 'running' && canRun
          ? h('button', { type: 'button', class: 'small danger', onclick: () => cancel(r) }, 'Cancelar') : null)],
    ];
    return h('div', { class: 'table-wrap' }, table(columns, runs, { empty: 'Esta campaña no tiene envíos.' }));
  }

  function startForm() {
    const num = (name, label, attrs = {}) => field(label, h('input', { name, type: 'number', min: '0', step: '1', ...attrs }));
    return h('div', {},
      h('p', { class: 'hint' }, 'Solo se envía dentro de las franjas de contacto de la campaña y la ley, como máximo un ',
        'contacto por deudor al día. Los deudores que no lo permitan (sin autorización, referencias, ',
        'ya contactados) se omiten y se cuentan aparte.'),
      h('fieldset', {}, h('legend', {}, 'Plantilla aprobada de WhatsApp'),
        field('Nombre de la plantilla', h('input', { name: 'templateName', required: true, autocomplete: 'off' }),
          'El nombre exacto con que Meta aprobó la plantilla.'),
        field('Idioma', h('input', { name: 'templateLanguage', required: true, value: 'es', maxlength: '10' }), 'Código de idioma, p. ej. es o es_CO.'),
        field('Componentes (JSON, opcional)', h('textarea', { name: 'templateComponents', class: 'code short', rows: '4',
          placeholder: '[{"type": "body", "parameters": [{"type": "text", "text": "{{clientName}}"}]}]' }))),
      h('fieldset', {}, h('legend', {}, 'Segmento de la cartera'),
        checkGroup('Prioridad', 'priority', ['URGENTE', 'ALTA', 'MEDIA', 'BAJA'].map((p) => [p, p])),
        h('div', { class: 'grid tight' },
          num('filters.minDaysOverdue', 'Días de mora desde'), num('filters.maxDaysOverdue', 'Días de mora hasta'),
          num('filters.minAmount', 'Monto desde (COP)', { step: 'any' }), num('filters.maxAmount', 'Monto hasta (COP)', { step: 'any' })),
        checkGroup('Estado de cobro', 'status', Object.entries(labels.collection)),
        field('Etiquetas', h('input', { name: 'filters.tags' }), 'Separadas por comas: basta con que el deudor tenga una.')),
      field('Envíos por minuto', h('input', { name: 'perMinute', type: 'number', min: '1', max: '1000', value: '20', required: true })));
  }

  function bodyOf(form) {
    const el = (k) => form.elements.namedItem(k);
    const template = { name: el('templateName').value.trim(), language: el('templateLanguage').value.trim() };
    const comps = el('templateComponents').value.trim();
    if (comps) {
      try { template.components = JSON.parse(comps); } catch (e) {
        throw Object.assign(new Error(`los componentes no son JSON válido (${e.message})`), { code: 'invalid_input', details: { field: 'templateComponents' } });
      }
    }
    const filters = {};
    const priority = checkedValues(form, 'priority');
    if (priority.length) filters.priority = priority;
    const status = checkedValues(form, 'status');
    if (status.length) filters.status = status;
    const tags = splitList(el('filters.tags').value);
    if (tags.length) filters.tags = tags;
    for (const k of ['minDaysOverdue', 'maxDaysOverdue', 'minAmount', 'maxAmount']) {
      const v = numOf(el(`filters.${k}`).value);
      if (v !== undefined) filters[k] = v;
    }
    return { template, filters, perMinute: intOf(el('perMinute').value) };
  }

  function start() {
    formDialog(`Nuevo envío: ${campaign.name}`, startForm(), 'Iniciar envío', async (form) => {
      const body = bodyOf(form);
      if (!(await confirmAction('Confirmar envío', `Se enviará la plantilla «${body.template.name}» a: ${filterSummary(body.filters)}.`, 'Iniciar')))
        return false; // back to the form, nothing sent
      const run = await post(`/campaigns/${campaign.id}/outbound`, body);
      toast(run.total ? `Envío iniciado: ${run.total} deudores seleccionados` : 'Ningún deudor cumple los filtros: el envío terminó sin enviar', run.total ? 'ok' : 'warn');
      await reload();
    }, { names, wide: true });
  }

  mount(container, h('section', { class: 'card outbound', 'aria-labelledby': `ob-${campaign.id}` },
    h('div', { class: 'row' },
      h('h2', { id: `ob-${campaign.id}` }, `Envíos masivos: ${campaign.name}`), h('span', { class: 'spacer' }),
      canRun && campaign.isActive ? h('button', { type: 'button', class: 'primary', onclick: start }, 'Nuevo envío') : null,
      canRun && !campaign.isActive ? h('span', { class: 'muted' }, 'Activa la campaña para enviar.') : null,
      h('button', { type: 'button', onclick: () => reload() }, 'Actualizar'),
      h('button', { type: 'button', onclick: onClose }, 'Cerrar')),
    list));
  reload();
  container.scrollIntoView({ block: 'nearest' });
  return () => { stopped = true; clearTimeout(timer); };
}
