/**
 * Byte-level checks of HTTP/1.x start lines, shared by `detect()`, the
 * parser (a message start) and resync (a plausible start after a gap).
 * All read only `b[off..end)`, never throw, allocate nothing on the common
 * path, and answer 'more' only while the bytes are a prefix that could still
 * match — so the verdict never depends on how the bytes were split.
 */
import type { DetectResult } from '../types.js';

/** Longest method token we consider (the longest registered one is 17 bytes). */
export const MAX_METHOD_BYTES = 24;

/**
 * Methods accepted on sight: RFC 9110, WebDAV (RFC 4918, 3253, 3744, 4791,
 * 5323, 5842), PATCH, the draft QUERY, SSDP over HTTP, and the odd ones in
 * Zeek's methods.pcap (CCM_POST).
 */
const KNOWN_METHODS = new Set([
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY',
  'PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH',
  'REPORT', 'MKACTIVITY', 'CHECKOUT', 'CHECKIN', 'UNCHECKOUT', 'MERGE', 'LABEL', 'UPDATE',
  'VERSION-CONTROL', 'BASELINE-CONTROL', 'MKWORKSPACE', 'MKCALENDAR', 'ACL',
  'BIND', 'UNBIND', 'REBIND', 'LINK', 'UNLINK', 'ORDERPATCH', 'MKREDIRECTREF', 'UPDATEREDIRECTREF',
  'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PURGE', 'CCM_POST',
]);

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;

/** RFC 9110 tchar, for method tokens and header names. */
export const TCHAR = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const ch = String.fromCharCode(c);
  TCHAR[c] = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(ch) ? 1 : 0;
}

const isUpperMethodByte = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x5f;

/** "HTTP/" at `off`: 'match', 'more' for a prefix of it, else 'no'. */
export function httpSlashPrefix(b: Uint8Array, off: number, end: number): DetectResult {
  const want = 'HTTP/';
  for (let i = 0; i < 5; i++) {
    if (off + i >= end) return 'more';
    if (b[off + i] !== want.charCodeAt(i)) return 'no';
  }
  return 'match';
}

/**
 * A request line that is plainly HTTP: a known method followed by SP, or an
 * upper-case token followed by SP and then '/', '*' or 'http'. Used for
 * detection and for resynchronising, where false positives are costly.
 */
export function strictRequestPrefix(b: Uint8Array, off: number, end: number): DetectResult {
  let i = off;
  while (i < end && i - off <= MAX_METHOD_BYTES) {
    const c = b[i];
    if (c === SP) break;
    if (!isUpperMethodByte(c)) return 'no';
    i++;
  }
  if (i - off > MAX_METHOD_BYTES || i === off && i < end) return 'no';
  if (i >= end) return 'more';
  let method = '';
  for (let k = off; k < i; k++) method += String.fromCharCode(b[k]);
  if (KNOWN_METHODS.has(method)) return 'match';
  const t = i + 1;
  if (t >= end) return 'more';
  if (b[t] === 0x2f || b[t] === 0x2a) return 'match'; // '/' or '*'
  const want = 'http';
  for (let k = 0; k < 4; k++) {
    if (t + k >= end) return 'more';
    if ((b[t + k] | 0x20) !== want.charCodeAt(k)) return 'no';
  }
  return 'match';
}

/** Lenient request-line prefix for a message boundary: a tchar token then SP. */
export function lenientRequestPrefix(b: Uint8Array, off: number, end: number): DetectResult {
  for (let i = off; i < end; i++) {
    const c = b[i];
    if (c === SP) return i > off ? 'match' : 'no';
    if (TCHAR[c] === 0 || i - off >= MAX_METHOD_BYTES) return 'no';
  }
  return 'more';
}

/** What a complete first line is, decided from its bytes. */
export const enum LineKind {
  /** `METHOD SP target SP HTTP/…` or `HTTP/… SP 3DIGIT …`. */
  Ok,
  /** HTTP/0.9 simple request: `METHOD SP target`, no version, no headers. */
  Simple,
  Bad,
}

/** Is `b[off..end)` exactly `HTTP/<digit>.<digit>`? */
export function isStrictVersion(b: Uint8Array, off: number, end: number): boolean {
  return end - off === 8 && httpSlashPrefix(b, off, end) === 'match' &&
    isDigit(b[off + 5]) && b[off + 6] === 0x2e && isDigit(b[off + 7]);
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** Trim trailing CR, SP and HT from a line ending at `end` (exclusive of LF). */
function trimEnd(b: Uint8Array, off: number, end: number): number {
  while (end > off && (b[end - 1] === CR || b[end - 1] === SP || b[end - 1] === 0x09)) end--;
  return end;
}

/**
 * Classify a whole first line `b[off..end)` (without its LF). `strict` is
 * for resync: only exact `HTTP/d.d` versions, no HTTP/0.9.
 */
export function classifyStartLine(b: Uint8Array, off: number, end: number, isRequest: boolean, strict: boolean): LineKind {
  end = trimEnd(b, off, end);
  if (isRequest) {
    let sp1 = off;
    while (sp1 < end && b[sp1] !== SP) sp1++;
    if (sp1 === off || sp1 >= end - 1) return LineKind.Bad;
    let sp2 = end - 1;
    while (sp2 > sp1 && b[sp2] !== SP) sp2--;
    if (sp2 > sp1) {
      if (strict) return isStrictVersion(b, sp2 + 1, end) ? LineKind.Ok : LineKind.Bad;
      return httpSlashPrefix(b, sp2 + 1, end) === 'match' ? LineKind.Ok : LineKind.Bad;
    }
    // Two tokens: "OPTIONS HTTP/1.1" (no target) or an HTTP/0.9 "GET /path".
    if (strict) return LineKind.Bad;
    if (httpSlashPrefix(b, sp1 + 1, end) === 'match') return LineKind.Ok;
    return strictRequestPrefix(b, off, end) === 'match' ? LineKind.Simple : LineKind.Bad;
  }
  let sp = off;
  while (sp < end && b[sp] !== SP) sp++;
  if (strict && !isStrictVersion(b, off, sp)) return LineKind.Bad;
  while (sp < end && b[sp] === SP) sp++;
  if (end - sp < 3 || !isDigit(b[sp]) || !isDigit(b[sp + 1]) || !isDigit(b[sp + 2])) return LineKind.Bad;
  if (end - sp > 3 && b[sp + 3] !== SP && b[sp + 3] !== 0x09) return LineKind.Bad;
  return LineKind.Ok;
}

export { CR, LF, SP };
