// /experiments: every instance with its experiment, run count and last run, kept current by the
// catalog stream (GET /api/events), and the experiment files that cannot be used, with their
// errors. `n` opens the form for a new instance.

import { h, setText, icon, replaceChildren, isTypingTarget } from '../dom.js';
import { api } from '../api.js';
import { catalogStream } from '../events.js';
import { navigate } from '../router.js';
import { formatAgo, formatTime, formatCount } from '../format.js';
import { statusBadge } from '../components/badge.js';
import { pageHeader, loadingBlock } from '../components/layout.js';
import { notice, toast } from '../components/notice.js';
import { instanceIsNewer, runIsNewer } from '../run-model.js';

export async function mount(root, params, ctx) {
  document.title = 'Experiments · Athanor';
  replaceChildren(root, loadingBlock());
  const instances = new Map();
  let ready = false;
  const early = [];

  const stream = catalogStream({
    onInstance: (incoming) => (ready ? takeInstance(incoming) : early.push(() => takeInstance(incoming))),
    onRun: (incoming) => (ready ? takeRun(incoming) : early.push(() => takeRun(incoming))),
    onResync: () => load().then(show).catch(() => {}),
  });
  ctx.onCleanup(() => stream.close());

  const body = h('tbody');
  const count = h('span', { class: 'muted' });
  const empty = h(
    'div',
    { class: 'empty', hidden: true },
    h('h2', { text: 'No instances yet' }),
    h('p', { class: 'muted', text: 'An instance is an experiment with a name and a configuration. Create one, then run it as often as you like.' }),
    h('a', { class: 'btn btn-primary', href: '/experiments/new' }, icon('plus'), 'New instance'),
  );
  const table = h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table instances-table' },
      h('thead', {}, h('tr', {}, ['Name', 'Experiment', 'Runs', 'Last run', 'Created', ''].map((name) => h('th', { scope: 'col', text: name })))),
      body,
    ),
  );

  async function load() {
    const list = await api.instances({ signal: ctx.signal });
    instances.clear();
    for (const instance of list) instances.set(instance.instance, instance);
  }

  function takeInstance(incoming) {
    const known = instances.get(incoming.instance);
    if (!instanceIsNewer(known, incoming)) return;
    if (incoming.deleted) instances.delete(incoming.instance);
    else instances.set(incoming.instance, incoming);
    if (known && !incoming.deleted) showRow(incoming);
    else show();
  }

  function takeRun(run) {
    const instance = instances.get(run.instance);
    if (!instance || !instance.last_run || instance.last_run.run !== run.run || !runIsNewer(instance.last_run, run)) return;
    const updated = { ...instance, last_run: run };
    instances.set(run.instance, updated);
    showRow(updated);
  }

  /** Replaces one instance's row (its place in the list does not change). */
  function showRow(instance) {
    const current = body.querySelector(`tr[data-instance="${CSS.escape(instance.instance)}"]`);
    if (current) current.replaceWith(row(instance));
    else show();
  }

  function show() {
    const list = [...instances.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    setText(count, list.length ? `${formatCount(list.length)} ${list.length === 1 ? 'instance' : 'instances'}` : '');
    empty.hidden = list.length > 0;
    table.hidden = list.length === 0;
    body.replaceChildren(...list.map(row));
  }

  function row(instance) {
    const last = instance.last_run;
    const lastTime = last && (last.started_at || last.created_at);
    const open = () => navigate(`/experiments/${instance.instance}`);
    return h(
      'tr',
      { class: 'clickable', dataset: { instance: instance.instance }, onclick: (event) => event.target.closest('a, button') || open() },
      h(
        'td',
        { class: 'name-cell' },
        h('a', { href: `/experiments/${instance.instance}`, class: 'strong', text: instance.name }),
        instance.description ? h('div', { class: 'muted small ellipsis', title: instance.description, text: instance.description }) : null,
      ),
      h('td', {}, h('code', { class: 'tag', text: instance.experiment })),
      h('td', { class: 'num', dataset: { runCount: '' }, text: formatCount(instance.run_count) }),
      h(
        'td',
        { dataset: { lastRun: '' } },
        last
          ? h(
              'a',
              { href: `/runs/${last.run}`, class: 'last-run', title: formatTime(lastTime) },
              statusBadge(last.status),
              h('span', { class: 'muted small', text: last.status === 'running' && last.progress ? `${formatCount(last.progress.current)}/${formatCount(last.progress.total)}` : formatAgo(lastTime) }),
            )
          : h('span', { class: 'muted', text: 'Never run' }),
      ),
      h('td', { class: 'muted nowrap', title: formatTime(instance.created_at), text: formatAgo(instance.created_at) }),
      h(
        'td',
        { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn btn-sm', title: 'Start a run', onclick: () => startRun(instance) }, icon('play'), 'Run'),
      ),
    );
  }

  async function startRun(instance) {
    try {
      const run = await api.startRun(instance.instance, { signal: ctx.signal });
      navigate(`/runs/${run.run}`);
    } catch (error) {
      if (error.name !== 'AbortError') toast(error.message, 'error');
    }
  }

  ctx.listen(document, 'keydown', (event) => {
    if (event.key === 'n' && !isTypingTarget(event)) {
      event.preventDefault();
      navigate('/experiments/new');
    }
  });
  ctx.every(30_000, show);

  const [broken] = await Promise.all([api.brokenExperiments({ signal: ctx.signal }).catch(() => []), load()]);
  if (!ctx.active) return;
  ready = true;
  for (const apply of early.splice(0)) apply();

  replaceChildren(
    root,
    pageHeader({
      title: ['Experiments'],
      extras: [count],
      actions: [h('a', { class: 'btn btn-primary', href: '/experiments/new', title: 'New instance (n)' }, icon('plus'), 'New', h('kbd', { text: 'n' }))],
    }),
    brokenFiles(broken),
    h('section', { class: 'card flush' }, table, empty),
  );
  show();
}

/** The experiment files that declare nothing runnable (an import error, a name declared twice), each with its error. */
function brokenFiles(broken) {
  if (!broken.length) return null;
  return notice(
    'warn',
    h('strong', { text: `${broken.length} experiment ${broken.length === 1 ? 'file cannot' : 'files cannot'} be used` }),
    h(
      'ul',
      { class: 'broken-experiments' },
      broken.map((problem) =>
        h(
          'li',
          { dataset: { file: problem.file } },
          h('details', {}, h('summary', {}, h('code', { text: problem.file }), problem.experiment ? h('span', { class: 'muted', text: ` (${problem.experiment})` }) : null, ': ', problem.error.split('\n')[0]), h('pre', { class: 'small', text: problem.error })),
        ),
      ),
    ),
  );
}
