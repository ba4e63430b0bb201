// /runs/{id}: status, progress, timing, error, metric charts, live logs and results of one run,
// kept current by the run's event stream (GET /api/runs/{id}/events).

import { h, setText, icon, replaceChildren } from '../dom.js';
import { api, streams } from '../api.js';
import { openStream } from '../events.js';
import { navigate } from '../router.js';
import { formatTime, formatDuration, secondsBetween, shortId } from '../format.js';
import { statusBadge, setStatus, isFinished } from '../components/badge.js';
import { progressBar } from '../components/progress.js';
import { breadcrumbs, pageHeader, definitionGrid, loadingBlock } from '../components/layout.js';
import { logView } from '../components/logs.js';
import { resultsView } from '../components/results.js';
import { metricsPanel } from '../components/metrics-panel.js';
import { jsonTree } from '../components/json-tree.js';
import { toast } from '../components/notice.js';
import { applyRunEvent, isTerminal } from '../run-model.js';

export async function mount(root, { id }, ctx) {
  replaceChildren(root, loadingBlock());
  const run = await api.run(id, { signal: ctx.signal });
  if (!ctx.active) return;
  if (run.run !== id) history.replaceState(null, '', `/runs/${run.run}`);
  document.title = `Run ${shortId(run.run)} · ${run.instance_name} · Athanor`;

  const badge = statusBadge(run.status);
  const progress = progressBar();
  let cancelling = false;
  const cancelButton = h('button', { type: 'button', class: 'btn btn-danger-outline', onclick: cancel }, icon('stop'), 'Cancel');
  const againButton = h('button', { type: 'button', class: 'btn btn-primary', onclick: runAgain }, icon('redo'), 'Run again');
  const facts = definitionGrid([
    ['created', 'Created', null],
    ['started', 'Started', null],
    ['finished', 'Finished', null],
    ['duration', 'Duration', null],
    ['executor', 'Executor', null],
    ['host', 'Host / PID', null],
  ]);
  const ending = h('div', { class: 'run-ending' });
  const damage = run.problems?.length
    ? h(
        'div',
        { class: 'notice notice-warn run-problems', role: 'alert' },
        h('strong', { text: 'This run’s journal is damaged: what is shown is what could be read' }),
        h('pre', { class: 'error-text', text: run.problems.join('\n') }),
      )
    : null;

  const logs = logView({ run, live: !isFinished(run.status), signal: ctx.signal });
  const results = resultsView({ run, signal: ctx.signal });
  ctx.onCleanup(() => logs.destroy());
  ctx.onCleanup(() => results.destroy());
  const charts = !isFinished(run.status) || Object.keys(run.metrics || {}).length ? metricsPanel({ runs: [run], signal: ctx.signal }) : null;
  if (charts) ctx.onCleanup(() => charts.destroy());

  replaceChildren(
    root,
    breadcrumbs(['Experiments', '/experiments'], [run.instance_name || shortId(run.instance), `/experiments/${run.instance}`], `Run ${shortId(run.run)}`),
    pageHeader({
      title: ['Run ', h('code', { class: 'id', title: run.run, text: shortId(run.run) })],
      extras: [badge],
      actions: [cancelButton, againButton],
      subtitle: [h('a', { href: `/experiments/${run.instance}`, text: run.instance_name }), ' · ', h('code', { text: run.experiment })],
    }),
    h('section', { class: 'card run-summary' }, progress.el, facts.el),
    damage,
    ending,
    charts && charts.el,
    logs.el,
    results.el,
    h('details', { class: 'card config-card' }, h('summary', {}, h('h2', { text: 'Configuration' })), jsonTree(run.config, { expandDepth: 3 })),
  );

  function showHeader() {
    setStatus(badge, run.status);
    progress.update(run.progress, run.status);
    setText(facts.cells.created, formatTime(run.created_at));
    setText(facts.cells.started, formatTime(run.started_at));
    setText(facts.cells.finished, formatTime(run.finished_at));
    setText(facts.cells.executor, run.executor || '—');
    setText(facts.cells.host, run.host ? `${run.host} / ${run.pid ?? '—'}` : '—');
    showDuration();
    const finished = isFinished(run.status);
    cancelButton.hidden = finished;
    cancelButton.disabled = cancelling;
    cancelButton.lastChild.textContent = cancelling ? 'Cancelling…' : 'Cancel';
    againButton.hidden = !finished;
    showEnding();
  }

  function showDuration() {
    const seconds = isFinished(run.status) ? run.duration ?? secondsBetween(run.started_at || run.created_at, run.finished_at) : run.started_at ? secondsBetween(run.started_at, null) : null;
    setText(facts.cells.duration, formatDuration(seconds));
  }

  function showEnding() {
    ending.replaceChildren();
    if (run.status === 'failed') {
      ending.append(h('div', { class: 'notice notice-error run-error', role: 'alert' }, h('strong', { text: 'The run failed' }), h('pre', { class: 'error-text', text: run.error || 'No error was recorded.' })));
    } else if (run.status === 'cancelled') {
      ending.append(
        h(
          'div',
          { class: 'notice notice-warn run-error' },
          h('strong', { text: run.forced ? 'Cancelled (the worker was killed after the grace period)' : 'Cancelled' }),
          run.error ? h('pre', { class: 'error-text', text: run.error }) : null,
        ),
      );
    }
  }

  let frame = 0;
  const scheduleHeader = () => {
    if (!frame) frame = requestAnimationFrame(() => ((frame = 0), showHeader()));
  };
  ctx.onCleanup(() => cancelAnimationFrame(frame));

  async function cancel() {
    cancelling = true;
    showHeader();
    try {
      await api.cancelRun(run.run, { signal: ctx.signal });
    } catch (error) {
      if (error.name === 'AbortError') return;
      cancelling = false;
      showHeader();
      toast(error.message, 'error');
    }
  }

  async function runAgain() {
    againButton.disabled = true;
    try {
      const next = await api.startRun(run.instance, { signal: ctx.signal });
      navigate(`/runs/${next.run}`);
    } catch (error) {
      if (error.name === 'AbortError') return;
      againButton.disabled = false;
      toast(error.message, 'error');
    }
  }

  showHeader();
  ctx.every(1000, () => {
    if (!isFinished(run.status)) showDuration();
  });

  if (isFinished(run.status)) return;
  // A function, so a stream reopened after the page came back from the back/forward cache
  // resumes after the last event folded in.
  let stream = openStream(() => streams.run(run.run, run.last_seq), {
    message(message) {
      const event = JSON.parse(message.data);
      const type = applyRunEvent(run, event);
      if (!type) return;
      if (type === 'metric') {
        charts.add(run.run, event); // the header shows nothing of metrics
        return;
      }
      if (type === 'log') {
        logs.append(event);
        logs.setCounts(run.log_counts);
      } else if (type === 'result') {
        results.add(event);
      } else if (isTerminal(type)) {
        cancelling = false;
        logs.setLive(false);
        stream.close();
        stream = null;
      }
      scheduleHeader();
    },
  });
  ctx.onCleanup(() => stream && stream.close());
}
