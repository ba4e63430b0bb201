// A progress bar with "current / total" and the latest message.

import { h, setText } from '../dom.js';
import { formatCount } from '../format.js';

/** `{el, update(progress, status)}`; `compact` leaves out the message line. */
export function progressBar({ compact = false } = {}) {
  const fill = h('div', { class: 'progress-fill' });
  const track = h('div', { class: 'progress-track', role: 'progressbar', 'aria-valuemin': '0' }, fill);
  const count = h('span', { class: 'progress-count' });
  const message = h('span', { class: 'progress-message' });
  const el = h('div', { class: ['progress', compact && 'progress-compact'] }, track, h('div', { class: 'progress-text' }, count, compact ? null : message));

  function update(progress, status) {
    el.dataset.status = status || '';
    if (!progress || !progress.total) {
      fill.style.width = status === 'completed' ? '100%' : '0%';
      track.removeAttribute('aria-valuenow');
      setText(count, status === 'completed' ? 'Done' : status === 'pending' ? 'Waiting to start' : status === 'queued' ? 'Queued: waiting for the scheduler' : status === 'running' ? 'Started' : '—');
      setText(message, '');
      return;
    }
    const fraction = Math.min(1, Math.max(0, progress.current / progress.total));
    fill.style.width = `${(fraction * 100).toFixed(2)}%`;
    track.setAttribute('aria-valuemax', String(progress.total));
    track.setAttribute('aria-valuenow', String(progress.current));
    setText(count, `${formatCount(progress.current)} / ${formatCount(progress.total)} · ${Math.floor(fraction * 100)}%`);
    setText(message, progress.message || '');
  }
  return { el, update };
}
