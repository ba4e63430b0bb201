// A run's results: a virtualized list of keys (in the order first recorded) and, for the selected
// key, its value as a JSON tree. Live results arrive through `add`.

import { h, setText, icon } from '../dom.js';
import { api } from '../api.js';
import { formatCount, formatTime, preview } from '../format.js';
import { virtualList } from './virtual-list.js';
import { jsonTree } from './json-tree.js';
import { toast } from './notice.js';

const ROW_HEIGHT = 32;
const PAGE = 100;

/** `resultsView({run, signal})` → `{el, add(resultEvent), destroy()}`. */
export function resultsView({ run, signal }) {
  const indexOfKey = new Map((run.result_keys || []).map((key, i) => [key, i]));
  let selected = null; // {key, seq}

  const countText = h('span', { class: 'muted result-count' });
  const detail = h('div', { class: 'result-detail' });
  const list = virtualList({
    rowHeight: ROW_HEIGHT,
    pageSize: PAGE,
    className: 'result-keys',
    fetchPage: async (offset, limit) => (await api.results(run.run, { offset, limit }, { signal })).entries,
    renderRow,
    empty: h('div', { class: 'empty-rows', text: 'No results yet.' }),
    onFollowChange: () => {},
  });
  list.follow(false);

  const el = h(
    'section',
    { class: 'card results', 'aria-label': 'Results' },
    h('div', { class: 'card-head' }, h('h2', { text: 'Results' }), countText),
    h('div', { class: 'results-body' }, list.el, detail),
  );

  function renderRow(entry, index) {
    if (!entry) return h('div', { class: 'result-row loading' }, h('span', { class: 'log-skeleton' }));
    return h(
      'button',
      {
        type: 'button',
        class: ['result-row', selected && selected.key === entry.key && 'selected'],
        dataset: { key: entry.key, index: String(index) },
        onclick: () => select(entry.key),
      },
      h('span', { class: 'result-key', text: entry.key }),
      h('span', { class: 'result-preview', text: preview(entry.value, 60) }),
    );
  }

  function showCount() {
    setText(countText, indexOfKey.size === 1 ? '1 key' : `${formatCount(indexOfKey.size)} keys`);
    list.setCount(indexOfKey.size);
    list.el.style.height = `${Math.min(380, Math.max(96, indexOfKey.size * ROW_HEIGHT + 2))}px`;
  }

  function showValue(entry) {
    const copy = h('button', {
      type: 'button',
      class: 'btn btn-sm btn-ghost',
      title: 'Copy the value as JSON',
      onclick: () => {
        navigator.clipboard.writeText(JSON.stringify(entry.value, null, 2)).then(
          () => toast('Copied to the clipboard'),
          () => toast('The browser did not allow copying', 'error'),
        );
      },
    }, icon('copy'), 'Copy JSON');
    detail.replaceChildren(
      h(
        'div',
        { class: 'result-detail-head' },
        h('div', {}, h('h3', { class: 'result-detail-key', text: entry.key }), h('div', { class: 'muted small', text: `recorded ${formatTime(entry.ts)} · seq ${entry.seq}` })),
        copy,
      ),
      jsonTree(entry.value, { label: null, expandDepth: 1, pageSize: 100 }),
    );
  }

  async function select(key) {
    selected = { key, seq: 0 };
    list.refresh();
    detail.replaceChildren(h('div', { class: 'muted', text: 'Loading…' }));
    try {
      const answer = await api.results(run.run, { key }, { signal });
      const entry = answer.entries[0];
      if (!selected || selected.key !== key) return;
      if (!entry) {
        detail.replaceChildren(h('div', { class: 'muted', text: `No result named ${key}.` }));
        return;
      }
      if (entry.seq >= selected.seq) {
        selected.seq = entry.seq;
        showValue(entry);
      }
    } catch (error) {
      if (error.name !== 'AbortError') detail.replaceChildren(h('div', { class: 'notice notice-error', text: error.message }));
    }
  }

  detail.append(h('div', { class: 'result-placeholder muted', text: 'Choose a key to see its value.' }));
  showCount();

  return {
    el,
    /** A `result` journal event from the run's stream. */
    add(event) {
      const entry = { seq: event.seq, ts: event.ts, key: event.key, value: event.value };
      let index = indexOfKey.get(event.key);
      if (index === undefined) {
        index = indexOfKey.size;
        indexOfKey.set(event.key, index);
        showCount();
      }
      list.put(index, entry);
      if (selected && selected.key === event.key && event.seq > selected.seq) {
        selected.seq = event.seq;
        showValue(entry);
      }
    },
    destroy() {
      list.destroy();
    },
  };
}
