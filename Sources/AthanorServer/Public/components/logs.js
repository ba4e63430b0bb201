// A run's log: level filter, text search, an exact count, and a virtualized list that follows
// the tail. Rows come from GET /api/runs/{id}/logs in windows; live lines come from the run's
// event stream through `append`.

import { h, setText, icon } from '../dom.js';
import { api } from '../api.js';
import { formatClock, formatCount, preview } from '../format.js';
import { virtualList } from './virtual-list.js';
import { jsonTree } from './json-tree.js';
import { matchesText } from '../text-search.js';

const ROW_HEIGHT = 24;
const PAGE = 200;
const LEVELS = ['debug', 'info', 'warn', 'error'];
const LEVEL_NAMES = { debug: 'All levels', info: 'Info and above', warn: 'Warnings and errors', error: 'Errors only' };

const rank = (level) => {
  const i = LEVELS.indexOf(level);
  return i < 0 ? LEVELS.length : i;
};

/** Lines at or above `level` according to the run's counts by level. */
function countAtOrAbove(counts, level) {
  return LEVELS.slice(rank(level)).reduce((sum, name) => sum + (counts[name] || 0), 0);
}

/**
 * `logView({run, live, signal})` → `{el, append(logEvent), setCounts(log_counts), setLive(bool), destroy()}`.
 * `run` is the run object at the time the page loaded; `live` says whether events will follow.
 */
