// A sweep's trials as points on a canvas: one parameter across, the sweep's metric up, each
// point coloured by its trial's status and the best one ringed. Hover names the trial.

import { h } from '../dom.js';
import { formatNumber } from '../chart/scale.js';

const STATUS_COLOURS = { completed: '--completed', failed: '--failed', cancelled: '--cancelled', running: '--running' };
const PAD = { left: 56, right: 16, top: 12, bottom: 34 };

/** `sweepScatter()` → `{el, draw(trials, parameter, metric, best)}`; `onPick(trial)` on click. */
export function sweepScatter({ onPick = () => {} } = {}) {
  const canvas = h('canvas', { class: 'sweep-scatter-canvas', height: 260 });
  const tip = h('div', { class: 'chart-tooltip sweep-tip', hidden: true });
  const el = h('div', { class: 'sweep-scatter' }, canvas, tip);
  let points = [];

  function draw(trials, parameter, metric, best) {
    const width = el.clientWidth || 600;
    const height = 260;
    const ratio = devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const style = getComputedStyle(document.documentElement);
    const shown = trials.filter((trial) => trial.value !== null && trial.value !== undefined);
    // Text values (choices) go across in the order first seen.
    const categories = [...new Set(trials.map((t) => t.params[parameter]).filter((v) => typeof v !== 'number').map(String))];
    const xOf = (trial) => {
      const v = trial.params[parameter];
      return typeof v === 'number' ? v : categories.indexOf(String(v));
    };
    g.fillStyle = style.getPropertyValue('--muted');
    g.font = '12px system-ui, sans-serif';
    if (!shown.length) {
      g.fillText(metric ? `No trial has a value of ${metric} yet.` : 'This sweep ranks by no metric (--metric).', PAD.left, height / 2);
      points = [];
      return;
    }
    const xs = shown.map(xOf);
    const ys = shown.map((t) => t.value);
    const [x0, x1] = padded(Math.min(...xs), Math.max(...xs));
    const [y0, y1] = padded(Math.min(...ys), Math.max(...ys));
    const px = (x) => PAD.left + ((x - x0) / (x1 - x0)) * (width - PAD.left - PAD.right);
    const py = (y) => height - PAD.bottom - ((y - y0) / (y1 - y0)) * (height - PAD.top - PAD.bottom);
    g.strokeStyle = style.getPropertyValue('--border');
    g.beginPath();
    g.moveTo(PAD.left, PAD.top);
    g.lineTo(PAD.left, height - PAD.bottom);
    g.lineTo(width - PAD.right, height - PAD.bottom);
    g.stroke();
    g.fillText(formatNumber(y1), 4, PAD.top + 10);
    g.fillText(formatNumber(y0), 4, height - PAD.bottom);
    g.fillText(categories.length ? categories[0] : formatNumber(x0), PAD.left, height - 12);
    const right = categories.length ? categories[categories.length - 1] : formatNumber(x1);
    g.fillText(right, width - PAD.right - g.measureText(right).width, height - 12);
    const label = `${parameter} → ${metric}`;
    g.fillText(label, (width - g.measureText(label).width) / 2, height - 12);
    points = shown.map((trial) => ({ trial, x: px(xOf(trial)), y: py(trial.value) }));
    for (const point of points) {
      g.fillStyle = style.getPropertyValue(STATUS_COLOURS[point.trial.status] || '--pending');
      g.globalAlpha = 0.75;
      g.beginPath();
      g.arc(point.x, point.y, 3.5, 0, Math.PI * 2);
      g.fill();
    }
    g.globalAlpha = 1;
    const top = points.find((point) => point.trial.key === best);
    if (top) {
      g.strokeStyle = style.getPropertyValue('--accent');
      g.lineWidth = 2;
      g.beginPath();
      g.arc(top.x, top.y, 7, 0, Math.PI * 2);
      g.stroke();
      g.lineWidth = 1;
    }
  }

  function nearest(event) {
    const box = canvas.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    let found = null;
    let distance = 64;
    for (const point of points) {
      const d = (point.x - x) ** 2 + (point.y - y) ** 2;
      if (d < distance) [found, distance] = [point, d];
    }
    return found;
  }

  canvas.addEventListener('mousemove', (event) => {
    const point = nearest(event);
    tip.hidden = !point;
    if (!point) return;
    const params = Object.entries(point.trial.params).map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(v) : v}`).join(' ');
    tip.textContent = `${params} · ${formatNumber(point.trial.value)} · ${point.trial.status}`;
    tip.style.left = `${point.x + 10}px`;
    tip.style.top = `${point.y - 10}px`;
  });
  canvas.addEventListener('mouseleave', () => (tip.hidden = true));
  canvas.addEventListener('click', (event) => {
    const point = nearest(event);
    if (point) onPick(point.trial);
  });
  return { el, draw };
}

function padded(low, high) {
  if (low === high) return [low - 1, high + 1];
  const margin = (high - low) * 0.06;
  return [low - margin, high + margin];
}
