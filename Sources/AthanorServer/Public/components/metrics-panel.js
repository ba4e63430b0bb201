// The metric curves of one or more runs: one chart per key, with a choice of x axis (step, time
// since the run started, wall time), a linear or log y axis, and smoothing (computed by the
// server on every point). Curves come from GET /api/metrics sampled to the page's width; a live
// run's points come from its event stream (`add`) and are appended, and when many have piled up
// the curves are asked for again, so a long run draws as fast as a short one.

import { h, setText } from '../dom.js';
import { api } from '../api.js';
import { runLabel, formatCount } from '../format.js';
import { MetricSeries } from '../chart/metric-series.js';
import { epochSeconds } from '../chart/line.js';
import { runColour } from '../chart/palette.js';
import { metricChart } from './metric-chart.js';

const REFRESH_AFTER = 5000; // live points a curve keeps before the server is asked for it again
const REFRESH_EVERY = 2000; // milliseconds, at most
const SMOOTHING_DELAY = 200; // milliseconds of slider stillness before asking
const NO_POINTS = { count: 0, raw: true, x: [], y: [], buckets: [] };
const POINT_BUDGET = 200_000; // points asked for across every run of a key, at most
const AXES = [['step', 'Step'], ['time', 'Relative time'], ['wall', 'Wall time']];

/**
 * `metricsPanel({runs, signal})` → `{el, add(runID, metricEvent), destroy()}`, `runs` being run
 * objects as the API answers them (their `metrics` counts, taken now, tell the points already
 * recorded from those still to come through `add`). Hidden while no run has a metric.
 */
