// /experiments/{id}: an instance's details, configuration and runs, with Run / Edit / Delete and
// checkboxes to choose runs to compare; kept current by the catalog stream (GET /api/events).

import { h, setText, icon, replaceChildren, isTypingTarget } from '../dom.js';
import { api } from '../api.js';
import { catalogStream } from '../events.js';
import { navigate } from '../router.js';
import { formatTime, formatAgo, formatDuration, secondsBetween, shortId, formatCount } from '../format.js';
import { statusBadge, isFinished } from '../components/badge.js';
import { progressBar } from '../components/progress.js';
import { pageHeader, definitionGrid, loadingBlock } from '../components/layout.js';
import { configTable } from '../components/config-table.js';
import { resourcesText } from '../components/resources-form.js';
import { confirmDialog } from '../components/dialog.js';
import { toast } from '../components/notice.js';
import { runIsNewer, instanceIsNewer } from '../run-model.js';
import { selectedRuns, selectRun, clearSelection, compareHref } from '../run-selection.js';

export async function mount(root, { id }, ctx) {
  replaceChildren(root, loadingBlock());
  let instance = null;
  const runs = new Map(); // run id → run
  let ready = false;
  const early = [];

  const stream = catalogStream({
    onInstance: (incoming) => (ready ? takeInstance(incoming) : early.push(() => takeInstance(incoming))),
    onRun: (incoming) => (ready ? takeRun(incoming) : early.push(() => takeRun(incoming))),
    onResync: () => load().catch(() => {}),
  });
  ctx.onCleanup(() => stream.close());

  const runButton = h('button', { type: 'button', class: 'btn btn-primary', onclick: startRun, title: 'Start a run (r)' }, icon('play'), 'Run', h('kbd', { text: 'r' }));
  const editLink = h('a', { class: 'btn', href: '#' }, icon('edit'), 'Edit');
  const deleteButton = h('button', { type: 'button', class: 'btn btn-danger-outline', onclick: remove }, icon('trash'), 'Delete');
  const title = h('span');
  const subtitle = h('span');
  const deletedNote = h('div', { class: 'notice notice-warn', hidden: true, text: 'This instance has been deleted. Its runs and journals are kept.' });
  const facts = definitionGrid([
    ['experiment', 'Experiment', null],
    ['id', 'ID', null],
    ['created', 'Created', null],
    ['updated', 'Updated', null],
    ['runs', 'Runs', null],
    ['resources', 'Slurm resources', null],
  ]);
  const configHolder = h('div', { class: 'config-holder' });
  const runsBody = h('tbody');
  const runsHint = h('p', { class: 'muted' }, 'Press ', h('kbd', { text: 'r' }), ' or the Run button to start one.');
  const runsEmpty = h('div', { class: 'empty', hidden: true }, h('p', { text: 'No runs yet.' }), runsHint);
  const runsCount = h('span', { class: 'muted' });
  const selectionText = h('span', { class: 'muted small', title: 'Runs chosen on any instance page, kept for this tab' });
  const clearButton = h('button', { type: 'button', class: 'btn btn-sm btn-ghost', onclick: () => (clearSelection(), showRuns()) }, 'Clear');
  const compareLink = h('a', { class: 'btn btn-sm compare-link', href: '#' });
  const crumbName = h('span', { class: 'crumb-current' });

  async function load() {
    const answer = await api.instance(id, { signal: ctx.signal });
    if (!ctx.active) return;
    instance = answer;
    runs.clear();
    for (const run of answer.runs || []) runs.set(run.run, run);
    if (answer.instance !== id) history.replaceState(null, '', `/experiments/${answer.instance}`);
    showInstance();
    showRuns();
  }

  function takeInstance(incoming) {
    if (incoming.instance !== instance.instance || !instanceIsNewer(instance, incoming)) return;
    instance = { ...instance, ...incoming };
    showInstance();
  }

  function takeRun(incoming) {
    if (incoming.instance !== instance.instance || !runIsNewer(runs.get(incoming.run), incoming)) return;
    const known = runs.has(incoming.run);
    runs.set(incoming.run, incoming);
    const row = runsBody.querySelector(`tr[data-run="${CSS.escape(incoming.run)}"]`);
    if (known && row) row.replaceWith(runRow(incoming));
    else showRuns();
  }

  function showInstance() {
    document.title = `${instance.name} · Athanor`;
    setText(title, instance.name);
    setText(crumbName, instance.name);
    setText(subtitle, instance.description || '');
    subtitle.hidden = !instance.description;
    setText(facts.cells.experiment, instance.experiment);
    facts.cells.id.replaceChildren(h('code', { class: 'id', text: instance.instance }));
    setText(facts.cells.created, formatTime(instance.created_at));
    setText(facts.cells.updated, formatTime(instance.updated_at));
    setText(facts.cells.resources, resourcesText(instance.resources));
    editLink.href = `/experiments/${instance.instance}/edit`;
    deletedNote.hidden = !instance.deleted;
    runButton.disabled = instance.deleted;
    runsHint.hidden = instance.deleted;
    deleteButton.hidden = instance.deleted;
    editLink.hidden = instance.deleted;
    configHolder.replaceChildren(configTable(instance.config));
  }

  function showRuns() {
    const list = [...runs.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.run < b.run ? 1 : -1));
    setText(facts.cells.runs, formatCount(list.length));
    setText(runsCount, list.length ? `${formatCount(list.length)} total` : '');
    runsEmpty.hidden = list.length > 0;
    runsBody.replaceChildren(...list.map(runRow));
    showSelection();
  }

  function showSelection() {
    const chosen = selectedRuns();
    setText(selectionText, chosen.length ? `${formatCount(chosen.length)} selected` : '');
    clearButton.hidden = chosen.length === 0;
    compareLink.hidden = chosen.length < 2;
    compareLink.href = compareHref(chosen);
    setText(compareLink, `Compare ${formatCount(chosen.length)} runs`);
  }

  function runRow(run) {
    const progress = progressBar({ compact: true });
    progress.update(run.progress, run.status);
    const duration = h('td', { class: 'num nowrap', dataset: { duration: '' } });
    showDuration(duration, run);
    return h(
      'tr',
      { dataset: { run: run.run, status: run.status }, class: 'clickable', onclick: (event) => event.target.closest('a, label') || navigate(`/runs/${run.run}`) },
      h(
        'td',
        { class: 'select-cell' },
        h(
          'label',
          { class: 'select-hit' },
          h('input', {
            type: 'checkbox',
            class: 'run-select',
            'aria-label': `Compare run ${shortId(run.run)}`,
            checked: selectedRuns().includes(run.run),
            onchange: (event) => (selectRun(run.run, event.target.checked), showSelection()),
          }),
        ),
      ),
      h('td', {}, statusBadge(run.status)),
      h('td', {}, h('a', { href: `/runs/${run.run}`, class: 'id', title: run.run, text: shortId(run.run) })),
      h('td', { class: 'nowrap', title: formatTime(run.started_at || run.created_at), text: formatAgo(run.started_at || run.created_at) }),
      duration,
      h('td', { class: 'progress-cell' }, progress.el),
      h('td', { class: 'muted ellipsis', title: run.error || (run.progress && run.progress.message) || '', text: run.error || (run.progress && run.progress.message) || '' }),
    );
  }

  function showDuration(cell, run) {
    const seconds = isFinished(run.status) ? run.duration : run.started_at ? secondsBetween(run.started_at, null) : null;
    setText(cell, formatDuration(seconds));
  }

  ctx.every(30_000, () => instance && showRuns()); // "5 min ago" moves on
  ctx.every(1000, () => {
    for (const row of runsBody.querySelectorAll('tr[data-status="running"]')) {
      const run = runs.get(row.dataset.run);
      if (run) showDuration(row.querySelector('[data-duration]'), run);
    }
  });

  async function startRun() {
    if (runButton.disabled) return;
    runButton.disabled = true;
    try {
      const run = await api.startRun(instance.instance, { signal: ctx.signal });
      navigate(`/runs/${run.run}`);
    } catch (error) {
      if (error.name === 'AbortError') return;
      runButton.disabled = instance.deleted;
    runsHint.hidden = instance.deleted;
      toast(error.message, 'error');
    }
  }

  async function remove() {
    const yes = await confirmDialog({
      title: `Delete “${instance.name}”?`,
      message: 'The instance disappears from the lists. Its runs and journals stay on disk as the record of what happened.',
      confirm: 'Delete',
      danger: true,
    });
    if (!yes || !ctx.active) return;
    try {
      await api.deleteInstance(instance.instance, { signal: ctx.signal });
      toast(`Deleted “${instance.name}”`);
      navigate('/experiments');
    } catch (error) {
      if (error.name !== 'AbortError') toast(error.message, 'error');
    }
  }

  ctx.listen(document, 'keydown', (event) => {
    if (event.key === 'r' && !isTypingTarget(event)) {
      event.preventDefault();
      startRun();
    }
  });

  await load();
  ready = true;
  for (const apply of early.splice(0)) apply();

  replaceChildren(
    root,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '/experiments', text: 'Experiments' }), h('span', { class: 'crumb-sep', 'aria-hidden': 'true', text: '/' }), crumbName),
    pageHeader({ title: [title], actions: [runButton, editLink, deleteButton], subtitle: [subtitle] }),
    deletedNote,
    h(
      'div',
      { class: 'grid-2' },
      h('section', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', { text: 'Details' })), facts.el),
      h('section', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', { text: 'Configuration' })), configHolder),
    ),
    h(
      'section',
      { class: 'card runs-card' },
      h('div', { class: 'card-head' }, h('h2', { text: 'Runs' }), runsCount, h('div', { class: 'toolbar' }, selectionText, clearButton, compareLink)),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table runs-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col', class: 'select-cell', title: 'Choose runs to compare' }),
              ['Status', 'Run', 'Started', 'Duration', 'Progress', 'Message'].map((name) => h('th', { scope: 'col', text: name })),
            ),
          ),
          runsBody,
        ),
      ),
      runsEmpty,
    ),
  );
}
