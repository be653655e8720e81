// charts.js: the few charts of the statistics page (stats.html), drawn as
// SVG by hand: no library, nothing fetched, no inline styles (the pages'
// Content-Security-Policy allows none); colours come from stats.css through
// class names.  Every chart is an <svg> with role="img", an aria-label and
// a <title> per mark, and data-* attributes that say what each mark is (the
// browser test reads them).
//
//   columnChart(container, points, options)       one column per point (days)
//   barChart(container, rows, options)            one horizontal bar per row
//   pairedBarChart(container, rows, options)      two bars per row (mean and p90)
//   stackedBarChart(container, rows, options)     100 % bars split by parts

const SVG = 'http://www.w3.org/2000/svg';

function svgEl(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v !== undefined && v !== null)
      node.setAttribute(k, String(v));
  }
  if (text !== undefined)
    node.textContent = String(text);
  return node;
}

function titled(node, text) {
  node.append(svgEl('title', {}, text));
  return node;
}

// A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten.
export function niceMax(value) {
  if (!(value > 0))
    return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value)
      return step * power;
  }
  return 10 * power;
}

// Ticks from 0 to @max (a nice number), about @count of them, whole
// numbers when @integer.
function ticks(max, count, integer) {
  let step = niceMax(max / count);
  if (integer)
    step = Math.max(1, Math.round(step));
  const out = [];
  for (let v = 0; v <= max + 1e-9; v += step)
    out.push(Math.round(v * 1000) / 1000);
  return out;
}

// The width to draw at: the container's own, so that text keeps its size.
function widthOf(container) {
  return Math.max(280, Math.floor(container.clientWidth || 560));
}

function frame(container, width, height, label, cls) {
  const svg = svgEl('svg', {
    viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': label,
    class: `vw-chart ${cls}`, preserveAspectRatio: 'xMinYMin meet',
  });
  container.replaceChildren(svg);
  return svg;
}

function empty(container, text) {
  const p = document.createElement('p');
  p.className = 'vw-muted vw-chart-empty';
  p.textContent = text;
  container.replaceChildren(p);
}

