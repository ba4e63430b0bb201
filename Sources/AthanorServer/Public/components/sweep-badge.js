// The status badge of a sweep: running, completed, cancelled, or stopped (its driver ended
// before the end: resumable).

import { h } from '../dom.js';

const LABELS = { running: 'Running', completed: 'Completed', cancelled: 'Cancelled', stopped: 'Stopped' };
const LOOKS = { running: 'running', completed: 'completed', cancelled: 'cancelled', stopped: 'pending' };

/** A badge for a sweep's status. */
export function sweepBadge(status) {
  return h('span', { class: `badge badge-${LOOKS[status] || 'unknown'}`, dataset: { status } }, h('span', { class: 'badge-dot', 'aria-hidden': 'true' }), h('span', { class: 'badge-label', text: LABELS[status] || status }));
}
