// One run's curve of one metric key as a chart holds it: the server's answer for the whole curve
// (`base`), the points that arrived on the run's event stream since (`tail`), and while the
// chart is zoomed, the server's answer for the zoomed range (`detail`).
//
// Points are told apart by their index in the curve, never by their x: the page learns how many
// points the curve had when it loaded (the run's `metrics[key].count`), each point from the
// stream is the next one, and an answer's `count` says how many it covers. So a point both in an
// answer and on the stream is drawn once, whichever came first.

import { Line, lineOfSample } from './line.js';

/** The x of a point on `axis`: `step`, `time` (seconds since `origin`) or `wall` (Unix seconds). */
export function xOn(axis, step, wall, origin) {
  return axis === 'step' ? step : axis === 'wall' ? wall : wall - origin;
}

export class MetricSeries {
  /** `known`: the points the curve had when the page loaded; `origin`: the run's first event (Unix seconds). */
  constructor({ run, key, known = 0, origin = 0, axis = 'step' }) {
    this.run = run;
    this.key = key;
    this.origin = origin;
    this.axis = axis;
    this.weight = 0;
    this.known = known;
    this.tailStart = known; // index in the curve of the tail's first point
    this.base = null; // {line, smoothed, count, raw}
    this.detail = null; // {range, line, smoothed, count, raw}
    this.tail = new Line(); // x on `axis`, y the value
    this.stamps = new Line(); // x the step, y the Unix time, of each tail point
    this.tailSmoothed = new Line();
    this.average = 0;
    this.averaged = 0;
  }

  /** A point from the stream (the curve's next one). Returns whether it was new to the chart. */
  add(step, wall, value) {
    const index = this.known++;
    if (index < this.tailStart) return false;
    const x = xOn(this.axis, step, wall, this.origin);
    this.tail.push(x, value);
    this.stamps.push(step, wall);
    if (this.weight) this.smoothNext(x, value);
    return true;
  }

  /** Puts the tail on `axis` with smoothing `weight` (before the answer for them arrives). */
  configure(axis, weight) {
    if (axis !== this.axis) {
      this.axis = axis;
      for (let i = 0; i < this.tail.length; i++) this.tail.x[i] = xOn(axis, this.stamps.x[i], this.stamps.y[i], this.origin);
    }
    if (weight !== this.weight) {
      this.weight = weight;
      this.resmooth();
    }
  }

  /** The answer for the whole curve (on the configured axis and smoothing): `sample` and its `smoothed` form. */
  setBase(sample, smoothed) {
    this.base = { line: lineOfSample(sample), smoothed: smoothed ? lineOfSample(smoothed) : null, count: sample.count, raw: sample.raw !== false };
    if (sample.count > this.tailStart) {
      this.tail.dropFirst(sample.count - this.tailStart);
      this.stamps.dropFirst(sample.count - this.tailStart);
      this.tailStart = sample.count;
    }
    this.resmooth();
  }

  /** The answer for the x range `range` ([from, to]), or null to leave the zoom. */
  setDetail(range, sample, smoothed) {
    this.detail = range && sample ? { range, line: lineOfSample(sample), smoothed: smoothed ? lineOfSample(smoothed) : null, count: sample.count, raw: sample.raw !== false } : null;
  }

  /** What to draw: `{parts, smoothed}`, each a list of `{line, from}` drawn as one line. */
  parts() {
    const source = this.detail || this.base;
    const from = this.detail ? firstAfter(this.tail, this.detail.line.lastX) : 0;
    const parts = source ? [{ line: source.line, from: 0 }, { line: this.tail, from }] : [{ line: this.tail, from: 0 }];
    if (!this.weight) return { parts, smoothed: null };
    const smoothed = source && source.smoothed ? [{ line: source.smoothed, from: 0 }, { line: this.tailSmoothed, from }] : [{ line: this.tailSmoothed, from }];
    return { parts, smoothed };
  }

  /** The value of the latest point, or null before any. */
  get last() {
    if (this.tail.length) return this.tail.y[this.tail.length - 1];
    const line = this.base && this.base.line;
    return line && line.length ? line.y[line.length - 1] : null;
  }

  /** Whether the drawn points are every point (not buckets). */
  get raw() {
    const source = this.detail || this.base;
    return source ? source.raw : true;
  }

  /** TensorBoard's debiased moving average of the tail, continued from the base's last smoothed value. */
  resmooth() {
    this.tailSmoothed.length = 0;
    if (!this.weight) return;
    const smoothed = this.base && this.base.smoothed;
    const last = smoothed && smoothed.length ? smoothed.y[smoothed.length - 1] : 0;
    this.averaged = this.base ? this.base.count : 0;
    this.average = last * (1 - this.weight ** this.averaged);
    for (let i = 0; i < this.tail.length; i++) this.smoothNext(this.tail.x[i], this.tail.y[i]);
  }

  smoothNext(x, value) {
    const w = this.weight;
    this.averaged++;
    this.average = this.average * w + (1 - w) * value;
    this.tailSmoothed.push(x, this.average / (1 - w ** this.averaged));
  }
}

/** The index of the first point of `line` whose x is above `x` (x increasing, as curves mostly are). */
function firstAfter(line, x) {
  let lo = 0;
  let hi = line.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (line.x[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
