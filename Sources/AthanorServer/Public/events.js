// Server-sent event streams, and the "live" indicator in the header that shows whether they
// are connected.

const streams = new Map(); // key → 'connecting' | 'open' | 'reconnecting'
const controls = new Set(); // {suspend, resume} of every open stream
let counter = 0;

// A page kept in the back/forward cache would keep its streams open and use up the browser's
// few connections per server, so streams close when the page is hidden that way and reopen
// (catching up) when it is shown again.
window.addEventListener('pagehide', (event) => {
  if (event.persisted) for (const control of controls) control.suspend();
});
window.addEventListener('pageshow', (event) => {
  if (event.persisted) for (const control of controls) control.resume();
});

function showLiveState() {
  const indicator = document.getElementById('live');
  if (!indicator) return;
  const states = [...streams.values()];
  indicator.hidden = states.length === 0;
  const state = states.includes('reconnecting') ? 'reconnecting' : states.includes('connecting') ? 'connecting' : 'live';
  indicator.dataset.state = state;
  indicator.textContent = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…' }[state];
  indicator.title = state === 'live' ? 'Receiving updates as they happen' : 'Waiting for the server';
}

/**
 * Opens an EventSource that stays open until closed. `handlers`: `message` (unnamed events),
 * any named event (`instance`, `run`), and `reconnected` (the connection came back after a
 * drop, so events may have been missed). `url` may be a function, called for every (re)connection
 * the browser does not resume by itself. Returns `{close()}`.
 */
export function openStream(url, handlers) {
  const key = ++counter;
  let source = null;
  let dropped = false;
  let retryTimer = null;
  let closed = false;

  const wrap = (fn) => (event) => {
    try {
      fn(event);
    } catch (error) {
      console.error('athanor: event handler failed', error, event.data);
    }
  };

  const connect = () => {
    source = new EventSource(typeof url === 'function' ? url() : url);
    for (const [name, fn] of Object.entries(handlers)) {
      if (name !== 'reconnected') source.addEventListener(name, wrap(fn));
    }
    source.addEventListener('open', () => {
      streams.set(key, 'open');
      showLiveState();
      if (dropped && handlers.reconnected) handlers.reconnected();
      dropped = false;
    });
    source.addEventListener('error', () => {
      if (closed) return;
      dropped = true;
      streams.set(key, 'reconnecting');
      showLiveState();
      // The browser retries by itself unless the server refused the stream outright.
      if (source.readyState === EventSource.CLOSED && !retryTimer) {
        retryTimer = setTimeout(() => {
          retryTimer = null;
          if (!closed) connect();
        }, 3000);
      }
    });
  };

  const control = {
    suspend() {
      clearTimeout(retryTimer);
      retryTimer = null;
      source.close();
      dropped = true;
    },
    resume() {
      streams.set(key, 'reconnecting');
      showLiveState();
      connect();
    },
  };
  controls.add(control);
  streams.set(key, 'connecting');
  showLiveState();
  connect();
  return {
    close() {
      closed = true;
      controls.delete(control);
      clearTimeout(retryTimer);
      source.close();
      streams.delete(key);
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
