// The dashboard's reports: period and campaign filters, agents' charts, daily trends, the
// ranking by indicator, the distribution of chats, and the agents' CSV.
import { api, get, query } from '../../api.js';
import { h, mount, field, select, formatDuration, formatMoney, today, labels, toast, table } from '../../dom.js';
import { barChart, lineChart } from '../../charts.js';
import { actionError } from '../../chat_actions.js';

const METRICS = [
  ['effectiveness', 'Efectividad'], ['tmr', 'TMR (primera respuesta)'], ['tmo', 'TMO (gestión)'],
  ['sph', 'SPH (enviados por hora)'], ['chatsClosed', 'Chats cerrados'], ['promisesMade', 'Promesas'],
  ['promisedAmount', 'Monto prometido'], ['amountRecovered', 'Monto recuperado'], ['promisesKept', 'Promesas cumplidas'],
];
const percent = (v) => `${Math.round(Number(v))} %`;
const duration = (v) => formatDuration(Number(v));

function metricValue(metric, v) {
  if (v === null || v === undefined) return 'sin dato';
  if (metric === 'tmr' || metric === 'tmo') return duration(v);
  if (metric === 'effectiveness') return percent(v * 100);
  if (metric === 'promisedAmount' || metric === 'amountRecovered') return formatMoney(v);
  if (metric === 'sph') return Number(v).toFixed(2);
  return String(v);
}

function distributionLabel(by, key) {
  if (key === 'none') return by === 'campaign' ? 'Sin campaña' : 'Sin dato';
  if (by === 'status') return labels.chat[key] || key;
  if (by === 'outcome') return labels.outcome[key] || key;
  return key;
}

