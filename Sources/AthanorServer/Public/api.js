// The JSON API (docs/http-api.md): one function per route, errors as ApiError.

/** An error answer: HTTP status, `code`, `message` and `details` ([{path, message}] for 422). */
export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = Array.isArray(details) ? details : [];
  }
}

async function request(method, path, { body, signal } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      signal,
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'The server cannot be reached. Is `athanor serve` still running?');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      throw new ApiError(response.status, 'bad_response', `The server answered ${response.status} with something that is not JSON.`);
    }
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(response.status, error.code || `http_${response.status}`, error.message || `HTTP ${response.status}`, error.details);
  }
  return data;
}

/** "?a=1&b=x" from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const id = encodeURIComponent;

export const api = {
  experiments: (o) => request('GET', '/api/experiments', o),
  brokenExperiments: (o) => request('GET', '/api/experiments/broken', o),
  instances: (o) => request('GET', '/api/instances', o),
  instance: (instance, o) => request('GET', `/api/instances/${id(instance)}`, o),
  createInstance: (body, o) => request('POST', '/api/instances', { ...o, body }),
  updateInstance: (instance, body, o) => request('PATCH', `/api/instances/${id(instance)}`, { ...o, body }),
  deleteInstance: (instance, o) => request('DELETE', `/api/instances/${id(instance)}`, o),
  startRun: (instance, o) => request('POST', `/api/instances/${id(instance)}/runs`, { ...o, body: {} }),
  run: (run, o) => request('GET', `/api/runs/${id(run)}`, o),
  cancelRun: (run, o) => request('POST', `/api/runs/${id(run)}/cancel`, { ...o, body: { reason: 'cancelled from the web interface' } }),
  /** {total, matched, offset, entries: [{seq, ts, level, message, metadata}]} */
  logs: (run, params, o) => request('GET', `/api/runs/${id(run)}/logs${query(params)}`, o),
  /** {total, offset, entries: [{seq, ts, key, value}]} */
  results: (run, params, o) => request('GET', `/api/runs/${id(run)}/results${query(params)}`, o),
  /** {x, points, runs: [{run, series: [{key, count, raw, x, y, buckets, smoothed?}]}]}; `runs` and `keys` comma-separated. */
  metrics: (params, o) => request('GET', `/api/metrics${query(params)}`, o),
  /** {runs, config: [{key, values, differs}], results: [{key, values}], metrics: [{key, values: [{last, min, max, count} or null]}]} */
  compare: (runs, o) => request('GET', `/api/compare${query({ runs: runs.join(',') })}`, o),
  sweeps: (o) => request('GET', '/api/sweeps', o),
  /** A sweep with its trials (docs/http-api.md). */
  sweep: (sweep, o) => request('GET', `/api/sweeps/${id(sweep)}`, o),
  resumeSweep: (sweep, body, o) => request('POST', `/api/sweeps/${id(sweep)}/resume`, { ...o, body }),
  cancelSweep: (sweep, o) => request('POST', `/api/sweeps/${id(sweep)}/cancel`, { ...o, body: { reason: 'cancelled from the web interface' } }),
};

export const streams = {
  catalog: () => '/api/events',
  run: (run, after) => `/api/runs/${id(run)}/events${query({ after })}`,
};
