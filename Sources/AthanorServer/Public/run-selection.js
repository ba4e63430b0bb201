// The runs chosen for comparison, kept for the tab's session, so runs of several instances can be
// gathered page by page before opening /compare.

const KEY = 'athanor.compare';

/** The chosen run IDs, in the order chosen. */
export function selectedRuns() {
  try {
    const list = JSON.parse(sessionStorage.getItem(KEY) || '[]');
    return Array.isArray(list) ? list.filter((id) => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

/** Chooses `run` (or drops it with `chosen` false). */
export function selectRun(run, chosen) {
  const list = selectedRuns().filter((id) => id !== run);
  if (chosen) list.push(run);
  sessionStorage.setItem(KEY, JSON.stringify(list));
}

/** Forgets every choice. */
export function clearSelection() {
  sessionStorage.removeItem(KEY);
}

/** The address of the comparison of `runs`. */
export function compareHref(runs) {
  return `/compare?runs=${runs.map(encodeURIComponent).join(',')}`;
}
