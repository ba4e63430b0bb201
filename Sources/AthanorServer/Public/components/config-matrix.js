// The configurations of several runs as one table: a row per key (nested keys flattened by the
// server: `a.b`, `a[0]`), a column per run, and the rows whose values differ highlighted.

import { h } from '../dom.js';
import { preview } from '../format.js';

/** `configMatrix({runs: [{label, color}], rows: [{key, values, differs}]})` → the element. */
export function configMatrix({ runs, rows }) {
  if (rows.length === 0) return h('p', { class: 'muted', text: 'No configuration.' });
  const differing = rows.filter((row) => row.differs).length;
  const table = h(
    'table',
    { class: 'table config-matrix' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Key' }), runs.map((run) => h('th', { scope: 'col' }, h('span', { class: 'swatch', style: { background: run.color } }), run.label)))),
    h(
      'tbody',
      {},
      rows.map((row) =>
        h(
          'tr',
          { class: row.differs && 'differs', dataset: { key: row.key } },
          h('th', { scope: 'row' }, h('code', { text: row.key })),
          row.values.map((value) => h('td', { class: typeof value === 'string' ? '' : 'mono', text: value === null ? '—' : typeof value === 'string' ? value : preview(value, 200) })),
        ),
      ),
    ),
  );
  const onlyDifferences = h('input', { type: 'checkbox', name: 'only-differences', onchange: () => table.classList.toggle('only-differences', onlyDifferences.checked) });
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'toolbar config-matrix-tools' },
      h('span', { class: 'muted small', text: differing === 1 ? '1 key differs' : `${differing} keys differ` }),
      h('label', { class: 'checkbox' }, onlyDifferences, 'Only keys that differ'),
    ),
    h('div', { class: 'table-wrap' }, table),
  );
}
