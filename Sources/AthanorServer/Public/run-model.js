// Folding a run's journal events into the run object the API returns (the same fold as the
// server's RunSummary), so a page stays current from the event stream alone.

import { isFinished } from './components/badge.js';

/** Applies one journal event to `run` (mutated) and returns the event's type. */
export function applyRunEvent(run, event) {
  if (typeof event.seq === 'number' && event.seq <= (run.last_seq || 0)) return null;
  run.last_seq = event.seq;
  switch (event.type) {
    case 'run_queued':
      run.status = 'queued';
      run.job_id = event.job_id ?? null;
      break;
    case 'run_started':
      run.status = 'running';
      run.started_at = event.ts;
      run.pid = event.pid ?? null;
      run.host = event.host ?? null;
      if (event.job_id) run.job_id = event.job_id;
      break;
    case 'run_requeued':
      run.status = 'queued';
      run.requeues = (run.requeues || 0) + 1;
      break;
    case 'log':
      run.log_counts = { ...run.log_counts, [event.level]: ((run.log_counts || {})[event.level] || 0) + 1 };
      break;
    case 'progress':
      run.progress = { current: event.current, total: event.total, message: event.message ?? null };
      break;
    case 'result':
      run.result_count = (run.result_count || 0) + 1;
      break;
    case 'metric':
      if (event.values) for (const key of Object.keys(event.values)) addMetric(run, key, event.step, event.values[key]);
      else addMetric(run, event.key, event.step, event.value);
      break;
    case 'run_completed':
      finish(run, 'completed', event.ts);
      break;
    case 'run_failed':
      finish(run, 'failed', event.ts);
      run.error = event.error ?? null;
      break;
    case 'run_cancelled':
      finish(run, 'cancelled', event.ts);
      run.error = event.reason ?? null;
      run.forced = Boolean(event.forced);
      break;
    default:
      break;
  }
  return event.type;
}

/** Folds one point into `run.metrics` (count, first, last, and the first lowest and highest points). */
function addMetric(run, key, step, value) {
  run.metrics = run.metrics || {};
  const point = { step, value };
  const summary = run.metrics[key];
  if (!summary) {
    run.metrics[key] = { count: 1, first: point, last: point, min: point, max: point };
    return;
  }
  summary.count++;
  summary.last = point;
  if (value < summary.min.value) summary.min = point;
  if (value > summary.max.value) summary.max = point;
}

function finish(run, status, ts) {
  run.status = status;
  run.finished_at = ts;
  const start = run.started_at || run.created_at;
  if (start) run.duration = Math.max(0, (new Date(ts) - new Date(start)) / 1000);
}

/** True for the events that end a run. */
export function isTerminal(type) {
  return type === 'run_completed' || type === 'run_failed' || type === 'run_cancelled';
}

/** Whether `incoming` (a run object from the catalog stream) is at least as recent as `known`. */
export function runIsNewer(known, incoming) {
  if (!known) return true;
  if ((incoming.last_seq ?? 0) !== (known.last_seq ?? 0)) return (incoming.last_seq ?? 0) > (known.last_seq ?? 0);
  return isFinished(incoming.status) || !isFinished(known.status);
}

/** Whether `incoming` (an instance object) is at least as recent as `known`. */
export function instanceIsNewer(known, incoming) {
  if (!known) return true;
  const a = known.updated_at || '';
  const b = incoming.updated_at || '';
  if (a !== b) return b > a;
  if ((incoming.run_count ?? 0) !== (known.run_count ?? 0)) return (incoming.run_count ?? 0) > (known.run_count ?? 0);
  const knownRun = known.last_run;
  const incomingRun = incoming.last_run;
  if (!knownRun || !incomingRun) return true;
  if (knownRun.run !== incomingRun.run) return incomingRun.run > knownRun.run;
  return runIsNewer(knownRun, incomingRun);
}
