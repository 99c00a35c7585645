// Small hand-built SVG charts for the reports (no library): horizontal bars for per-agent
// figures and lines for daily trends. They scale with their box (viewBox), colours come from
// app.css classes (the CSP forbids inline styles), and each has a text alternative.
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
let chartIds = 0;

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {}))
    if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v);
  for (const c of children.flat())
    if (c !== null && c !== undefined && c !== false)
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function clip(text, max) {
  const t = String(text ?? '');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** A round step (1, 2, 2.5, 5 x 10^n) at least x. */
function niceStep(x) {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x - 1e-9) return m * p;
  return 10 * p;
}

/** The axis top: four round steps covering max; whole steps when the values are counts. */
function axisTop(max, integer) {
  const step = niceStep(max / 4);
  return 4 * (integer ? Math.max(1, Math.ceil(step)) : step);
}

function figure(title, svg, summary, empty) {
  const id = `chart${++chartIds}`;
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-labelledby', `${id}-t ${id}-d`);
  svg.prepend(s('title', { id: `${id}-t` }, title), s('desc', { id: `${id}-d` }, summary));
  return h('figure', { class: 'chart' },
    h('figcaption', {}, title),
    empty ? h('p', { class: 'empty' }, 'Sin datos en el periodo.') : svg);
}

/**
 * Horizontal bars, one per item: {label, value (null = no value)}.
 * format(value) writes the value; cls picks the colour class.
 */
export function barChart(title, items, { format = String, cls = 'bar-a', integer = false } = {}) {
  const rows = items || [];
  const valued = rows.filter((r) => r.value !== null && r.value !== undefined);
  const max = axisTop(Math.max(0, ...valued.map((r) => Number(r.value))), integer);
  const rowH = 26, left = 130, right = 70, width = 520, top = 6;
  const height = top + Math.max(1, rows.length) * rowH + 18;
  const plot = width - left - right;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart-svg', preserveAspectRatio: 'xMinYMin meet' });
  // Four grid lines with their values: the scale without a separate legend.
  for (let i = 0; i <= 4; i++) {
    const x = left + (plot * i) / 4;
    svg.append(s('line', { x1: x, x2: x, y1: top, y2: height - 16, class: 'grid' }),
      s('text', { x, y: height - 4, class: 'axis', 'text-anchor': 'middle' }, format((max * i) / 4)));
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const has = r.value !== null && r.value !== undefined;
    const w = has ? Math.max(1, (plot * Number(r.value)) / max) : 0;
    const shown = has ? format(Number(r.value)) : 'sin dato';
    svg.append(
      s('text', { x: left - 6, y: y + rowH / 2 + 4, class: 'label', 'text-anchor': 'end' }, clip(r.label, 18)),
      has ? s('rect', { x: left, y: y + 4, width: w, height: rowH - 8, rx: 3, class: `bar ${cls}` },
        s('title', {}, `${r.label}: ${shown}`)) : null,
      s('text', { x: left + w + 4, y: y + rowH / 2 + 4, class: 'value' }, shown));
  });
  const summary = rows.map((r) => `${r.label}: ${r.value === null || r.value === undefined ? 'sin dato' : format(Number(r.value))}`).join('; ');
  return figure(title, svg, summary, !valued.length);
}

/**
 * Lines over days: labels are the x values (YYYY-MM-DD), series [{name, values, cls}].
 */
export function lineChart(title, labels, series, { format = String, integer = false } = {}) {
  const width = 560, height = 220, left = 44, right = 24, top = 10, bottom = 40;
  const plotW = width - left - right, plotH = height - top - bottom;
  const all = series.flatMap((x) => x.values.map(Number));
  const max = axisTop(Math.max(0, ...all), integer);
  const n = labels.length;
  const xAt = (i) => left + (n <= 1 ? plotW / 2 : (plotW * i) / (n - 1));
  const yAt = (v) => top + plotH - (plotH * v) / max;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart-svg', preserveAspectRatio: 'xMinYMin meet' });
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    svg.append(s('line', { x1: left, x2: width - right, y1: yAt(v), y2: yAt(v), class: 'grid' }),
      s('text', { x: left - 4, y: yAt(v) + 4, class: 'axis', 'text-anchor': 'end' }, format(v)));
  }
  // At most ~8 day labels, so they never overlap.
  const every = Math.max(1, Math.ceil(n / 8));
  labels.forEach((d, i) => {
    const last = i === n - 1 && (n - 1) % every >= every / 2; // not on top of the previous one
    if (i % every === 0 || last)
      svg.append(s('text', { x: xAt(i), y: height - bottom + 16, class: 'axis', 'text-anchor': 'middle' }, String(d).slice(5)));
  });
  for (const line of series) {
    const points = line.values.map((v, i) => `${xAt(i).toFixed(1)},${yAt(Number(v)).toFixed(1)}`).join(' ');
    svg.append(s('polyline', { points, class: `line ${line.cls}`, fill: 'none' }));
    line.values.forEach((v, i) => svg.append(
      s('circle', { cx: xAt(i), cy: yAt(Number(v)), r: 2.5, class: `dot ${line.cls}` },
        s('title', {}, `${line.name} ${labels[i]}: ${format(Number(v))}`))));
  }
  // The legend below the plot.
  let lx = left;
  for (const line of series) {
    svg.append(s('rect', { x: lx, y: height - 14, width: 12, height: 4, class: `swatch ${line.cls}` }),
      s('text', { x: lx + 16, y: height - 9, class: 'axis' }, line.name));
    lx += 24 + line.name.length * 7;
  }
  const summary = series.map((x) => `${x.name}: total ${x.values.reduce((a, b) => a + Number(b), 0)}`).join('; ');
  return figure(title, svg, summary, !n);
}