// Text that fits: cut with an ellipsis after @max characters.
function shorten(text, max) {
  const s = String(text);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

// Columns over time.  @points: [{label, value, title}]; options: {label,
// format(value), integer}.
export function columnChart(container, points, options = {}) {
  if (!points.length) {
    empty(container, options.emptyText || '无数据');
    return;
  }
  const width = widthOf(container);
  const height = 220;
  const left = 40;
  const bottom = 28;
  const top = 12;
  const plotW = width - left - 10;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(...points.map((p) => p.value), options.integer ? 1 : 0));
  const svg = frame(container, width, height, options.label || '', 'is-columns');
  for (const t of ticks(max, 4, options.integer)) {
    const y = top + plotH - (t / max) * plotH;
    svg.append(svgEl('line', { x1: left, x2: width - 10, y1: y, y2: y, class: 'vw-chart-grid' }));
    svg.append(svgEl('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'vw-chart-axis' }, t));
  }
  const slot = plotW / points.length;
  const barW = Math.max(2, Math.min(36, slot * 0.7));
  // Label every n-th column so that labels never overlap.
  const every = Math.max(1, Math.ceil(points.length / Math.floor(plotW / 46)));
  points.forEach((p, i) => {
    const h = (p.value / max) * plotH;
    const x = left + i * slot + (slot - barW) / 2;
    svg.append(titled(svgEl('rect', {
      x: x.toFixed(1), y: (top + plotH - h).toFixed(1), width: barW.toFixed(1), height: h.toFixed(1),
      class: 'vw-chart-bar', 'data-label': p.label, 'data-value': p.value,
    }), p.title || `${p.label}：${p.value}`));
    if (i % every === 0 || i === points.length - 1) {
      svg.append(svgEl('text', { x: (x + barW / 2).toFixed(1), y: height - 8, 'text-anchor': 'middle', class: 'vw-chart-axis' },
        p.short || p.label));
    }
  });
  svg.append(svgEl('line', { x1: left, x2: width - 10, y1: top + plotH, y2: top + plotH, class: 'vw-chart-baseline' }));
}

// Horizontal bars, one per row.  @rows: [{label, value, text, title}];
// options: {label, format(value)}.
export function barChart(container, rows, options = {}) {
  horizontal(container, rows.map((r) => ({ label: r.label, bars: [{ value: r.value, text: r.text, title: r.title, cls: 'vw-chart-bar' }] })),
    { ...options, cls: 'is-bars' });
}

// Two bars per row (e.g. mean and p90 wait), with a legend.  @rows:
// [{label, a: {value, text}, b: {value, text}}]; options: {label, legend: [a, b]}.
export function pairedBarChart(container, rows, options = {}) {
  horizontal(container, rows.map((r) => ({
    label: r.label,
    bars: [
      { value: r.a.value, text: r.a.text, title: `${r.label} ${options.legend[0]}：${r.a.text}`, cls: 'vw-chart-bar' },
      { value: r.b.value, text: r.b.text, title: `${r.label} ${options.legend[1]}：${r.b.text}`, cls: 'vw-chart-bar is-second' },
    ],
  })), { ...options, cls: 'is-paired' });
}

function horizontal(container, rows, options) {
  if (!rows.length) {
    empty(container, options.emptyText || '无数据');
    return;
  }
  const perBar = 18;
  const gap = 12;
  const bars = rows[0].bars.length;
  const rowH = bars * perBar + (bars - 1) * 2;
  const width = widthOf(container);
  const labelW = Math.min(170, Math.round(width * 0.3));
  const valueW = 70;
  const layout = options.legend
    ? legendLayout(options.legend.map((text, i) => ({ text, cls: i ? 'vw-chart-bar is-second' : 'vw-chart-bar' })), labelW, width)
    : null;
  const legendH = layout ? layout.height : 0;
  const height = legendH + rows.length * (rowH + gap) + 4;
  const plotW = width - labelW - valueW;
  const max = niceMax(Math.max(...rows.flatMap((r) => r.bars.map((b) => b.value || 0))));
  const svg = frame(container, width, height, options.label || '', options.cls);
  if (layout)
    legend(svg, layout);
  rows.forEach((r, i) => {
    const y0 = legendH + i * (rowH + gap);
    svg.append(titled(svgEl('text', { x: labelW - 8, y: y0 + rowH / 2 + 5, 'text-anchor': 'end', class: 'vw-chart-label' },
      shorten(r.label, Math.floor((labelW - 8) / 13))), r.label));
    r.bars.forEach((b, j) => {
      const y = y0 + j * (perBar + 2);
      const w = b.value > 0 ? Math.max(1, (b.value / max) * plotW) : 0;
      svg.append(titled(svgEl('rect', {
        x: labelW, y, width: w.toFixed(1), height: perBar, class: b.cls,
        'data-label': r.label, 'data-value': b.value === null || b.value === undefined ? '' : b.value,
      }), b.title || `${r.label}：${b.text}`));
      svg.append(svgEl('text', { x: labelW + w + 6, y: y + perBar - 4, class: 'vw-chart-value' }, b.text));
    });
  });
}

// Lays out legend items from @x0, wrapping at @width; returns the items
// with their places and the height the legend takes.
function legendLayout(items, x0, width) {
  const placed = [];
  let x = x0;
  let y = 4;
  for (const item of items) {
    const w = 24 + item.text.length * 13 + 10;
    if (x > x0 && x + w > width) {
      x = x0;
      y += 20;
    }
    placed.push({ ...item, x, y });
    x += w;
  }
  return { placed, height: y + 22 };
}

function legend(svg, layout) {
  for (const item of layout.placed) {
    svg.append(svgEl('rect', { x: item.x, y: item.y, width: 14, height: 14, class: item.cls }));
    svg.append(svgEl('text', { x: item.x + 20, y: item.y + 12, class: 'vw-chart-legend' }, item.text));
  }
}

// Bars of 100 %, split into parts (e.g. the five rating levels).  @rows:
// [{label, parts: [n...], note}]; options: {label, parts: [{text, cls}]}.
export function stackedBarChart(container, rows, options = {}) {
  const shown = rows.filter((r) => r.parts.some((n) => n > 0));
  if (!shown.length) {
    empty(container, options.emptyText || '无数据');
    return;
  }
  const barH = 20;
  const gap = 12;
  const width = widthOf(container);
  const labelW = Math.min(170, Math.round(width * 0.3));
  const noteW = 96;
  const layout = legendLayout(options.parts, width < 480 ? 4 : labelW, width);
  const legendH = layout.height;
  const height = legendH + shown.length * (barH + gap) + 4;
  const plotW = width - labelW - noteW;
  const svg = frame(container, width, height, options.label || '', 'is-stacked');
  legend(svg, layout);
  shown.forEach((r, i) => {
    const y = legendH + i * (barH + gap);
    const total = r.parts.reduce((a, b) => a + b, 0);
    svg.append(titled(svgEl('text', { x: labelW - 8, y: y + barH - 5, 'text-anchor': 'end', class: 'vw-chart-label' },
      shorten(r.label, Math.floor((labelW - 8) / 13))), r.label));
    let x = labelW;
    r.parts.forEach((n, j) => {
      if (!n)
        return;
      const w = (n / total) * plotW;
      svg.append(titled(svgEl('rect', {
        x: x.toFixed(1), y, width: w.toFixed(1), height: barH, class: options.parts[j].cls,
        'data-label': r.label, 'data-part': options.parts[j].text, 'data-value': n,
      }), `${r.label} ${options.parts[j].text}：${n}`));
      if (w > 22)
        svg.append(svgEl('text', { x: (x + w / 2).toFixed(1), y: y + barH - 5, 'text-anchor': 'middle', class: 'vw-chart-inbar' }, n));
      x += w;
    });
    svg.append(svgEl('text', { x: labelW + plotW + 8, y: y + barH - 5, class: 'vw-chart-value' }, r.note || ''));
  });
}