export function logView({ run, live, signal }) {
  let counts = { ...run.log_counts };
  let isLive = live;
  let filter = { level: 'debug', q: '' };
  let matched = 0;
  let horizon = 0; // seq of the last matching line included in `matched`
  let loadingTail = null; // queue of live lines while the tail is being fetched, else null
  let generation = 0;
  let selectedSeq = null;

  const levelSelect = h(
    'select',
    { class: 'input input-sm', 'aria-label': 'Minimum level', name: 'level' },
    LEVELS.map((level) => h('option', { value: level, text: LEVEL_NAMES[level] })),
  );
  const search = h('input', { class: 'input input-sm', type: 'search', name: 'q', placeholder: 'Search messages', 'aria-label': 'Search messages', autocomplete: 'off' });
  const countText = h('span', { class: 'log-count', 'aria-live': 'polite' });
  const levelChips = h('span', { class: 'level-chips' });
  const followButton = h('button', { type: 'button', class: 'btn btn-sm btn-ghost follow-button', hidden: true, onclick: () => list.follow(true) }, icon('down'), 'Jump to latest');
  const detail = h('div', { class: 'log-detail', hidden: true });

  const list = virtualList({
    rowHeight: ROW_HEIGHT,
    pageSize: PAGE,
    className: 'log-list',
    fetchPage: (offset, limit) => fetchLines(offset, limit),
    renderRow,
    empty: h('div', { class: 'empty-rows', text: 'No log lines yet.' }),
    onFollowChange: (following) => {
      followButton.hidden = following;
    },
  });

  const el = h(
    'section',
    { class: 'card logs', 'aria-label': 'Logs' },
    h(
      'div',
      { class: 'card-head' },
      h('h2', { text: 'Logs' }),
      levelChips,
      h('div', { class: 'toolbar' }, levelSelect, search, countText),
    ),
    h('div', { class: 'log-frame' }, list.el, followButton),
    detail,
  );

  function renderRow(entry, index) {
    if (!entry) return h('div', { class: 'log-row loading', dataset: { index: String(index) } }, h('span', { class: 'log-time' }), h('span', { class: 'log-skeleton' }));
    const row = h(
      'div',
      {
        class: ['log-row', `log-${entry.level}`, entry.seq === selectedSeq && 'selected'],
        dataset: { index: String(index), seq: String(entry.seq) },
        title: entry.message,
        onclick: () => select(entry),
      },
      h('span', { class: 'log-time', text: formatClock(entry.ts) }),
      h('span', { class: 'log-level', text: entry.level }),
      h('span', { class: 'log-message', text: entry.message }),
      entry.metadata !== undefined && entry.metadata !== null ? h('span', { class: 'log-meta', text: preview(entry.metadata, 160) }) : null,
    );
    return row;
  }

  function select(entry) {
    selectedSeq = selectedSeq === entry.seq ? null : entry.seq;
    list.refresh();
    detail.replaceChildren();
    detail.hidden = selectedSeq === null;
    if (selectedSeq === null) return;
    detail.append(
      h(
        'div',
        { class: 'log-detail-head' },
        h('span', { class: `log-level log-${entry.level}`, text: entry.level }),
        h('span', { class: 'muted', text: `seq ${entry.seq} · ${entry.ts}` }),
        h('button', { type: 'button', class: 'btn btn-sm btn-ghost', 'aria-label': 'Close', onclick: () => select(entry) }, icon('close')),
      ),
      h('pre', { class: 'log-detail-message', text: entry.message }),
      entry.metadata !== undefined && entry.metadata !== null ? jsonTree(entry.metadata, { label: 'metadata', expandDepth: 2 }) : null,
    );
  }

  function matches(line) {
    if (rank(line.level) < rank(filter.level)) return false;
    return matchesText(line.message, filter.q);
  }

  async function fetchLines(offset, limit) {
    const answer = await api.logs(run.run, { level: filter.level, q: filter.q, offset, limit }, { signal });
    if (!isLive && !loadingTail && answer.matched !== matched) {
      matched = answer.matched;
      list.setCount(matched);
      showCount();
    }
    return answer.entries;
  }

  /** Fetches the last page of lines matching the filter and starts counting from there. */
  async function loadTail() {
    const gen = ++generation;
    loadingTail = [];
    list.reset();
    list.follow(true);
    let offset = filter.q ? 0 : Math.max(0, countAtOrAbove(counts, filter.level) - PAGE);
    let answer;
    for (let attempt = 0; attempt < 5; attempt++) {
      answer = await api.logs(run.run, { level: filter.level, q: filter.q, offset, limit: PAGE }, { signal });
      if (gen !== generation) return;
      if (offset + answer.entries.length >= answer.matched) break;
      offset = Math.max(0, answer.matched - PAGE);
    }
    const queued = loadingTail;
    loadingTail = null;
    matched = answer.matched;
    const last = answer.entries[answer.entries.length - 1];
    horizon = matched > 0 && last ? last.seq : 0;
    list.putMany(offset, answer.entries);
    for (const line of queued) take(line);
    list.setCount(matched);
    list.follow(true);
    showCount();
  }

  function take(line) {
    if (line.seq <= horizon || !matches(line)) return;
    horizon = line.seq;
    list.put(matched, line);
    matched += 1;
  }

  let showFrame = 0;
  function scheduleShow() {
    if (!showFrame) showFrame = requestAnimationFrame(showCount);
  }

  function showCount() {
    showFrame = 0;
    const total = countAtOrAbove(counts, 'debug');
    const filtered = filter.level !== 'debug' || filter.q;
    setText(countText, filtered ? `${formatCount(matched)} of ${formatCount(total)} lines` : `${formatCount(total)} ${total === 1 ? 'line' : 'lines'}`);
    countText.dataset.total = String(total);
    countText.dataset.matched = String(matched);
    levelChips.replaceChildren(
      ...LEVELS.filter((level) => counts[level]).map((level) => h('span', { class: `chip log-${level}`, title: `${level} lines` }, h('span', { class: 'chip-name', text: level }), ` ${formatCount(counts[level])}`)),
    );
  }

  let searchTimer = 0;
  levelSelect.addEventListener('change', () => {
    filter = { ...filter, level: levelSelect.value };
    loadTail().catch(report);
  });
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      if (search.value.trim() === filter.q) return;
      filter = { ...filter, q: search.value.trim() };
      loadTail().catch(report);
    }, 250);
  });

  function report(error) {
    if (error.name === 'AbortError') return;
    console.error(error);
    setText(countText, `Could not load the log: ${error.message}`);
  }

  showCount();
  loadTail().catch(report);

  return {
    el,
    /** A `log` journal event from the run's stream. */
    append(line) {
      if (loadingTail) return loadingTail.push(line);
      take(line);
      list.setCount(matched);
      scheduleShow();
    },
    /** The run's counts by level (after folding the same events). */
    setCounts(next) {
      counts = { ...next };
      scheduleShow();
    },
    setLive(value) {
      isLive = value;
    },
    destroy() {
      clearTimeout(searchTimer);
      cancelAnimationFrame(showFrame);
      list.destroy();
    },
  };
}
