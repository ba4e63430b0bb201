// A table of rows that sort by any column: click a header to sort ascending, again to sort
// descending. Missing values (null) stay last either way.

import { h } from '../dom.js';

/**
 * `sortableTable({columns, rows, className, rowAttributes})` → the element. A column is
 * `{label, value(row)}` (what it sorts by: a number, a string or null), with optionally
 * `cell(row)` (what it shows, else the value) and `numeric` (aligned as numbers).
 */
export function sortableTable({ columns, rows, className, rowAttributes = () => ({}) }) {
  let sort = null; // {index, direction: 1 | -1}
  const body = h('tbody');
  const heads = columns.map((column, index) =>
    h(
      'th',
      { scope: 'col', class: column.numeric && 'num', 'aria-sort': 'none' },
      h('button', { type: 'button', class: 'sort-button', onclick: () => sortBy(index) }, column.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' })),
    ),
  );

  function sortBy(index) {
    sort = { index, direction: sort && sort.index === index ? -sort.direction : 1 };
    show();
  }

  function show() {
    const ordered = sort ? [...rows].sort((a, b) => compareValues(columns[sort.index].value(a), columns[sort.index].value(b), sort.direction)) : rows;
    body.replaceChildren(
      ...ordered.map((row) =>
        h(
          'tr',
          rowAttributes(row),
          columns.map((column) => h('td', { class: column.numeric && 'num' }, column.cell ? column.cell(row) : String(column.value(row) ?? '—'))),
        ),
      ),
    );
    heads.forEach((head, i) => head.setAttribute('aria-sort', sort && sort.index === i ? (sort.direction > 0 ? 'ascending' : 'descending') : 'none'));
  }

  show();
  return h('div', { class: 'table-wrap' }, h('table', { class: ['table', 'sortable-table', className] }, h('thead', {}, h('tr', {}, heads)), body));
}

/** Orders two sort values (numbers, strings, or null, which stays last) in `direction` (1 or -1). */
export function compareValues(a, b, direction) {
  const aMissing = a === null || a === undefined;
  const bMissing = b === null || b === undefined;
  if (aMissing || bMissing) return aMissing - bMissing;
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * direction;
  return String(a).localeCompare(String(b), undefined, { numeric: true }) * direction;
}
