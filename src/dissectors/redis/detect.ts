/**
 * Cheap content check on the first bytes of one direction. Never throws,
 * never reads past `b.length`.
 *   client: `*<count>\r\n$<len>\r\n` (a RESP request), or an inline line whose
 *           first word is a known command and that is not an HTTP request line;
 *   server: one well-formed RESP header (`+OK\r\n`, `-ERR …`, `:12\r\n`,
 *           `$5\r\n`, `*2\r\n$…`, RESP3 `%`, `~`, `>`, `_`, `#t`, …).
 */
import type { DetectResult } from '../types.js';
import { isKnownCommand } from './commands.js';

/** Longest first line looked at before answering 'no'. */
export const DETECT_LINE_MAX = 512;

/** Reads `digits \r\n` (optionally '-1') at `i`; returns the index after LF, -1 for no, -2 for more. */
function count(b: Uint8Array, i: number, allowMinusOne: boolean): number {
  let j = i;
  if (j < b.length && b[j] === 0x2d) {
    if (!allowMinusOne) return -1;
    j++;
    if (j >= b.length) return -2;
    if (b[j] !== 0x31) return -1;
    j++;
  } else {
    const start = j;
    while (j < b.length && b[j] >= 0x30 && b[j] <= 0x39 && j - start < 11) j++;
    if (j === start) return j >= b.length ? -2 : -1;
  }
  if (j >= b.length) return -2;
  if (b[j] !== 0x0d) return -1;
  if (j + 1 >= b.length) return -2;
  return b[j + 1] === 0x0a ? j + 2 : -1;
}

function lineEnd(b: Uint8Array, from: number): number {
  const lim = Math.min(b.length, DETECT_LINE_MAX);
  for (let i = from; i < lim; i++) {
    const c = b[i];
    if (c === 0x0d) return i + 1 < b.length ? (b[i + 1] === 0x0a ? i : -1) : -2;
    if (c === 0x0a || c < 0x09 || c === 0x7f) return -1;
  }
  return b.length < DETECT_LINE_MAX ? -2 : -1;
}

const verdict = (r: number): DetectResult => (r === -2 ? 'more' : r === -1 ? 'no' : 'match');

function detectInline(b: Uint8Array): DetectResult {
  let end = -2;
  for (let i = 0; i < Math.min(b.length, DETECT_LINE_MAX); i++) {
    const c = b[i];
    if (c === 0x0a) { end = i; break; }
    if ((c < 0x20 && c !== 0x09 && c !== 0x0d) || c >= 0x7f) return 'no';
  }
  if (end === -2) return b.length < DETECT_LINE_MAX ? 'more' : 'no';
  const line = Buffer.from(b.buffer, b.byteOffset, end).toString('latin1').trim();
  if (/\sHTTP\/\d/i.test(line)) return 'no';
  const word = line.split(/\s+/)[0]?.toUpperCase() ?? '';
  return isKnownCommand(word) ? 'match' : 'no';
}

function detectServer(b: Uint8Array): DetectResult {
  const t = b[0];
  switch (t) {
    case 0x2b: // +status; "+OK " and text is a POP3 greeting, not Redis ("+OK\r\n")
      if (b.length >= 4 && b[1] === 0x4f && b[2] === 0x4b && b[3] === 0x20) return 'no';
      return verdict(lineEnd(b, 1));
    case 0x2d: { // -ERR message: an upper-case word first
      let i = 1;
      while (i < b.length && b[i] >= 0x41 && b[i] <= 0x5a) i++;
      if (i >= b.length) return 'more';
      if (i === 1 || (b[i] !== 0x20 && b[i] !== 0x0d)) return 'no';
      return verdict(lineEnd(b, i));
    }
    case 0x3a: case 0x28: { // :integer, (big number
      const i = b.length > 1 && b[1] === 0x2d ? 2 : 1;
      return verdict(count(b, i, false));
    }
    case 0x24: case 0x2a: case 0x25: case 0x7e: case 0x3e: case 0x3d: case 0x21: case 0x7c: {
      const r = count(b, 1, t === 0x24 || t === 0x2a);
      if (r < 0 || t === 0x24) return verdict(r);
      if (b[1] === 0x2d || b[1] === 0x30) return 'match'; // null or empty aggregate
      if (r >= b.length) return 'more';
      return b[r] === 0x24 || b[r] === 0x3a || b[r] === 0x2b || b[r] === 0x2a || b[r] === 0x2d || b[r] === 0x25 || b[r] === 0x5f || b[r] === 0x23 || b[r] === 0x2c || b[r] === 0x7e
        ? 'match' : 'no';
    }
    case 0x5f: // _ null
      return b.length < 3 ? (b.length < 2 || b[1] === 0x0d ? 'more' : 'no') : b[1] === 0x0d && b[2] === 0x0a ? 'match' : 'no';
    case 0x23: // #t / #f
      if (b.length < 4) return 'more';
      return (b[1] === 0x74 || b[1] === 0x66) && b[2] === 0x0d && b[3] === 0x0a ? 'match' : 'no';
    case 0x2c: // ,double
      return verdict(lineEnd(b, 1));
    default:
      return 'no';
  }
}

export function detectRedis(b: Uint8Array, isClient: boolean): DetectResult {
  if (b.length === 0) return 'more';
  if (!isClient) return detectServer(b);
  if (b[0] !== 0x2a) return detectInline(b);
  const r = count(b, 1, false);
  if (r < 0) return verdict(r);
  if (r >= b.length) return 'more';
  if (b[r] !== 0x24) return 'no';
  return verdict(count(b, r + 1, false));
}