/** The reports card; `isDisposed` tells late answers that the screen is gone. */
export function reportsSection({ isDisposed }) {
  const reportsBox = h('div', { class: 'charts', id: 'charts' });
  const rankingBox = h('div', { id: 'ranking' });
  const distBox = h('div', { id: 'distribution' });
  const from = h('input', { type: 'date', name: 'from', value: `${today().slice(0, 8)}01`, required: true });
  const to = h('input', { type: 'date', name: 'to', value: today(), required: true });
  const campaign = select('campaignId', [['', 'Todas']], '');
  const metric = select('metric', METRICS, 'effectiveness', { onchange: () => loadRanking() });
  const by = select('by', [['status', 'Estado'], ['priority', 'Prioridad'], ['campaign', 'Campaña'], ['outcome', 'Resultado']],
    'status', { onchange: () => loadDistribution() });
  const rangeForm = h('form', { class: 'row report-filters', 'aria-label': 'Periodo de los reportes' },
    field('Desde', from), field('Hasta', to), field('Campaña', campaign),
    h('button', { type: 'submit', class: 'primary' }, 'Actualizar'),
    h('button', { type: 'button', onclick: () => downloadCsv() }, 'Descargar CSV'));
  rangeForm.addEventListener('submit', (ev) => { ev.preventDefault(); loadReports(); });

  const el = h('section', { class: 'card reports', 'aria-labelledby': 'h-reports' },
    h('h2', { id: 'h-reports' }, 'Reportes'), rangeForm, reportsBox,
    h('div', { class: 'dash-grid' },
      h('div', {}, h('h3', {}, 'Ranking de gestores'), field('Indicador', metric), rankingBox),
      h('div', {}, h('h3', {}, 'Distribución de chats'), field('Agrupar por', by), distBox)));

  function range() {
    return { from: from.value, to: to.value, campaignId: campaign.value };
  }

  /** The campaign filter's choices. */
  function loadCampaigns() {
    get('/campaigns?limit=200').then((r) => {
      for (const c of r.items || []) campaign.append(h('option', { value: c.id }, c.name));
    }).catch(() => {});
  }

  async function loadReports() {
    if (from.value && to.value && from.value > to.value) {
      mount(reportsBox, h('p', { class: 'error', role: 'alert' }, 'La fecha «Desde» debe ser anterior a «Hasta».'));
      return;
    }
    mount(reportsBox, h('p', { class: 'loading' }, 'Calculando reportes…'));
    const [agents, trends] = await Promise.allSettled([
      get(`/reports/agents${query(range())}`), get(`/reports/trends${query(range())}`),
    ]);
    if (isDisposed()) return;
    const charts = [];
    if (agents.status === 'fulfilled') {
      const items = agents.value.items || [];
      const bars = (key, scale = 1) => items.map((a) => ({ label: a.fullName, value: a[key] === null || a[key] === undefined ? null : a[key] * scale }));
      charts.push(
        barChart('TMR: tiempo medio de primera respuesta', bars('tmrSeconds'), { format: duration, cls: 'bar-a' }),
        barChart('TMO: tiempo medio de gestión', bars('tmoSeconds'), { format: duration, cls: 'bar-b' }),
        barChart('SPH: mensajes enviados por hora conectada', bars('sph'), { format: (v) => Number(v).toFixed(1), cls: 'bar-c' }),
        barChart('Efectividad: chats con promesa o pago', bars('effectiveness', 100), { format: percent, cls: 'bar-d' }),
        barChart('Monto prometido', bars('promisedAmount'), { format: (v) => formatMoney(v), cls: 'bar-b' }));
    } else {
      charts.push(h('p', { class: 'error' }, `Reporte de gestores: ${actionError(agents.reason)}`));
    }
    if (trends.status === 'fulfilled') {
      const days = trends.value.items || [];
      charts.push(lineChart('Tendencia diaria', days.map((d) => d.day), [
        { name: 'Chats abiertos', values: days.map((d) => d.chatsOpened), cls: 's1' },
        { name: 'Mensajes recibidos', values: days.map((d) => d.messagesIn), cls: 's2' },
        { name: 'Mensajes enviados', values: days.map((d) => d.messagesOut), cls: 's3' },
      ], { format: (v) => String(Math.round(v)), integer: true }));
      charts.push(lineChart('Promesas por día', days.map((d) => d.day), [
        { name: 'Promesas', values: days.map((d) => d.promisesMade), cls: 's1' },
      ], { format: (v) => String(Math.round(v)), integer: true }));
    } else {
      charts.push(h('p', { class: 'error' }, `Tendencias: ${actionError(trends.reason)}`));
    }
    mount(reportsBox, charts);
    loadRanking();
    loadDistribution();
  }

  async function loadRanking() {
    try {
      const r = await get(`/reports/rankings${query({ ...range(), metric: metric.value })}`);
      if (isDisposed()) return;
      mount(rankingBox, table([
        ['Puesto', (x) => x.rank ? String(x.rank) : '—'],
        ['Gestor', (x) => x.fullName],
        ['Valor', (x) => metricValue(r.metric, x.value)],
      ], r.items, { empty: 'Sin gestores en el periodo.' }));
    } catch (e) {
      mount(rankingBox, h('p', { class: 'error' }, actionError(e)));
    }
  }

  async function loadDistribution() {
    try {
      const r = await get(`/reports/distribution${query({ ...range(), by: by.value })}`);
      if (isDisposed()) return;
      mount(distBox, barChart(`Chats por ${by.selectedOptions[0].textContent.toLowerCase()}`,
        (r.items || []).map((x) => ({ label: distributionLabel(r.by, x.key), value: x.chats })), { cls: 'bar-c', integer: true }));
    } catch (e) {
      mount(distBox, h('p', { class: 'error' }, actionError(e)));
    }
  }

  async function downloadCsv() {
    try {
      const res = await api('GET', `/reports/agents${query({ ...range(), format: 'csv' })}`, undefined, { raw: true });
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: `gestores_${from.value}_${to.value}.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      toast(`No se pudo descargar: ${actionError(e)}`, 'error');
    }
  }

  return { el, loadCampaigns, loadReports };
}
