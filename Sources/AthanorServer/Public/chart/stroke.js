// Stroking a line through any number of points at a constant cost: each pixel column gets at
// most four of them (its first, lowest, highest and last), so ten thousand points draw as fast as
// a thousand and no spike disappears.

/** Calls fn(x, y) for every point of `parts` ([{line, from}]) in order. */
export function eachPoint(parts, fn) {
  for (const { line, from } of parts) for (let i = from; i < line.length; i++) fn(line.x[i], line.y[i]);
}

/**
 * Strokes the line through `parts` in the context's current style, keeping per pixel column its
 * first, lowest, highest and last points. Points outside the x range [x0, x1] are skipped but for
 * those that enter or leave it; a value a log axis cannot show breaks the line.
 */
export function strokeLine(ctx, parts, xScale, yScale, [x0, x1], log) {
  const column = columnReducer(ctx);
  let inside = false;
  let waitingX = NaN;
  let waitingY = NaN;
  ctx.beginPath();
  eachPoint(parts, (x, y) => {
    if (log && !(y > 0)) {
      column.gap();
      inside = false;
      waitingX = NaN;
      return;
    }
    if (x < x0 || x > x1) {
      if (inside) column.point(xScale.toPixel(x), yScale.toPixel(y));
      else {
        waitingX = x;
        waitingY = y;
      }
      inside = false;
      return;
    }
    if (!inside && !Number.isNaN(waitingX)) column.point(xScale.toPixel(waitingX), yScale.toPixel(waitingY));
    waitingX = NaN;
    inside = true;
    column.point(xScale.toPixel(x), yScale.toPixel(y));
  });
  column.gap();
  ctx.stroke();
}

/** Adds points to the current path, reduced to four per pixel column (pixel y grows downwards). */
function columnReducer(ctx) {
  let column = null;
  let count = 0;
  let penDown = false;
  let firstX, firstY, lastX, lastY, topX, topY, topAt, bottomX, bottomY, bottomAt;
  const to = (x, y) => {
    if (penDown) ctx.lineTo(x, y);
    else ctx.moveTo(x, y);
    penDown = true;
  };
  const flush = () => {
    if (column === null) return;
    to(firstX, firstY);
    if (count > 1) {
      if (topAt < bottomAt) {
        to(topX, topY);
        to(bottomX, bottomY);
      } else {
        to(bottomX, bottomY);
        to(topX, topY);
      }
      to(lastX, lastY);
    }
    column = null;
  };
  return {
    point(px, py) {
      const c = Math.round(px);
      if (c !== column) {
        flush();
        column = c;
        count = 0;
        firstX = lastX = topX = bottomX = px;
        firstY = lastY = topY = bottomY = py;
        topAt = bottomAt = 0;
      } else {
        lastX = px;
        lastY = py;
        if (py < topY) {
          topX = px;
          topY = py;
          topAt = count;
        }
        if (py > bottomY) {
          bottomX = px;
          bottomY = py;
          bottomAt = count;
        }
      }
      count++;
    },
    gap() {
      flush();
      penDown = false;
    },
  };
}
