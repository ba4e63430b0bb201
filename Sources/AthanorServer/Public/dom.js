// Building DOM nodes without ever parsing HTML: every piece of data becomes a text node or an
// attribute value, so nothing the server or a user wrote can inject markup.

/**
 * Creates an element. `attrs`: `class`, `text`, `dataset` (object), `style` (object), `on*`
 * handlers (functions), booleans as properties (`disabled`, `hidden`, `checked`…), and anything
 * else as an attribute. Children: nodes, strings (as text), numbers, arrays; null/false skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style') Object.assign(el.style, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (value === true) {
      if (key in el) el[key] = true;
      else el.setAttribute(key, '');
    } else if (key === 'value' && 'value' in el) el.value = value;
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, text, arrays; null/undefined/false skipped). */
export function append(parent, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces all of an element's children. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Sets an element's text only when it changed (cheap to call on every update). */
export function setText(el, text) {
  const value = String(text ?? '');
  if (el.textContent !== value) el.textContent = value;
}

/** An icon from a small fixed set (static SVG paths, no data). */
export function icon(name) {
  const paths = {
    play: 'M8 5.5v13l10.5-6.5L8 5.5Z',
    stop: 'M7 7h10v10H7z',
    plus: 'M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z',
    edit: 'M4 17.2V20h2.8l8.3-8.3-2.8-2.8L4 17.2Zm13.7-7.6a1 1 0 0 0 0-1.4l-1.9-1.9a1 1 0 0 0-1.4 0l-1.3 1.3 2.8 2.8 1.8-.8Z',
    trash: 'M6 7h12l-1 13H7L6 7Zm3-3h6l1 2H8l1-2Z',
    redo: 'M12 5a7 7 0 1 0 6.7 9h-2.1A5 5 0 1 1 12 7c1.4 0 2.6.6 3.5 1.5L13 11h7V4l-2.6 2.6A7 7 0 0 0 12 5Z',
    down: 'M11 4h2v12l4.5-4.5 1.4 1.4L12 19.8 5.1 12.9l1.4-1.4L11 16z',
    copy: 'M8 8h11v12H8V8Zm-4-4h11v2H6v9H4V4Z',
    close: 'M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z',
  };
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', paths[name] || '');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

/** True when a key press should not trigger a page shortcut (typing, modifiers, dialogs). */
export function isTypingTarget(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return true;
  const target = event.target;
  if (!(target instanceof Element)) return false;
  if (target.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]')) return true;
  return Boolean(document.querySelector('dialog[open]'));
}