export function metricsPanel({ runs, signal }) {
  const ids = runs.map((run) => run.run).join(',');
  const info = new Map(
    runs.map((run, i) => [
      run.run,
      {
        label: runs.length === 1 ? null : runLabel(run),
        color: runColour(i, runs.length),
        origin: epochSeconds(run.created_at),
        counts: Object.fromEntries(Object.entries(run.metrics || {}).map(([key, summary]) => [key, summary.count])),
      },
    ]),
  );
  const settings = { axis: 'step', yScale: 'linear', smoothing: 0 }; // as chosen
  const shown = { axis: 'step', smoothing: 0 }; // of the curves on screen
  const curves = new Map(); // key → {chart, series: Map(run → MetricSeries), zoom, zoomToken}
  let loading = false;
  let again = false;
  let loadedAt = -Infinity;
  let smoothingTimer = 0;

  const axisSelect = h('select', { class: 'input input-sm', name: 'x-axis', 'aria-label': 'X axis', onchange: changeAxis }, AXES.map(([value, text]) => h('option', { value, text })));
  const scaleSelect = h(
    'select',
    { class: 'input input-sm', name: 'y-scale', 'aria-label': 'Y axis', onchange: () => ((settings.yScale = scaleSelect.value), redrawAll()) },
    h('option', { value: 'linear', text: 'Linear' }),
    h('option', { value: 'log', text: 'Log' }),
  );
  const smoothingInput = h('input', { type: 'range', name: 'smoothing', min: '0', max: '0.99', step: '0.01', value: '0', 'aria-label': 'Smoothing', oninput: changeSmoothing });
  const smoothingValue = h('output', { class: 'smoothing-value', text: '0.00' });
  const countText = h('span', { class: 'muted' });
  const failure = h('div', { class: 'notice notice-error', role: 'alert', hidden: true });
  const grid = h('div', { class: 'metric-grid' });
  const el = h(
    'section',
    { class: 'card metrics', 'aria-label': 'Metrics', hidden: true },
    h(
      'div',
      { class: 'card-head' },
      h('h2', { text: 'Metrics' }),
      countText,
      h(
        'div',
        { class: 'toolbar' },
        h('label', { class: 'control' }, 'X', axisSelect),
        h('label', { class: 'control' }, 'Y', scaleSelect),
        h('label', { class: 'control' }, 'Smoothing', smoothingInput, smoothingValue),
      ),
    ),
    runs.length > 1
      ? h('div', { class: 'chart-legend' }, runs.map((run) => h('a', { href: `/runs/${run.run}`, class: 'legend-item', dataset: { run: run.run } }, h('span', { class: 'swatch', style: { background: info.get(run.run).color } }), info.get(run.run).label)))
      : null,
    failure,
    grid,
    h('p', { class: 'muted small chart-hint', text: 'Drag across a chart to zoom in, double-click to zoom out.' }),
  );

  function curveOf(key) {
    let curve = curves.get(key);
    if (curve) return curve;
    curve = { series: new Map(), zoom: null, zoomToken: 0 };
    curve.chart = metricChart({
      title: key,
      getSeries: () =>
        runs.filter((run) => curve.series.has(run.run)).map((run) => {
          const { label, color } = info.get(run.run);
          return { label: label ?? key, color, series: curve.series.get(run.run) };
        }),
      getOptions: () => ({ axis: shown.axis, yScale: settings.yScale }),
      onZoom: (range) => zoom(key, range),
    });
    curves.set(key, curve);
    grid.append(curve.chart.el);
    el.hidden = false;
    setText(countText, curves.size === 1 ? '1 key' : `${formatCount(curves.size)} keys`);
    return curve;
  }

  function seriesOf(run, key) {
    const curve = curveOf(key);
    let series = curve.series.get(run);
    if (!series) {
      const { origin, counts } = info.get(run);
      series = new MetricSeries({ run, key, known: counts[key] || 0, origin, axis: shown.axis });
      series.configure(shown.axis, shown.smoothing);
      curve.series.set(run, series);
    }
    return series;
  }

  /** Asks for every curve again (one request at a time; a change meanwhile asks once more after). */
  async function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    const asked = { axis: settings.axis, smoothing: settings.smoothing };
    try {
      const answer = await api.metrics({ runs: ids, x: asked.axis, points: pointCount(), smoothing: asked.smoothing || null }, { signal });
      if (asked.axis !== shown.axis) leaveZooms(); // their ranges are on the other axis
      Object.assign(shown, asked);
      for (const curve of curves.values()) for (const series of curve.series.values()) series.configure(asked.axis, asked.smoothing);
      for (const { run, series } of answer.runs) for (const sample of series) seriesOf(run, sample.key).setBase(sample, sample.smoothed);
      failure.hidden = true;
    } catch (error) {
      if (error.name === 'AbortError') return;
      showFailure(error);
    } finally {
      loading = false;
      loadedAt = performance.now();
    }
    redrawAll();
    if (again) {
      again = false;
      refresh();
    }
  }

  /** Asks for the curves of `key` in `range` ([from, to]) at full resolution, or leaves the zoom (null). */
  async function zoom(key, range) {
    const curve = curves.get(key);
    curve.zoom = range;
    const token = ++curve.zoomToken;
    if (!range) {
      for (const series of curve.series.values()) series.setDetail(null);
      curve.chart.invalidate();
      return;
    }
    try {
      const answer = await api.metrics(
        { runs: ids, keys: key, x: shown.axis, from: range[0], to: range[1], points: pointCount(), smoothing: settings.smoothing || null },
        { signal },
      );
      if (token !== curve.zoomToken) return;
      const samples = new Map(answer.runs.map(({ run, series }) => [run, series.find((sample) => sample.key === key)]));
      for (const series of curve.series.values()) {
        const sample = samples.get(series.run) || NO_POINTS;
        series.setDetail(range, sample, sample.smoothed);
      }
      curve.chart.invalidate();
    } catch (error) {
      if (error.name !== 'AbortError') showFailure(error);
    }
  }

  function changeAxis() {
    settings.axis = axisSelect.value;
    refresh();
  }

  function leaveZooms() {
    for (const curve of curves.values()) {
      curve.zoom = null;
      curve.zoomToken++;
      for (const series of curve.series.values()) series.setDetail(null);
      curve.chart.resetZoom();
    }
  }

  function changeSmoothing() {
    setText(smoothingValue, Number(smoothingInput.value).toFixed(2));
    clearTimeout(smoothingTimer);
    smoothingTimer = setTimeout(() => {
      settings.smoothing = Number(smoothingInput.value);
      refresh();
      for (const [key, curve] of curves) if (curve.zoom) zoom(key, curve.zoom);
    }, SMOOTHING_DELAY);
  }

  /**
   * Points per curve: four per bucket (the line through it) and a bucket per pixel column for
   * one run; many overlaid runs share a budget, down to a bucket per two or more columns (each
   * bucket still keeps its min and max, so no spike is lost).
   */
  function pointCount() {
    const width = grid.clientWidth || el.clientWidth || innerWidth;
    const perColumn = 4 * Math.round(width * (devicePixelRatio || 1));
    const shared = Math.floor(POINT_BUDGET / info.size);
    return Math.min(10_000, Math.max(400, Math.min(perColumn, shared)));
  }

  function showFailure(error) {
    failure.replaceChildren(h('strong', { text: 'The curves could not be loaded' }), h('p', { text: error.message }));
    failure.hidden = false;
    el.hidden = false;
  }

  function redrawAll() {
    for (const curve of curves.values()) curve.chart.invalidate();
  }

  function put(run, key, step, wall, value) {
    const series = seriesOf(run, key);
    if (!series.add(step, wall, value)) return;
    curves.get(key).chart.invalidateLive();
    if (series.tail.length > REFRESH_AFTER && !loading && performance.now() - loadedAt > REFRESH_EVERY) refresh();
  }

  queueMicrotask(refresh); // once the caller has put `el` in the page, so its width is known

  return {
    el,
    /** A `metric` journal event of `run` from its stream: one value (`key`, `value`) or several (`values`). */
    add(run, event) {
      const wall = epochSeconds(event.ts);
      if (event.values) for (const key of Object.keys(event.values)) put(run, key, event.step, wall, event.values[key]);
      else put(run, event.key, event.step, wall, event.value);
    },
    destroy() {
      clearTimeout(smoothingTimer);
      for (const curve of curves.values()) curve.chart.destroy();
    },
  };
}
