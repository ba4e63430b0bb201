// /sweeps: every sweep, newest first, with its status, trials done and best value; refreshed
// every two seconds while any sweep runs.

import { h, replaceChildren } from '../dom.js';
import { api } from '../api.js';
import { formatAgo, shortId } from '../format.js';
import { formatNumber } from '../chart/scale.js';
import { breadcrumbs, pageHeader, loadingBlock } from '../components/layout.js';
import { sweepBadge } from '../components/sweep-badge.js';

export async function mount(root, params, ctx) {
  document.title = 'Sweeps · Athanor';
  replaceChildren(root, loadingBlock());
  const body = h('tbody');
  const empty = h('div', { class: 'card empty', hidden: true }, h('p', {}, 'No sweeps yet. Start one with ', h('code', { text: 'athanor sweep EXPERIMENT --name N --grid key=a,b' }), ' (docs/sweeps.md).'));
  const table = h('section', { class: 'card flush' }, h('div', { class: 'table-wrap' }, h('table', { class: 'table sweeps-table' }, h('thead', {}, h('tr', {}, ['Sweep', 'Experiment', 'Status', 'Trials', 'Best', 'Created'].map((label) => h('th', { scope: 'col', text: label })))), body)));

  async function load() {
    const sweeps = await api.sweeps({ signal: ctx.signal });
    if (!ctx.active) return;
    empty.hidden = sweeps.length > 0;
    table.hidden = sweeps.length === 0;
    body.replaceChildren(...sweeps.map(row));
    running = sweeps.some((sweep) => sweep.status === 'running');
  }
  let running = false;
  ctx.every(2000, () => running && load().catch(() => {}));

  function row(sweep) {
    const done = sweep.counts.completed;
    return h(
      'tr',
      { dataset: { sweep: sweep.sweep } },
      h('td', {}, h('a', { href: `/sweeps/${sweep.sweep}`, text: sweep.name }), ' ', h('code', { class: 'id muted', text: shortId(sweep.sweep) })),
      h('td', { text: sweep.experiment }),
      h('td', {}, sweepBadge(sweep.status)),
      h('td', { class: 'num', dataset: { trials: '' }, text: `${done} / ${sweep.trial_count}` }),
      h('td', { class: 'num', text: sweep.best_value === null || sweep.best_value === undefined ? '—' : `${sweep.metric} ${formatNumber(sweep.best_value)}` }),
      h('td', { text: formatAgo(sweep.created_at) }),
    );
  }

  replaceChildren(root, breadcrumbs('Sweeps'), pageHeader({ title: ['Sweeps'] }), empty, table);
  await load();
}
