// Formatting of numbers, times, durations and IDs for display.

const numberFormat = new Intl.NumberFormat('en-US');
const timeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const yearTimeFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});
const clockFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** 1234567 → "1,234,567". */
export function formatCount(n) {
  return numberFormat.format(n ?? 0);
}

/** An RFC 3339 time as a local date and time ("Nov 26, 18:33:05"; with the year when not this year); "—" for null. */
export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (date.getFullYear() === new Date().getFullYear() ? timeFormat : yearTimeFormat).format(date);
}

/** An RFC 3339 time as a local clock time with milliseconds, for log lines. */
export function formatClock(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso || '';
  return `${clockFormat.format(date)}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** How long ago: "just now", "5 s ago", "3 min ago", "2 h ago", "4 days ago". */
export function formatAgo(iso, now = Date.now()) {
  if (!iso) return '—';
  const seconds = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${Math.floor(seconds)} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  const days = Math.floor(seconds / 86400);
  return days === 1 ? 'yesterday' : `${days} days ago`;
}

/** Seconds as "850 ms", "4.2 s", "3 min 05 s", "2 h 04 min"; "—" for null. */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, seconds);
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.floor(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Seconds from `startISO` to `endISO`, or to now when the run is still going. */
export function secondsBetween(startISO, endISO) {
  if (!startISO) return null;
  const end = endISO ? new Date(endISO).getTime() : Date.now();
  return Math.max(0, (end - new Date(startISO).getTime()) / 1000);
}

/** The first characters of an ID, enough to tell runs apart in a list. */
export function shortId(id) {
  return id ? id.slice(0, 12) : '';
}

/** "model_pairs" → "Model pairs". */
export function humanize(name) {
  const text = String(name).replace(/[_-]+/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A short one-line rendering of any JSON value, at most `max` characters, without stringifying all of it. */
export function preview(value, max = 80) {
  let out = '';
  const push = (text) => {
    out += text;
    return out.length < max;
  };
  const walk = (v) => {
    if (v === null) return push('null');
    if (Array.isArray(v)) {
      if (!push('[')) return false;
      for (let i = 0; i < v.length; i++) {
        if (i > 0 && !push(', ')) return false;
        if (!walk(v[i])) return false;
      }
      return push(']');
    }
    if (typeof v === 'object') {
      if (!push('{')) return false;
      let first = true;
      for (const key in v) {
        if (!first && !push(', ')) return false;
        first = false;
        if (!push(`${JSON.stringify(key)}: `)) return false;
        if (!walk(v[key])) return false;
      }
      return push('}');
    }
    return push(typeof v === 'string' ? JSON.stringify(v) : String(v));
  };
  walk(value);
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

/** A run as named in comparisons and legends: "Baseline · 01kbk3q2x8m4". */
export function runLabel(run) {
  return `${run.instance_name || shortId(run.instance)} · ${shortId(run.run)}`;
}
