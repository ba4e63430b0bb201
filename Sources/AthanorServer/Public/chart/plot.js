// Drawing a metric chart on a 2D canvas: where the plot goes and its scales, the grid and ticks,
// one line per series (the raw line faint behind its smoothed one), the zoom selection and the
// hover line.

import { scale, padded, niceTicks, stepTicks, timeTicks, logTicks, formatNumber, formatElapsed, formatWall } from './scale.js';
import { eachPoint, strokeLine } from './stroke.js';

const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const MARGIN = { top: 8, right: 14, bottom: 24, left: 8 };

let colours = null;
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => (colours = null));

/** The page's colours for text, grid and selection (CSS variables of app.css). */
function theme() {
  if (!colours) {
    const style = getComputedStyle(document.documentElement);
    const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
    colours = { text: read('--muted', '#6a6a64'), grid: read('--border', '#e3e3de'), axis: read('--border-strong', '#cfcfc8'), focus: read('--focus', '#2f6fde') };
  }
  return colours;
}

/** The label of an x value on `axis` (`step`, `time`, `wall`), `step` being the tick spacing. */
export function formatX(axis, value, step = 0) {
  return axis === 'time' ? formatElapsed(value, step) : axis === 'wall' ? formatWall(value, step) : formatNumber(value, step);
}

/** [lo, hi] of the x of every point, or null without points. */
function xExtent(series) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const { parts } of series) {
    eachPoint(parts, (x) => {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    });
  }
  if (lo > hi) return null;
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** [lo, hi] of the y of the points whose x is in `range` (positive ones only on a log axis). */
function yExtent(series, [x0, x1], log) {
  let lo = Infinity;
  let hi = -Infinity;
  const take = (x, y) => {
    if (x < x0 || x > x1 || (log && !(y > 0))) return;
    if (y < lo) lo = y;
    if (y > hi) hi = y;
  };
  for (const { parts, smoothed } of series) {
    eachPoint(parts, take);
    if (smoothed) eachPoint(smoothed, take);
  }
  if (lo > hi) return log ? [1, 10] : [0, 1];
  return padded(log ? 'log' : 'linear', lo, hi);
}

/**
 * Where things go for `series` ([{color, parts, smoothed}]) on a `width`×`height` canvas (CSS
 * pixels): `range` is the x range shown (null: every point), `yScale` `linear` or `log`.
 * Returns `{plot: {left, top, width, height}, x, y, yTicks, yLabels}` (x and y are scales), or
 * null when there is nothing to draw.
 */
export function layoutPlot(ctx, { width, height, series, range, yScale }) {
  const xDomain = range || xExtent(series);
  if (!xDomain) return null;
  const log = yScale === 'log';
  const yDomain = yExtent(series, xDomain, log);
  const bottom = height - MARGIN.bottom;
  const yTicks = log ? logTicks(...yDomain) : niceTicks(yDomain[0], yDomain[1], Math.max(2, Math.round(height / 45)));
  const yLabels = yTicks.values.map((v) => formatNumber(v, yTicks.step));
  ctx.font = FONT;
  const left = MARGIN.left + Math.ceil(Math.max(0, ...yLabels.map((text) => ctx.measureText(text).width))) + 6;
  const right = width - MARGIN.right;
  const plot = { left, top: MARGIN.top, width: right - left, height: bottom - MARGIN.top };
  if (plot.width < 10 || plot.height < 10) return null;
  return {
    plot,
    x: scale('linear', xDomain, [left, right]),
    y: scale(log ? 'log' : 'linear', yDomain, [bottom, MARGIN.top]),
    yTicks,
    yLabels,
  };
}

/**
 * Draws `series` with `layout` (from layoutPlot, or null for an empty chart) on `ctx` (in CSS
 * pixels): `axis` says how x values read, `selection` is a [px, px] being dragged, `hover`
 * `{px, points: [{px, py, color}]}`.
 */
export function drawPlot(ctx, layout, { width, height, series, axis, selection, hover }) {
  const colors = theme();
  ctx.clearRect(0, 0, width, height);
  ctx.font = FONT;
  if (!layout) {
    ctx.fillStyle = colors.text;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText('No points yet', width / 2, height / 2);
    return;
  }
  const { plot, x, y } = layout;
  const log = y.kind === 'log';
  drawGrid(ctx, { ...layout, axis, colors });
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.left, plot.top, plot.width, plot.height);
  ctx.clip();
  // One pixel wide: Chromium strokes hairlines more than ten times faster than wider lines.
  ctx.lineWidth = 1;
  for (const { color, parts, smoothed } of series) {
    ctx.strokeStyle = color;
    ctx.globalAlpha = smoothed ? 0.3 : 1;
    strokeLine(ctx, parts, x, y, x.domain, log);
    if (smoothed) {
      ctx.globalAlpha = 1;
      strokeLine(ctx, smoothed, x, y, x.domain, log);
    }
  }
  ctx.globalAlpha = 1;
  if (selection) {
    ctx.fillStyle = colors.focus;
    ctx.globalAlpha = 0.12;
    ctx.fillRect(Math.min(...selection), plot.top, Math.abs(selection[1] - selection[0]), plot.height);
    ctx.globalAlpha = 1;
  }
  if (hover) drawHover(ctx, hover, plot, colors);
  ctx.restore();
}

function drawGrid(ctx, { x, y, plot, yTicks, yLabels, axis, colors }) {
  const bottom = plot.top + plot.height;
  ctx.lineWidth = 1;
  ctx.strokeStyle = colors.grid;
  ctx.fillStyle = colors.text;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  ctx.beginPath();
  yTicks.values.forEach((value, i) => {
    const py = Math.round(y.toPixel(value)) + 0.5;
    if (py < plot.top - 1 || py > bottom + 1) return;
    ctx.moveTo(plot.left, py);
    ctx.lineTo(plot.left + plot.width, py);
    ctx.fillText(yLabels[i], plot.left - 6, py);
  });
  ctx.stroke();

  const count = Math.max(2, Math.round(plot.width / 100));
  const ticks = axis === 'step' ? stepTicks(...x.domain, count) : timeTicks(...x.domain, count);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.beginPath();
  let lastEnd = -Infinity;
  for (const value of ticks.values) {
    const px = Math.round(x.toPixel(value)) + 0.5;
    ctx.moveTo(px, plot.top);
    ctx.lineTo(px, bottom);
    const text = formatX(axis, value, ticks.step);
    const half = ctx.measureText(text).width / 2;
    if (px - half > lastEnd + 8 && px + half <= plot.left + plot.width + MARGIN.right) {
      ctx.fillText(text, px, bottom + 6);
      lastEnd = px + half;
    }
  }
  ctx.stroke();
  ctx.strokeStyle = colors.axis;
  ctx.beginPath();
  ctx.moveTo(plot.left, bottom + 0.5);
  ctx.lineTo(plot.left + plot.width, bottom + 0.5);
  ctx.stroke();
}

function drawHover(ctx, hover, plot, colors) {
  ctx.strokeStyle = colors.text;
  ctx.globalAlpha = 0.6;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(Math.round(hover.px) + 0.5, plot.top);
  ctx.lineTo(Math.round(hover.px) + 0.5, plot.top + plot.height);
  ctx.stroke();
  ctx.globalAlpha = 1;
  for (const point of hover.points) {
    ctx.fillStyle = point.color;
    ctx.beginPath();
    ctx.arc(point.px, point.py, 3.5, 0, 2 * Math.PI);
    ctx.fill();
  }
}
