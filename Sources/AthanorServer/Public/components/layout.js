// Page building blocks shared by the views: breadcrumbs, page headers, definition grids.

import { h } from '../dom.js';

/** "Experiments › Baseline › Run 01m8…": `[[label, href], …, label]`. */
export function breadcrumbs(...items) {
  const parts = [];
  items.forEach((item, i) => {
    if (i > 0) parts.push(h('span', { class: 'crumb-sep', 'aria-hidden': 'true', text: '/' }));
    parts.push(Array.isArray(item) ? h('a', { href: item[1], text: item[0] }) : h('span', { class: 'crumb-current', text: item }));
  });
  return h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, parts);
}

/** A page title with optional extras beside it and actions on the right. */
export function pageHeader({ title, extras = [], actions = [], subtitle = null }) {
  return h(
    'div',
    { class: 'page-head' },
    h('div', { class: 'page-title' }, h('h1', {}, title), ...extras),
    actions.length ? h('div', { class: 'actions' }, ...actions) : null,
    subtitle ? h('p', { class: 'page-subtitle' }, subtitle) : null,
  );
}

/** A grid of label/value pairs; values may be nodes. Returns the <dl> and a map of the value cells. */
export function definitionGrid(pairs) {
  const cells = {};
  const dl = h(
    'dl',
    { class: 'facts' },
    pairs.map(([key, label, value]) => {
      cells[key] = h('dd', { dataset: { fact: key } }, value ?? '—');
      return h('div', { class: 'fact' }, h('dt', { text: label }), cells[key]);
    }),
  );
  return { el: dl, cells };
}

/** A placeholder while the page loads. */
export function loadingBlock(text = 'Loading…') {
  return h('div', { class: 'loading-block', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
}
