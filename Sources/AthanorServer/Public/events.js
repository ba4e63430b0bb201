// Server-sent event streams, and the "live" indicator in the header that shows whether they
// are connected.

const open = new Map(); // stream → 'connecting' | 'open' | 'reconnecting'
let counter = 0;

function showLiveState() {
  const indicator = document.getElementById('live');
  if (!indicator) return;
  const states = [...open.values()];
  indicator.hidden = states.length === 0;
  const reconnecting = states.some((s) => s === 'reconnecting');
  const connecting = states.some((s) => s === 'connecting');
  const state = reconnecting ? 'reconnecting' : connecting ? 'connecting' : 'live';
  indicator.dataset.state = state;
  indicator.textContent = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  indicator.title = state === 'live' ? 'Receiving updates as they happen' : 'Waiting for the server';
}

/**
 * Opens an EventSource. `handlers`: `message` (unnamed events), any named event (`instance`,
 * `run`), and `reconnected` (called when the connection came back after a drop, when events may
 * have been missed). Returns `{close()}`.
 */
export function openStream(url, handlers) {
  const key = ++counter;
  const source = new EventSource(url);
  let dropped = false;
  open.set(key, 'connecting');
  showLiveState();
  const wrap = (fn) => (event) => {
    try {
      fn(event);
    } catch (error) {
      console.error('athanor: event handler failed', error, event.data);
    }
  };
  for (const [name, fn] of Object.entries(handlers)) {
    if (name === 'reconnected') continue;
    source.addEventListener(name, wrap(fn));
  }
  source.addEventListener('open', () => {
    open.set(key, 'open');
    showLiveState();
    if (dropped && handlers.reconnected) handlers.reconnected();
    dropped = false;
  });
  source.addEventListener('error', () => {
    if (!open.has(key)) return;
    dropped = true;
    open.set(key, source.readyState === EventSource.CLOSED ? 'reconnecting' : 'reconnecting');
    showLiveState();
  });
  return {
    close() {
      source.close();
      open.delete(key);
      showLiveState();
    },
  };
}

/**
 * The catalog stream (`/api/events`): `onInstance(instance)`, `onRun(run)` and `onResync()` (the
 * connection dropped and came back: reload, as changes may have been missed).
 */
export function catalogStream({ onInstance, onRun, onResync }) {
  const parse = (fn) => (event) => fn && fn(JSON.parse(event.data));
  return openStream('/api/events', {
    instance: parse(onInstance),
    run: parse(onRun),
    reconnected: () => onResync && onResync(),
  });
}
