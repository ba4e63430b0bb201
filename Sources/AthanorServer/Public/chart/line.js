// The points of a chart line as two columns of doubles, appended without allocating per point,
// and the line the server's answer for a curve draws (GET /api/metrics, docs/http-api.md).

/** Growable x and y columns: `x`, `y` (typed arrays, valid up to `length`), `push`, `dropFirst`. */
export class Line {
  constructor(capacity = 64) {
    this.x = new Float64Array(capacity);
    this.y = new Float64Array(capacity);
    this.length = 0;
  }

  push(x, y) {
    if (this.length === this.x.length) {
      this.x = grown(this.x);
      this.y = grown(this.y);
    }
    this.x[this.length] = x;
    this.y[this.length] = y;
    this.length++;
  }

  /** Forgets the first `n` points. */
  dropFirst(n) {
    const count = Math.min(n, this.length);
    this.x.copyWithin(0, count, this.length);
    this.y.copyWithin(0, count, this.length);
    this.length -= count;
  }

  /** The last x, or -Infinity when empty. */
  get lastX() {
    return this.length ? this.x[this.length - 1] : -Infinity;
  }
}

function grown(column) {
  const bigger = new Float64Array(column.length * 2);
  bigger.set(column);
  return bigger;
}

/**
 * The line through a sampled curve of the answer (`{raw, x, y, buckets}`): every point when raw,
 * else each bucket's first, lowest, highest and last points in x order, so spikes stay drawn.
 */
export function lineOfSample(sample) {
  if (!sample) return new Line(1);
  if (sample.raw !== false) {
    const line = new Line(Math.max(1, sample.x.length));
    for (let i = 0; i < sample.x.length; i++) line.push(sample.x[i], sample.y[i]);
    return line;
  }
  const line = new Line(Math.max(1, sample.buckets.length * 4));
  for (const bucket of sample.buckets) {
    const points = [bucket.first, bucket.min, bucket.max, bucket.last].sort((a, b) => a[0] - b[0]);
    let previous = null;
    for (const point of points) {
      if (previous && previous[0] === point[0] && previous[1] === point[1]) continue;
      line.push(point[0], point[1]);
      previous = point;
    }
  }
  return line;
}

/** Seconds since the Unix epoch of an RFC 3339 UTC time, keeping its microseconds. */
export function epochSeconds(iso) {
  const found = /^(.*?)(?:\.(\d+))?Z$/.exec(iso || '');
  if (!found) return Date.parse(iso) / 1000;
  return Date.parse(`${found[1]}Z`) / 1000 + (found[2] ? Number(`0.${found[2]}`) : 0);
}
