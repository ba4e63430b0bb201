// One metric chart on a canvas: drag across it to zoom into an x range, double-click to zoom out,
// hover to read every series' value at an x. It redraws at most once per animation frame, and for
// new live points at most every 80 ms however many arrive (drawing is what costs). For
// tests, the canvas exposes the points drawn (`canvas.__series`: [{run, key, color, raw, count,
// x, y, smoothed}]) and its layout (`canvas.__view`: {x, y, yScale, plot, zoomed, draws}).

import { h, setText } from '../dom.js';
import { layoutPlot, drawPlot, formatX } from '../chart/plot.js';
import { eachPoint } from '../chart/stroke.js';
import { formatNumber } from '../chart/scale.js';

const HEIGHT = 240;
const MIN_DRAG = 5; // pixels: a shorter drag is a click
const LIVE_INTERVAL = 80; // milliseconds between redraws for new points

/**
 * `metricChart({title, getSeries, getOptions, onZoom})` →
 * `{el, canvas, invalidate(), invalidateLive(), resetZoom(), destroy()}`. `getSeries()` →
 * [{label, color, series: MetricSeries}] and `getOptions()` → {axis, yScale} are asked at each
 * draw; `onZoom([from, to] or null)` is told when the user zooms in or out.
 */
export function metricChart({ title, getSeries, getOptions, onZoom }) {
  const canvas = h('canvas', { class: 'metric-canvas', role: 'img', 'aria-label': `Chart of ${title}` });
  const tooltip = h('div', { class: 'chart-tooltip', hidden: true });
  const note = h('span', { class: 'metric-chart-note' });
  const frame = h('div', { class: 'metric-chart-frame' }, canvas, tooltip);
  const el = h('figure', { class: 'metric-chart', dataset: { key: title } }, h('figcaption', {}, h('span', { class: 'metric-chart-title', text: title }), note), frame);

  let width = 0;
  let ratio = 1;
  let range = null; // the zoomed x range, or null for every point
  let layout = null;
  let drag = null; // {start, end} in pixels
  let hoverPx = null;
  let request = 0;
  let liveTimer = 0;
  let drawnAt = -Infinity;
  let draws = 0;

  const resize = new ResizeObserver(() => {
    width = frame.clientWidth;
    ratio = devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(HEIGHT * ratio);
    draw();
  });
  resize.observe(frame);

  function invalidate() {
    if (!request) request = requestAnimationFrame(draw);
  }

  function invalidateLive() {
    if (request || liveTimer) return;
    const wait = drawnAt + LIVE_INTERVAL - performance.now();
    if (wait <= 0) invalidate();
    else liveTimer = setTimeout(() => ((liveTimer = 0), invalidate()), wait);
  }

  function draw() {
    cancelAnimationFrame(request);
    request = 0;
    if (!width) return;
    drawnAt = performance.now();
    const entries = getSeries();
    const { axis, yScale } = getOptions();
    const series = entries.map((entry) => ({ color: entry.color, ...entry.series.parts() }));
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    layout = layoutPlot(ctx, { width, height: HEIGHT, series, range, yScale });
    const hover = hoverPx !== null && layout && !drag ? hovered(entries, series, axis) : null;
    drawPlot(ctx, layout, { width, height: HEIGHT, series, axis, selection: drag && [drag.start, drag.end], hover });
    draws++;
    const last = entries.length === 1 ? entries[0].series.last : null;
    setText(note, [last === null ? '' : `last ${formatNumber(last)}`, range ? 'zoomed · double-click to zoom out' : ''].filter(Boolean).join(' · '));
  }

  /** The points nearest the pointer's x, shown in the tooltip and as dots; null when there are none. */
  function hovered(entries, series, axis) {
    const x = layout.x.toValue(hoverPx);
    const rows = [];
    const points = [];
    entries.forEach((entry, i) => {
      const raw = nearest(series[i].parts, x);
      if (!raw) return;
      const smooth = series[i].smoothed && nearest(series[i].smoothed, x);
      const shown = smooth || raw;
      points.push({ px: layout.x.toPixel(shown.x), py: layout.y.toPixel(shown.y), color: entry.color });
      rows.push({ entry, raw, smooth });
    });
    if (!rows.length) {
      tooltip.hidden = true;
      return null;
    }
    showTooltip(rows, axis);
    return { px: hoverPx, points };
  }

  function showTooltip(rows, axis) {
    tooltip.replaceChildren(
      h('div', { class: 'chart-tooltip-x', text: `${axis === 'step' ? 'step ' : ''}${formatX(axis, rows[0].raw.x)}` }),
      ...rows.map(({ entry, raw, smooth }) =>
        h(
          'div',
          { class: 'chart-tooltip-row' },
          h('span', { class: 'swatch', style: { background: entry.color } }),
          h('span', { class: 'chart-tooltip-label', text: entry.label }),
          h('span', { class: 'chart-tooltip-value', text: formatNumber(raw.y) }),
          smooth ? h('span', { class: 'chart-tooltip-smooth', text: `smoothed ${formatNumber(smooth.y)}` }) : null,
        ),
      ),
    );
    tooltip.hidden = false;
    const right = hoverPx + 14 + tooltip.offsetWidth > width;
    tooltip.style.left = `${right ? hoverPx - 14 - tooltip.offsetWidth : hoverPx + 14}px`;
    tooltip.style.top = `${layout.plot.top + 4}px`;
  }

  const pixelOf = (event) => event.clientX - canvas.getBoundingClientRect().left;
  const inPlot = (px) => layout && px >= layout.plot.left && px <= layout.plot.left + layout.plot.width;
  const clampToPlot = (px) => Math.min(layout.plot.left + layout.plot.width, Math.max(layout.plot.left, px));

  canvas.addEventListener('pointerdown', (event) => {
    const px = pixelOf(event);
    if (event.button !== 0 || !inPlot(px)) return;
    drag = { start: px, end: px };
    canvas.setPointerCapture(event.pointerId);
    tooltip.hidden = true;
  });
  canvas.addEventListener('pointermove', (event) => {
    const px = pixelOf(event);
    if (drag) drag.end = clampToPlot(px);
    hoverPx = inPlot(px) ? px : null;
    if (hoverPx === null) tooltip.hidden = true;
    invalidate();
  });
  canvas.addEventListener('pointerup', () => {
    if (!drag) return;
    const [a, b] = [drag.start, drag.end].sort((p, q) => p - q);
    drag = null;
    if (b - a >= MIN_DRAG && layout) {
      range = [layout.x.toValue(a), layout.x.toValue(b)];
      onZoom(range);
    }
    invalidate();
  });
  canvas.addEventListener('pointercancel', () => {
    drag = null;
    invalidate();
  });
  canvas.addEventListener('pointerleave', () => {
    hoverPx = null;
    tooltip.hidden = true;
    invalidate();
  });
  canvas.addEventListener('dblclick', () => {
    if (!range) return;
    range = null;
    onZoom(null);
    invalidate();
  });

  Object.defineProperty(canvas, '__series', { get: () => drawnSeries(getSeries(), layout) });
  Object.defineProperty(canvas, '__view', {
    get: () => layout && { x: layout.x.domain, y: layout.y.domain, yScale: layout.y.kind, plot: { ...layout.plot }, zoomed: Boolean(range), draws },
  });

  return {
    el,
    canvas,
    /** Redraws at the next frame (after a change the user made). */
    invalidate,
    /** Redraws for new live points, at most every LIVE_INTERVAL. */
    invalidateLive,
    /** Back to every point, without telling `onZoom` (the caller knows). */
    resetZoom() {
      range = null;
      invalidate();
    },
    destroy() {
      resize.disconnect();
      cancelAnimationFrame(request);
      clearTimeout(liveTimer);
    },
  };
}

/** The point of `parts` whose x is nearest `x` (each part's x increasing, as curves mostly are). */
function nearest(parts, x) {
  let best = null;
  for (const { line, from } of parts) {
    let lo = from;
    let hi = line.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (line.x[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    for (const i of [lo - 1, lo]) {
      if (i < from || i >= line.length) continue;
      if (!best || Math.abs(line.x[i] - x) < Math.abs(best.x - x)) best = { x: line.x[i], y: line.y[i] };
    }
  }
  return best;
}

/** The points drawn inside the chart's x range, as plain arrays. */
function drawnSeries(entries, layout) {
  const [x0, x1] = layout ? layout.x.domain : [-Infinity, Infinity];
  const collect = (parts) => {
    const x = [];
    const y = [];
    eachPoint(parts, (px, py) => {
      if (px >= x0 && px <= x1) {
        x.push(px);
        y.push(py);
      }
    });
    return { x, y };
  };
  return entries.map(({ color, series }) => {
    const { parts, smoothed } = series.parts();
    const source = series.detail || series.base;
    return { run: series.run, key: series.key, color, raw: series.raw, count: source ? source.count : null, ...collect(parts), smoothed: smoothed && collect(smoothed) };
  });
}
