// Entry point: the routes of the single-page app.

import { startRouter } from './router.js';
import * as experiments from './views/experiments.js';
import * as form from './views/form.js';
import * as instance from './views/instance.js';
import * as run from './views/run.js';
import * as compare from './views/compare.js';
import * as sweeps from './views/sweeps.js';
import * as sweep from './views/sweep.js';

startRouter(document.getElementById('app'), [
  [/^\/experiments\/?$/, experiments.mount],
  [/^\/experiments\/new\/?$/, (root, params, ctx) => form.mount(root, { mode: 'new' }, ctx)],
  [/^\/experiments\/([^/]+)\/edit\/?$/, (root, params, ctx) => form.mount(root, { mode: 'edit', ...params }, ctx), ['id']],
  [/^\/experiments\/([^/]+)\/?$/, instance.mount, ['id']],
  [/^\/runs\/([^/]+)\/?$/, run.mount, ['id']],
  [/^\/compare\/?$/, compare.mount],
  [/^\/sweeps\/?$/, sweeps.mount],
  [/^\/sweeps\/([^/]+)\/?$/, sweep.mount, ['id']],
]);
