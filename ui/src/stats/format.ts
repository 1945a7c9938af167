/**
 * Numbers with their units, as the map, the charts and the health panel show
 * them: few significant digits, so dense tables stay aligned and readable.
 * Every function takes what the hub sends (rates per second, error rates as
 * fractions 0..1, latencies in ms) and never throws.
 */

/** What a missing value looks like everywhere. */
export const NONE = '—';

const isNum = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

/** 0.0123 → "0.012", 1.5 → "1.5", 12.34 → "12.3", 1234 → "1.23k". */
export function fmtNumber(n: number | null | undefined): string {
  if (!isNum(n)) return NONE;
  const a = Math.abs(n);
  if (a === 0) return '0';
  if (a >= 1e9) return `${trim((n / 1e9).toFixed(2))}G`;
  if (a >= 1e6) return `${trim((n / 1e6).toFixed(2))}M`;
  if (a >= 1e4) return `${trim((n / 1e3).toFixed(1))}k`;
  if (a >= 1e3) return `${trim((n / 1e3).toFixed(2))}k`;
  if (a >= 100) return n.toFixed(0);
  if (a >= 10) return trim(n.toFixed(1));
  if (a >= 0.01) return trim(n.toFixed(2));
  return trim(n.toPrecision(1));
}

/** Requests per second: "12.3/s". */
export const fmtRate = (perSecond: number | null | undefined): string => (isNum(perSecond) ? `${fmtNumber(perSecond)}/s` : NONE);

/** An error rate (0..1) as a percentage: 0 → "0%", 0.00004 → "<0.01%", 0.0123 → "1.23%", 0.25 → "25.0%". */
export function fmtPct(fraction: number | null | undefined): string {
  if (!isNum(fraction)) return NONE;
  const p = fraction * 100;
  if (p === 0) return '0%';
  if (p >= 99.995) return '100%';
  if (p < 0.01) return '<0.01%';
  return p < 10 ? `${p.toFixed(2)}%` : `${p.toFixed(1)}%`;
}

/** A latency in ms: 0.42 → "0.42 ms", 3.14 → "3.14 ms", 123.4 → "123 ms", 1234 → "1.23 s". */
export function fmtMs(ms: number | null | undefined): string {
  if (!isNum(ms)) return NONE;
  if (ms >= 60_000) return `${trim((ms / 60_000).toFixed(1))} min`;
  if (ms >= 1000) return `${trim((ms / 1000).toFixed(2))} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${trim(ms.toFixed(1))} ms`;
  return `${trim(ms.toFixed(2))} ms`;
}

/** An exact count with thousands separators: 1234567 → "1,234,567". */
export const fmtInt = (n: number | null | undefined): string => (isNum(n) ? Math.round(n).toLocaleString('en-US') : NONE);

/** How long ago `then` was, relative to `now` (both ms since the epoch): "now", "12 s ago", "3 min ago", "2 h ago", "4 d ago". */
export function fmtAgo(then: number, now: number): string {
  if (!isNum(then) || then <= 0) return 'never';
  const s = Math.floor((now - then) / 1000);
  if (s < 1) return 'now';
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.floor(s / 60)} min ago`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A window length for sentences: 300 → "5 minutes", 60 → "1 minute", 90 → "90 seconds", 7200 → "2 hours". */
export function fmtWindow(seconds: number): string {
  const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (!isNum(seconds) || seconds <= 0) return plural(0, 'second');
  if (seconds >= 7200 && seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(Math.round(seconds), 'second');
}

/**
 * A time axis tick (seconds since the epoch, local time) for an axis spanning
 * `spanSec`: "12:40:30" up to 15 minutes, "12:40" up to two days, "11-28 12:40" beyond.
 */
export function fmtClock(sec: number, spanSec: number): string {
  const d = new Date(sec * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
  if (spanSec <= 900) return `${hm}:${p(d.getSeconds())}`;
  if (spanSec <= 172_800) return hm;
  return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${hm}`;
}

/** "1.50" → "1.5", "2.00" → "2". */
function trim(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
