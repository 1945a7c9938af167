/**
 * Plain-text pieces of a table row: no colour, no padding. Everything that
 * came off the wire goes through `printable()` first, so a hostile path or
 * DNS name cannot move the cursor, clear the screen or reorder text
 * (control characters and bidi overrides are shown as escapes).
 */
import type { DnsEntry, Endpoint, HttpEntry } from '../entries/types.js';

// C0, DEL, C1, zero-width and bidi control characters, line/paragraph separators, BOM.
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

export function printable(s: string): string {
  UNPRINTABLE.lastIndex = 0;
  if (!UNPRINTABLE.test(s)) return s;
  return s.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Cut `s` to at most `width` columns, marking the cut with "…". Columns are
 * counted as UTF-16 units: wide (CJK) characters and emoji are rare in
 * hosts, paths and DNS names and only misalign the row, never break it.
 */
export function truncate(s: string, width: number): string {
  if (s.length <= width) return s;
  if (width <= 0) return '';
  let cut = width - 1;
  const last = s.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--; // do not split a surrogate pair
  return s.slice(0, cut) + '…';
}

const two = (n: number): string => (n < 10 ? '0' : '') + n;

/** Local wall-clock time, HH:MM:SS.mmm. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  const milli = d.getMilliseconds();
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${milli < 100 ? (milli < 10 ? '00' : '0') : ''}${milli}`;
}

/** Elapsed time in at most 7 characters: 0.42ms, 12.3ms, 4567ms, 1234s. */
export function millis(ms: number): string {
  if (ms < 9.995) return ms.toFixed(2) + 'ms';
  if (ms < 999.95) return ms.toFixed(1) + 'ms';
  if (ms < 99999.5) return Math.round(ms) + 'ms';
  return Math.round(ms / 1000) + 's';
}

const UNITS = ['K', 'M', 'G', 'T'];

/** Byte count in at most 5 characters: 532, 9.8K, 1023K, 3.1M. */
export function bytes(n: number): string {
  if (n < 10_000) return String(n);
  let v = n / 1024;
  let unit = 0;
  while (v >= 1023.5 && unit < UNITS.length - 1) {
    v /= 1024;
    unit++;
  }
  return (v < 99.95 ? v.toFixed(1) : Math.round(v).toString()) + UNITS[unit];
}

export function endpoint(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/** "GET host/path", or "(no request)" when only the response was seen. */
export function httpSummary(e: HttpEntry): string {
  const r = e.request;
  if (r === null) return '(no request)';
  // Absolute-form targets (proxies) already carry the host; authority-form (CONNECT) is the host.
  const target = r.path.startsWith('/') ? r.host + r.path : r.path === '*' && r.host !== '' ? `${r.host} *` : r.path;
  return `${r.method} ${target}`;
}

/** "A example.com" for the first question, "+N" when there are more. */
export function dnsSummary(e: DnsEntry): string {
  const questions = e.request?.questions ?? e.response?.questions ?? [];
  if (questions.length === 0) return e.request === null ? '(no query)' : '(no question)';
  const q = questions[0];
  return `${q.type} ${q.name || '.'}${questions.length > 1 ? ` +${questions.length - 1}` : ''}`;
}

/**
 * As many answers' data as fit in `budget` columns, "+N" for the rest:
 * "93.184.216.34, 93.184.216.35 +1". The first answer is always shown, cut
 * if it must be, so that the count stays visible.
 */
export function dnsAnswers(e: DnsEntry, budget: number): string {
  const answers = e.response?.answers ?? [];
  const n = answers.length;
  if (n === 0) return '';
  const more = (shown: number): string => (shown < n ? ` +${n - shown}` : '');
  let text = printable(answers[0].data);
  if (text.length + more(1).length > budget) return truncate(text, Math.max(1, budget - more(1).length)) + more(1);
  let shown = 1;
  while (shown < n) {
    const next = `${text}, ${printable(answers[shown].data)}`;
    if (next.length + more(shown + 1).length > budget) break;
    text = next;
    shown++;
  }
  return text + more(shown);
}
