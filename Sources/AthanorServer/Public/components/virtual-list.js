// A virtualized list: fixed row height, a spacer as tall as every row together, only the rows in
// view (plus a few) in the DOM, and rows fetched in pages as they come into view. Lists taller
// than browsers allow an element to be are scaled: the scrollbar maps to row indices.

import { h } from '../dom.js';

const MAX_HEIGHT = 8_000_000; // px; browsers cap element heights at 17–33 million
const OVERSCAN = 8;
const MAX_PAGES = 64;

/**
 * Options: `rowHeight` (px), `pageSize`, `fetchPage(offset, limit)` → Promise<entries>,
 * `renderRow(entry or null while loading, index)` → element, `empty` (element shown with no rows),
 * `onFollowChange(following)`. Returns the list's controls; see the methods below.
 */
export function virtualList({ rowHeight, pageSize = 200, fetchPage, renderRow, empty = null, onFollowChange = () => {}, className = '' }) {
  const spacer = h('div', { class: 'vlist-spacer' });
  const el = h('div', { class: ['vlist', className], tabindex: '0' }, spacer);
  const emptyHolder = h('div', { class: 'vlist-empty', hidden: true }, empty);
  el.append(emptyHolder);

  let count = 0;
  let generation = 0;
  let following = true;
  let frame = 0;
  let fetchTimer = 0;
  const pages = new Map(); // page number → entries (the last page may be partial)
  const inFlight = new Set(); // page numbers
  const rows = new Map(); // index → {el, loaded}
  let lastRange = [0, -1];

  const page = (index) => Math.floor(index / pageSize);

  function entryAt(index) {
    const entries = pages.get(page(index));
    if (!entries) return undefined;
    return entries[index - page(index) * pageSize];
  }

  function geometry() {
    const viewport = el.clientHeight || 1;
    const total = count * rowHeight;
    const height = Math.min(total, MAX_HEIGHT);
    const scrollTop = el.scrollTop;
    let first;
    if (total <= MAX_HEIGHT) {
      first = scrollTop / rowHeight;
    } else {
      const maxScroll = Math.max(1, height - viewport);
      first = (Math.min(scrollTop, maxScroll) / maxScroll) * Math.max(0, count - viewport / rowHeight);
    }
    const visible = Math.ceil(viewport / rowHeight) + 1;
    return { viewport, height, scrollTop, first, visible };
  }

  function render() {
    frame = 0;
    spacer.style.height = `${Math.min(count * rowHeight, MAX_HEIGHT)}px`;
    if (following) el.scrollTop = el.scrollHeight;
    const g = geometry();
    emptyHolder.hidden = count > 0 || !empty;
    const start = Math.max(0, Math.floor(g.first) - OVERSCAN);
    const end = Math.min(count - 1, Math.floor(g.first) + g.visible + OVERSCAN);
    lastRange = [start, end];
    for (const [index, row] of rows) {
      if (index < start || index > end) {
        row.el.remove();
        rows.delete(index);
      }
    }
    let missing = false;
    for (let index = start; index <= end; index++) {
      const entry = entryAt(index);
      let row = rows.get(index);
      if (row && !row.loaded && entry !== undefined) {
        row.el.remove();
        row = null;
      }
      if (!row) {
        const rowEl = renderRow(entry === undefined ? null : entry, index);
        rowEl.classList.add('vlist-row');
        rowEl.style.height = `${rowHeight}px`;
        row = { el: rowEl, loaded: entry !== undefined };
        rows.set(index, row);
        spacer.append(rowEl);
      }
      if (!row.loaded) missing = true;
      row.el.style.transform = `translateY(${Math.round(g.scrollTop + (index - g.first) * rowHeight)}px)`;
    }
    if (missing) scheduleFetch();
  }

  function invalidate() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function scheduleFetch() {
    if (fetchTimer) return;
    fetchTimer = setTimeout(() => {
      fetchTimer = 0;
      fetchVisible();
    }, 40);
  }

  function fetchVisible() {
    const [start, end] = lastRange;
    if (end < start) return;
    for (let p = page(start); p <= page(end); p++) {
      const entries = pages.get(p);
      const pageEnd = Math.min(count, (p + 1) * pageSize);
      const complete = entries && p * pageSize + entries.length >= pageEnd;
      if (complete || inFlight.has(p)) continue;
      inFlight.add(p);
      const gen = generation;
      fetchPage(p * pageSize, pageSize)
        .then((fetched) => {
          if (gen !== generation) return;
          const known = pages.get(p);
          if (!known || fetched.length >= known.length) pages.set(p, fetched);
          evict();
          invalidate();
        })
        .catch((error) => {
          if (error.name !== 'AbortError') console.error('athanor: fetching rows failed', error);
        })
        .finally(() => {
          if (gen === generation) inFlight.delete(p);
        });
    }
  }

  function evict() {
    if (pages.size <= MAX_PAGES) return;
    const center = page(lastRange[0]);
    const far = [...pages.keys()].sort((a, b) => Math.abs(b - center) - Math.abs(a - center));
    for (const p of far.slice(0, pages.size - MAX_PAGES)) pages.delete(p);
  }

  function atBottom() {
    return el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
  }

  function setFollowing(value) {
    if (following === value) return;
    following = value;
    onFollowChange(following);
  }

  el.addEventListener('scroll', () => {
    setFollowing(atBottom());
    invalidate();
  }, { passive: true });
  el.addEventListener('wheel', (event) => {
    if (event.deltaY < 0) setFollowing(false);
  }, { passive: true });
  el.addEventListener('keydown', (event) => {
    if (['ArrowUp', 'PageUp', 'Home'].includes(event.key)) setFollowing(false);
  });
  const resizeObserver = new ResizeObserver(() => invalidate());
  resizeObserver.observe(el);

  return {
    el,
    get count() {
      return count;
    },
    get following() {
      return following;
    },
    /** Sets the number of rows (keeping the tail in view while following). */
    setCount(n) {
      if (n === count) return;
      count = n;
      for (const [index, row] of rows) {
        if (index >= count) {
          row.el.remove();
          rows.delete(index);
        }
      }
      invalidate();
    },
    /** Forgets every row (a new filter); pending fetches are ignored when they answer. */
    reset() {
      generation++;
      pages.clear();
      inFlight.clear();
      for (const row of rows.values()) row.el.remove();
      rows.clear();
      invalidate();
    },
    /** Stores rows fetched elsewhere, starting at `offset`. */
    putMany(offset, entries) {
      entries.forEach((entry, i) => this.put(offset + i, entry));
    },
    /** Stores one row (a live append, or a newer value of a known row). */
    put(index, entry) {
      const p = page(index);
      const slot = index - p * pageSize;
      let entries = pages.get(p);
      if (!entries && slot === 0) pages.set(p, (entries = []));
      if (!entries || slot > entries.length) return;
      entries[slot] = entry;
      const row = rows.get(index);
      if (row) {
        row.el.remove();
        rows.delete(index);
      }
      invalidate();
    },
    /** Starts or stops keeping the last row in view. */
    follow(value = true) {
      setFollowing(value);
      invalidate();
    },
    /** Renders the rows again (after a selection changed, say). */
    refresh() {
      for (const row of rows.values()) row.el.remove();
      rows.clear();
      invalidate();
    },
    /** Stops observing and fetching (the page is going away). */
    destroy() {
      generation++;
      resizeObserver.disconnect();
      cancelAnimationFrame(frame);
      clearTimeout(fetchTimer);
    },
  };
}
