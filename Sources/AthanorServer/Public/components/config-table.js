// An instance's configuration as a readable two-column table: nested groups and list items
// become dotted paths (model_pairs[0].model_a); arrays of plain values stay on one line.

import { h } from '../dom.js';
import { preview } from '../format.js';
import { jsonTree } from './json-tree.js';

const MAX_ROWS = 300;

function flatten(value, path, rows) {
  if (rows.length > MAX_ROWS) return;
  const plainArray = Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object');
  if (value !== null && typeof value === 'object' && !plainArray) {
    const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
    if (keys.length === 0) rows.push([path, Array.isArray(value) ? '[]' : '{}']);
    for (const key of keys) flatten(value[key], typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key, rows);
    return;
  }
  rows.push([path, typeof value === 'string' ? value : preview(value, 400)]);
}

/** A table of `config`'s values by path, or a JSON tree when it is too large for a table. */
export function configTable(config) {
  const rows = [];
  flatten(config ?? {}, '', rows);
  if (rows.length > MAX_ROWS) return jsonTree(config, { expandDepth: 2 });
  if (rows.length === 0) return h('p', { class: 'muted', text: 'No configuration.' });
  return h(
    'table',
    { class: 'table config-table' },
    h('tbody', {}, rows.map(([path, value]) => h('tr', { dataset: { path } }, h('th', { scope: 'row' }, h('code', { text: path || '(value)' })), h('td', { class: typeof value === 'string' ? '' : 'mono', text: value })))),
  );
}
