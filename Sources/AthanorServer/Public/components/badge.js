// The status badge of a run.

import { h } from '../dom.js';

const LABELS = { pending: 'Pending', queued: 'Queued', running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled' };

/** A badge element for a status; update it later with `setStatus`. */
export function statusBadge(status) {
  const badge = h('span', { class: 'badge' }, h('span', { class: 'badge-dot', 'aria-hidden': 'true' }), h('span', { class: 'badge-label' }));
  setStatus(badge, status);
  return badge;
}

/** Changes a badge made by `statusBadge`. */
export function setStatus(badge, status) {
  const name = LABELS[status] ? status : 'unknown';
  if (badge.dataset.status === name) return;
  badge.dataset.status = name;
  badge.className = `badge badge-${name}`;
  badge.querySelector('.badge-label').textContent = LABELS[status] || String(status ?? 'Unknown');
}

/** True for a run that has ended. */
export function isFinished(status) {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}
