// Error panels, notices and short-lived toasts.

import { h } from '../dom.js';

/** A panel that says what went wrong (an ApiError's message, or any error). */
export function errorPanel(error, title) {
  const notFound = error && error.status === 404;
  return h(
    'div',
    { class: 'notice notice-error', role: 'alert' },
    h('strong', { text: title || (notFound ? 'Not found' : 'Something went wrong') }),
    h('p', { text: (error && error.message) || String(error) }),
  );
}

/** A calm informational or warning box. */
export function notice(kind, ...children) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

/** A message in the corner for a few seconds. */
export function toast(message, kind = 'info') {
  let host = document.getElementById('toasts');
  if (!host) {
    host = h('div', { id: 'toasts', class: 'toasts', 'aria-live': 'polite' });
    document.body.append(host);
  }
  const item = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status', text: message });
  host.append(item);
  setTimeout(() => item.classList.add('leaving'), kind === 'error' ? 6000 : 3500);
  setTimeout(() => item.remove(), kind === 'error' ? 6400 : 3900);
}
