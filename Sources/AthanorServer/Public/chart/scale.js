// The axes of a metric chart: data ↔ pixels (linear or logarithmic) and ticks with readable labels.

/** A scale from `domain` [d0, d1] to `range` [p0, p1]; `log` maps log10 of the values. */
export function scale(kind, [d0, d1], [p0, p1]) {
  const f = kind === 'log' ? Math.log10 : (v) => v;
  const a = f(d0);
  const span = f(d1) - a || 1;
  const k = (p1 - p0) / span;
  return {
    kind,
    domain: [d0, d1],
    toPixel: (v) => p0 + (f(v) - a) * k,
    toValue: (p) => (kind === 'log' ? 10 ** (a + (p - p0) / k) : a + (p - p0) / k),
  };
}

/** [lo, hi] widened a little on both sides (in log space for `log`), so lines clear the edges. */
export function padded(kind, lo, hi) {
  if (kind === 'log') {
    const [a, b] = padded('linear', Math.log10(lo), Math.log10(hi));
    return [10 ** a, 10 ** b];
  }
  if (hi === lo) {
    const half = Math.abs(lo) * 0.1 || 1;
    return [lo - half, hi + half];
  }
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

/** About `count` ticks at 1, 2 or 5 × 10ⁿ between lo and hi: `{values, step}`. */
export function niceTicks(lo, hi, count = 5) {
  return ticksWithSteps(lo, hi, count, niceStep);
}

/** Ticks for steps: as niceTicks, but never between two whole steps. */
export function stepTicks(lo, hi, count = 5) {
  return ticksWithSteps(lo, hi, count, (rough) => Math.max(1, niceStep(rough)));
}

function niceStep(rough) {
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough * (1 - 1e-9));
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** Ticks for seconds: sub-second steps as numbers, then 1 s, 5 s, 15 s, 1 min, 5 min, 1 h… */
export function timeTicks(lo, hi, count = 5) {
  const rough = (hi - lo) / Math.max(1, count);
  if (!(rough >= 1)) return niceTicks(lo, hi, count);
  return ticksWithSteps(lo, hi, count, () => TIME_STEPS.find((s) => s >= rough) ?? Math.ceil(rough / 86400) * 86400);
}

function ticksWithSteps(lo, hi, count, stepFor) {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return { values: Number.isFinite(lo) ? [lo] : [], step: 0 };
  const step = stepFor((hi - lo) / Math.max(1, count));
  const values = [];
  for (let i = Math.ceil(lo / step - 1e-9); i * step <= hi + step * 1e-9; i++) values.push(i * step);
  return { values, step };
}

/** Ticks of a log axis: the powers of ten inside [lo, hi], with their 2× and 5× when they are few. */
export function logTicks(lo, hi) {
  const inside = (v) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  const powers = [];
  for (let p = Math.floor(Math.log10(lo)); p <= Math.ceil(Math.log10(hi)); p++) powers.push(10 ** p);
  const values = powers.filter(inside).length >= 3 ? powers.filter(inside) : powers.flatMap((v) => [v, 2 * v, 5 * v]).filter(inside);
  return { values: values.length >= 2 ? values : niceTicks(lo, hi).values, step: 0 };
}

/** A number short enough for an axis: as many decimals as `step` needs, exponents when huge or tiny. */
export function formatNumber(v, step = 0) {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e7 || a < 1e-4) return v.toExponential(step ? 1 : 3).replace(/\.?0+e/, 'e');
  const decimals = step > 0 ? Math.min(10, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : null;
  return decimals === null ? v.toLocaleString('en-US', { maximumSignificantDigits: 6 }) : v.toLocaleString('en-US', { maximumFractionDigits: decimals });
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** Seconds since the run started as "42 s", "3:05" or "1:02:05". */
export function formatElapsed(seconds, step = 0) {
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s < 60) return `${sign}${formatNumber(s, step && Math.min(step, 1))} s`;
  const whole = Math.round(s);
  const two = (n) => String(n).padStart(2, '0');
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  return h ? `${sign}${h}:${two(m)}:${two(whole % 60)}` : `${sign}${m}:${two(whole % 60)}`;
}

/** Seconds since the Unix epoch as a local clock time (with the day when `step` is a day or more). */
export function formatWall(seconds, step = 0) {
  const date = new Date(seconds * 1000);
  return step >= 86400 ? day.format(date) : clock.format(date);
}
