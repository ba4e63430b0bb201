// A collapsible JSON tree that stays fast on large values: children are built only when their
// parent is expanded, and at most `pageSize` at a time behind a "Show more" button.

import { h, append } from '../dom.js';
import { formatCount } from '../format.js';

const LONG_STRING = 400;

/**
 * A tree for `value`. Options: `label` (the root's name), `expandDepth` (levels open at first;
 * 1 = the root's children are listed), `pageSize` (children shown per "Show more").
 */
export function jsonTree(value, { label = null, expandDepth = 1, pageSize = 100 } = {}) {
  const tree = h('div', { class: 'json-tree' });
  append(tree, node(label, value, 0, { expandDepth, pageSize }));
  return tree;
}

function isContainer(value) {
  return value !== null && typeof value === 'object';
}

function summary(value) {
  if (Array.isArray(value)) return `Array(${formatCount(value.length)})`;
  let count = 0;
  for (const _ in value) count++;
  return count === 1 ? '{1 key}' : `{${formatCount(count)} keys}`;
}

function keyLabel(key) {
  if (key === null) return null;
  return h('span', { class: typeof key === 'number' ? 'jt-index' : 'jt-key', text: typeof key === 'number' ? String(key) : key });
}

function primitive(value) {
  if (value === null) return h('span', { class: 'jt-null', text: 'null' });
  switch (typeof value) {
    case 'string': {
      if (value.length <= LONG_STRING) return h('span', { class: 'jt-string', text: JSON.stringify(value) });
      const text = h('span', { class: 'jt-string', text: `${JSON.stringify(value.slice(0, LONG_STRING)).slice(0, -1)}…` });
      const more = h('button', {
        type: 'button',
        class: 'jt-more-inline',
        text: `show all ${formatCount(value.length)} characters`,
        onclick: () => {
          text.textContent = JSON.stringify(value);
          more.remove();
        },
      });
      return h('span', {}, text, ' ', more);
    }
    case 'number':
      return h('span', { class: 'jt-number', text: String(value) });
    case 'boolean':
      return h('span', { class: 'jt-boolean', text: String(value) });
    default:
      return h('span', { text: String(value) });
  }
}

function node(key, value, depth, options) {
  if (!isContainer(value)) {
    return h('div', { class: 'jt-item jt-leaf' }, keyLabel(key), key !== null ? h('span', { class: 'jt-colon', text: ': ' }) : null, primitive(value));
  }
  const isArray = Array.isArray(value);
  const toggle = h(
    'button',
    { type: 'button', class: 'jt-toggle', 'aria-expanded': 'false' },
    h('span', { class: 'jt-caret', 'aria-hidden': 'true' }),
    keyLabel(key),
    key !== null ? h('span', { class: 'jt-colon', text: ': ' }) : null,
    h('span', { class: 'jt-summary', text: summary(value) }),
  );
  const item = h('div', { class: 'jt-item jt-branch' }, toggle);
  let children = null;
  let keys = null;
  let shown = 0;
  let moreButton = null;

  const showMore = () => {
    const end = Math.min(keys.length, shown + options.pageSize);
    const fragment = document.createDocumentFragment();
    for (let i = shown; i < end; i++) {
      const childKey = isArray ? i : keys[i];
      fragment.append(node(childKey, value[isArray ? i : keys[i]], depth + 1, options));
    }
    shown = end;
    if (moreButton) moreButton.remove();
    moreButton = null;
    children.append(fragment);
    if (shown < keys.length) {
      const rest = keys.length - shown;
      moreButton = h('button', {
        type: 'button',
        class: 'jt-more',
        text: `Show ${formatCount(Math.min(options.pageSize, rest))} more (${formatCount(shown)} of ${formatCount(keys.length)} shown)`,
        onclick: showMore,
      });
      children.append(moreButton);
    }
  };

  const setOpen = (open) => {
    toggle.setAttribute('aria-expanded', String(open));
    item.classList.toggle('open', open);
    if (open && !children) {
      keys = isArray ? { length: value.length } : Object.keys(value);
      children = h('div', { class: 'jt-children' });
      item.append(children);
      if (keys.length === 0) children.append(h('div', { class: 'jt-empty', text: isArray ? 'empty array' : 'empty object' }));
      else showMore();
    }
    if (children) children.hidden = !open;
  };
  toggle.addEventListener('click', () => setOpen(toggle.getAttribute('aria-expanded') !== 'true'));
  if (depth < options.expandDepth) setOpen(true);
  return item;
}
