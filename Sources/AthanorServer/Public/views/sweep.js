// /sweeps/{id}: a sweep's trials as a sortable table (parameters, status, metric), its metric
// against a chosen parameter as a scatter plot, the best trial highlighted, Resume and Cancel,
// and links into the compare page for any selection. Refreshed every second while it runs.

import { h, replaceChildren } from '../dom.js';
import { api } from '../api.js';
import { formatDuration, formatTime, shortId } from '../format.js';
import { formatNumber } from '../chart/scale.js';
import { breadcrumbs, pageHeader, definitionGrid, loadingBlock } from '../components/layout.js';
import { statusBadge } from '../components/badge.js';
import { sweepBadge } from '../components/sweep-badge.js';
import { sweepScatter } from '../components/sweep-scatter.js';
import { compareValues } from '../components/sortable-table.js';
import { toast } from '../components/notice.js';
import { compareHref } from '../run-selection.js';

export async function mount(root, { id }, ctx) {
  replaceChildren(root, loadingBlock());
  let sweep = await api.sweep(id, { signal: ctx.signal });
  if (!ctx.active) return;
  if (sweep.sweep !== id) history.replaceState(null, '', `/sweeps/${sweep.sweep}`);
  const parameters = Object.keys(sweep.space);
  const chosen = new Set(); // run IDs
  let sort = sweep.metric ? { key: 'value', direction: sweep.goal === 'max' ? -1 : 1 } : null;

  const title = h('span');
  const badgeHolder = h('span');
  const retry = h('input', { type: 'checkbox', id: 'retry-failed' });
  const retryLabel = h('label', { class: 'checkbox small', for: 'retry-failed' }, retry, h('span', { text: 'retry failed' }));
  const resumeButton = h('button', { type: 'button', class: 'btn btn-primary', onclick: resume }, 'Resume');
  const cancelButton = h('button', { type: 'button', class: 'btn btn-danger-outline', onclick: cancel }, 'Cancel');
  const facts = definitionGrid([
    ['experiment', 'Experiment', null],
    ['method', 'Method', null],
    ['concurrency', 'At once', null],
    ['metric', 'Ranked by', null],
    ['counts', 'Trials', null],
    ['created', 'Created', null],
  ]);
  const parameterSelect = h('select', { class: 'input input-sm', 'aria-label': 'Parameter across' }, parameters.map((p) => h('option', { value: p, text: p })));
  const scatter = sweepScatter({ onPick: (trial) => trial.run && (location.href = `/runs/${trial.run}`) });
  const compareLink = h('a', { class: 'btn btn-sm compare-selected', href: '#' });
  const topLink = h('a', { class: 'btn btn-sm btn-ghost compare-top', href: '#' });
  const head = h('tr');
  const body = h('tbody');

  function columns() {
    return [
      ...parameters.map((p) => ({ key: `p:${p}`, label: p, value: (t) => t.params[p], numeric: true })),
      ...(sweep.repeats > 1 ? [{ key: 'repeat', label: 'Repeat', value: (t) => t.repeat, numeric: true }] : []),
      { key: 'status', label: 'Status', value: (t) => t.status },
      { key: 'value', label: sweep.metric || 'Value', value: (t) => t.value, numeric: true },
      { key: 'duration', label: 'Duration', value: (t) => t.duration, numeric: true },
      { key: 'run', label: 'Run', value: (t) => t.run },
    ];
  }

  function showHead() {
    head.replaceChildren(
      h('th', { scope: 'col', class: 'select-col', title: 'Choose trials to compare' }),
      ...columns().map((column) =>
        h(
          'th',
          { scope: 'col', class: column.numeric && 'num', 'aria-sort': sort && sort.key === column.key ? (sort.direction > 0 ? 'ascending' : 'descending') : 'none' },
          h('button', { type: 'button', class: 'sort-button', dataset: { sort: column.key } }, column.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' })),
        ),
      ),
    );
  }

  function cell(column, trial) {
    switch (column.key) {
      case 'status':
        return h('td', {}, trial.status === 'waiting' ? h('span', { class: 'muted', text: 'Waiting' }) : statusBadge(trial.status));
      case 'value':
        return h('td', { class: 'num', text: trial.value === null ? '—' : formatNumber(trial.value) });
      case 'duration':
        return h('td', { class: 'num', text: trial.duration === null ? '—' : formatDuration(trial.duration) });
      case 'run':
        return h('td', {}, trial.run ? h('a', { href: `/runs/${trial.run}` }, h('code', { class: 'id', text: shortId(trial.run) })) : '—');
      default: {
        const value = column.value(trial);
        return h('td', { class: typeof value === 'number' ? 'num' : null, text: typeof value === 'number' ? formatNumber(value) : String(value ?? '—') });
      }
    }
  }

  function showRows() {
    const all = columns();
    const column = sort && all.find((c) => c.key === sort.key);
    const trials = column ? [...sweep.trials].sort((a, b) => compareValues(column.value(a), column.value(b), sort.direction)) : sweep.trials;
    const fragment = document.createDocumentFragment();
    for (const trial of trials) {
      const row = h(
        'tr',
        { class: trial.key === sweep.best ? 'best-trial' : null, dataset: { trial: trial.key } },
        h('td', { class: 'select-col' }, trial.run ? h('input', { type: 'checkbox', 'aria-label': `Compare ${trial.key}`, dataset: { run: trial.run }, checked: chosen.has(trial.run) }) : null),
        all.map((c) => cell(c, trial)),
      );
      if (trial.key === sweep.best) row.title = 'The best trial';
      fragment.append(row);
    }
    body.replaceChildren(fragment);
  }

  function showSelection() {
    const runs = [...chosen];
    compareLink.textContent = runs.length ? `Compare selected (${runs.length})` : 'Compare selected';
    compareLink.href = runs.length ? compareHref(runs) : '#';
    compareLink.classList.toggle('disabled', runs.length < 1);
    const ranked = sweep.trials.filter((t) => t.status === 'completed' && t.value !== null && t.run);
    ranked.sort((a, b) => compareValues(a.value, b.value, sweep.goal === 'max' ? -1 : 1));
    const top = ranked.slice(0, 5).map((t) => t.run);
    topLink.hidden = top.length < 2;
    topLink.textContent = `Compare the best ${top.length}`;
    topLink.href = compareHref(top);
  }

  function showSweep() {
    document.title = `${sweep.name} · Sweeps · Athanor`;
    title.textContent = sweep.name;
    badgeHolder.replaceChildren(sweepBadge(sweep.status));
    facts.cells.experiment.replaceChildren(h('a', { href: `/experiments/${sweep.instance}`, text: sweep.experiment }));
    facts.cells.method.textContent =
      sweep.method === 'grid' ? `grid${sweep.repeats > 1 ? ` × ${sweep.repeats} repeats` : ''}` : `random, ${sweep.count} draws, seed ${sweep.seed}${sweep.repeats > 1 ? `, × ${sweep.repeats} repeats` : ''}`;
    facts.cells.concurrency.textContent = String(sweep.concurrency);
    facts.cells.metric.textContent = sweep.metric ? `${sweep.metric} (${sweep.goal === 'max' ? 'highest' : 'lowest'} best)` : '—';
    facts.cells.counts.textContent = Object.entries(sweep.counts).filter(([, n]) => n > 0).map(([status, n]) => `${n} ${status}`).join(', ') || '0';
    facts.cells.created.textContent = formatTime(sweep.created_at);
    const running = sweep.status === 'running';
    cancelButton.hidden = !running;
    resumeButton.hidden = running || sweep.counts.completed === sweep.trial_count;
    retryLabel.hidden = resumeButton.hidden || sweep.counts.failed === 0;
    showHead();
    showRows();
    showSelection();
    scatter.draw(sweep.trials, parameterSelect.value, sweep.metric, sweep.best);
    performance.mark('sweep-painted');
  }

  async function refresh() {
    const next = await api.sweep(sweep.sweep, { signal: ctx.signal });
    if (!ctx.active || JSON.stringify(next) === JSON.stringify(sweep)) return;
    sweep = next;
    showSweep();
  }

  async function resume() {
    resumeButton.disabled = true;
    try {
      sweep = await api.resumeSweep(sweep.sweep, { retry_failed: retry.checked }, { signal: ctx.signal });
      toast('Sweep resumed');
      showSweep();
    } catch (error) {
      if (error.name !== 'AbortError') toast(error.message, 'error');
    } finally {
      resumeButton.disabled = false;
    }
  }

  async function cancel() {
    cancelButton.disabled = true;
    try {
      sweep = await api.cancelSweep(sweep.sweep, { signal: ctx.signal });
      toast('Cancelling the sweep');
      showSweep();
    } catch (error) {
      if (error.name !== 'AbortError') toast(error.message, 'error');
    } finally {
      cancelButton.disabled = false;
    }
  }

  head.addEventListener('click', (event) => {
    const button = event.target.closest('[data-sort]');
    if (!button) return;
    const key = button.dataset.sort;
    sort = { key, direction: sort && sort.key === key ? -sort.direction : 1 };
    showHead();
    showRows();
  });
  body.addEventListener('change', (event) => {
    const box = event.target.closest('input[data-run]');
    if (!box) return;
    if (box.checked) chosen.add(box.dataset.run);
    else chosen.delete(box.dataset.run);
    showSelection();
  });
  parameterSelect.addEventListener('change', () => scatter.draw(sweep.trials, parameterSelect.value, sweep.metric, sweep.best));
  ctx.every(1000, () => (sweep.status === 'running' ? refresh().catch(() => {}) : undefined));

  replaceChildren(
    root,
    breadcrumbs(['Sweeps', '/sweeps'], h('span', { class: 'crumb-current', text: sweep.name })),
    pageHeader({ title: [title], extras: [badgeHolder], actions: [retryLabel, resumeButton, cancelButton] }),
    h('section', { class: 'card' }, facts.el),
    h('section', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', { text: 'Parameter against metric' }), parameterSelect), scatter.el),
    h(
      'section',
      { class: 'card runs-card trials-card' },
      h('div', { class: 'card-head' }, h('h2', { text: `Trials` }), h('div', { class: 'toolbar' }, topLink, compareLink)),
      h('div', { class: 'table-wrap' }, h('table', { class: 'table trials-table' }, h('thead', {}, head), body)),
    ),
  );
  showSweep();
}
