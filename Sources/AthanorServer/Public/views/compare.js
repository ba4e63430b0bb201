// /compare?runs=A,B,C: runs of any instances side by side (GET /api/compare): a sortable table of
// their scalar results and metric summaries, their configurations with the differing keys
// highlighted, and each metric's curves overlaid, one colour per run.

import { h, icon, replaceChildren } from '../dom.js';
import { api } from '../api.js';
import { formatDuration, runLabel, shortId } from '../format.js';
import { formatNumber } from '../chart/scale.js';
import { runColour } from '../chart/palette.js';
import { breadcrumbs, pageHeader, loadingBlock } from '../components/layout.js';
import { statusBadge } from '../components/badge.js';
import { sortableTable } from '../components/sortable-table.js';
import { configMatrix } from '../components/config-matrix.js';
import { metricsPanel } from '../components/metrics-panel.js';
import { compareHref } from '../run-selection.js';

const MAX_RESULT_COLUMNS = 40;

export async function mount(root, params, ctx) {
  document.title = 'Compare runs · Athanor';
  const crumbs = breadcrumbs(['Experiments', '/experiments'], 'Compare');
  const ids = [...new Set((new URLSearchParams(location.search).get('runs') || '').split(',').filter(Boolean))];
  if (ids.length === 0) {
    replaceChildren(
      root,
      crumbs,
      pageHeader({ title: ['Compare runs'] }),
      h('div', { class: 'card empty' }, h('p', { text: 'Choose runs with the checkboxes of an instance’s run list, then press Compare.' }), h('a', { href: '/experiments', text: 'Go to the experiments' })),
    );
    return;
  }
  replaceChildren(root, loadingBlock());
  const answer = await api.compare(ids, { signal: ctx.signal });
  if (!ctx.active) return;
  const runs = answer.runs.map((run, i) => ({ ...run, label: runLabel(run), color: runColour(i, answer.runs.length) }));
  const canonical = compareHref(runs.map((run) => run.run));
  if (canonical !== location.pathname + location.search) history.replaceState(null, '', canonical);
  document.title = `Compare ${runs.length} runs · Athanor`;

  const charts = answer.metrics.length ? metricsPanel({ runs: answer.runs, signal: ctx.signal }) : null;
  if (charts) ctx.onCleanup(() => charts.destroy());

  replaceChildren(
    root,
    crumbs,
    pageHeader({ title: [`Compare ${runs.length} ${runs.length === 1 ? 'run' : 'runs'}`] }),
    h('section', { class: 'card flush compare-runs' }, summaryTable(runs, answer)),
    h('section', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', { text: 'Configuration' })), configMatrix({ runs, rows: answer.config })),
    charts && charts.el,
  );
}

/** One row per run: its status, duration, scalar results and each metric's last, min and max. */
function summaryTable(runs, answer) {
  const indexOf = new Map(runs.map((run, i) => [run.run, i]));
  const at = (row) => (run) => row.values[indexOf.get(run.run)];
  const results = answer.results.slice(0, MAX_RESULT_COLUMNS);
  const columns = [
    {
      label: 'Run',
      value: (run) => run.label,
      cell: (run) => [
        h('span', { class: 'swatch', style: { background: run.color } }),
        h('a', { href: `/runs/${run.run}`, title: run.run, text: run.label }),
        runs.length > 1
          ? h('a', { class: 'leave-out', href: compareHref(runs.filter((other) => other !== run).map((other) => other.run)), title: `Leave ${shortId(run.run)} out of the comparison`, 'aria-label': `Leave ${shortId(run.run)} out` }, icon('close'))
          : null,
      ],
    },
    { label: 'Status', value: (run) => run.status, cell: (run) => statusBadge(run.status) },
    { label: 'Duration', numeric: true, value: (run) => run.duration, cell: (run) => formatDuration(run.duration) },
    ...results.map((row) => ({ label: row.key, numeric: true, value: at(row), cell: (run) => showValue(at(row)(run)) })),
    ...answer.metrics.flatMap((row) =>
      ['last', 'min', 'max'].map((field) => {
        const value = (run) => (at(row)(run) ? at(row)(run)[field] : null);
        return { label: `${row.key} ${field}`, numeric: true, value, cell: (run) => showValue(value(run)) };
      }),
    ),
  ];
  return [
    sortableTable({ columns, rows: runs, className: 'compare-table', rowAttributes: (run) => ({ dataset: { run: run.run } }) }),
    answer.results.length > MAX_RESULT_COLUMNS ? h('p', { class: 'muted small table-note', text: `The first ${MAX_RESULT_COLUMNS} of ${answer.results.length} scalar results are shown.` }) : null,
  ];
}

function showValue(value) {
  if (value === null || value === undefined) return '—';
  return typeof value === 'number' ? formatNumber(value) : String(value);
}
