// A small History API router: each route mounts a view into <main>; leaving a route aborts its
// requests, closes its streams and removes its listeners.

import { h, replaceChildren } from './dom.js';
import { errorPanel } from './components/notice.js';
import { ApiError } from './api.js';

let routes = [];
let current = null; // {controller, cleanups}
let root = null;

/** `table`: [[RegExp, mount(root, params, ctx), names of the captured groups]]. */
export function startRouter(mainElement, table) {
  root = mainElement;
  routes = table;
  window.addEventListener('popstate', () => render());
  document.addEventListener('click', onLinkClick);
  render();
}

/** Goes to `path` inside the app (or reloads the page for other paths). */
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function onLinkClick(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
  if (!link || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  if (!match(url.pathname) && url.pathname !== '/') return;
  event.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
}

function match(pathname) {
  for (const [pattern, mount, names = []] of routes) {
    const found = pattern.exec(pathname);
    if (found) {
      const params = {};
      names.forEach((name, i) => (params[name] = decodeURIComponent(found[i + 1])));
      return { mount, params };
    }
  }
  return null;
}

function teardown() {
  if (!current) return;
  current.controller.abort();
  for (const fn of current.cleanups.reverse()) {
    try {
      fn();
    } catch (error) {
      console.error('athanor: cleanup failed', error);
    }
  }
  current = null;
}

function render() {
  teardown();
  if (location.pathname === '/' || location.pathname === '') {
    history.replaceState(null, '', '/experiments');
  }
  const controller = new AbortController();
  const cleanups = [];
  current = { controller, cleanups };
  const ctx = {
    signal: controller.signal,
    get active() {
      return !controller.signal.aborted;
    },
    onCleanup: (fn) => cleanups.push(fn),
    listen(target, type, fn, options) {
      target.addEventListener(type, fn, options);
      cleanups.push(() => target.removeEventListener(type, fn, options));
    },
    every(ms, fn) {
      const timer = setInterval(fn, ms);
      cleanups.push(() => clearInterval(timer));
    },
  };
  for (const link of document.querySelectorAll('[data-nav]')) {
    link.classList.toggle('active', location.pathname.startsWith(`/${link.dataset.nav}`));
  }
  replaceChildren(root);
  window.scrollTo(0, 0);
  const found = match(location.pathname);
  if (!found) {
    document.title = 'Not found · Athanor';
    replaceChildren(root, h('h1', { text: 'Page not found' }), h('p', {}, h('a', { href: '/experiments', text: 'Back to the experiments' })));
    return;
  }
  Promise.resolve()
    .then(() => found.mount(root, found.params, ctx))
    .catch((error) => {
      if (controller.signal.aborted || error.name === 'AbortError') return;
      if (!(error instanceof ApiError)) console.error(error);
      // The page could not be shown: close whatever it had opened (streams, listeners).
      for (const fn of cleanups.splice(0).reverse()) fn();
      document.title = 'Error · Athanor';
      replaceChildren(root, errorPanel(error), h('p', {}, h('a', { href: '/experiments', text: 'Back to the experiments' })));
    });
}
