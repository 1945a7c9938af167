/**
 * Cheap detection on the first bytes of one direction. Never throws, reads
 * only what it has, answers 'more' while a decision needs more bytes.
 *
 * Client: an untagged StartupMessage / SSLRequest / GSSENCRequest /
 * CancelRequest (exact lengths and codes), or, mid-way, a whole Query or
 * Parse ending in NUL. Server: an Authentication request with a known code
 * and its exact length, a whole ErrorResponse starting with a severity
 * field, or a ReadyForQuery.
 */
import type { DetectResult } from '../types.js';
import { CANCEL_REQUEST, GSSENC_REQUEST, SSL_REQUEST } from './parser.js';
import { MAX_UNTAGGED_LENGTH } from './reader.js';

/** Mid-way Query/Parse detection looks at messages up to this long. */
const MAX_DETECT_QUERY_LENGTH = 1800;

const be32 = (b: Uint8Array, i: number): number => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;

function detectClient(b: Uint8Array): DetectResult {
  if (b.length === 0) return 'more';
  if (b[0] === 0) {
    if (b.length < 8) return b[1] === 0 || b.length < 2 ? 'more' : 'no';
    const len = be32(b, 0);
    const code = be32(b, 4);
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) return len === 8 ? 'match' : 'no';
    if (code === CANCEL_REQUEST) return len === 16 ? 'match' : 'no';
    if (code >>> 16 !== 3 || len < 9 || len > MAX_UNTAGGED_LENGTH) return 'no';
    // StartupMessage: parameters are NUL-terminated strings ending with an empty one.
    if (b.length < len) return b.length >= 16 && b[8] >= 0x20 ? 'match' : 'more';
    return b[len - 1] === 0 ? 'match' : 'no';
  }
  if (b[0] !== 0x51 && b[0] !== 0x50) return 'no'; // Q, P
  if (b.length < 5) return 'more';
  const len = be32(b, 1);
  if (len < 5 || len > MAX_DETECT_QUERY_LENGTH) return 'no';
  if (b.length < len + 1) return 'more';
  if (b[len] !== 0) return 'no';
  if (b[0] === 0x51) {
    // Query text: printable (or UTF-8) up to the final NUL.
    for (let i = 5; i < len; i++) if (b[i] < 0x09 || (b[i] > 0x0d && b[i] < 0x20)) return 'no';
    return len > 5 ? 'match' : 'no';
  }
  return 'match';
}

const AUTH_LENGTHS: Readonly<Record<number, number>> = { 0: 8, 2: 8, 3: 8, 5: 12, 7: 8, 9: 8 };

function detectServer(b: Uint8Array): DetectResult {
  if (b.length === 0) return 'more';
  const t = b[0];
  // A bare SSLRequest answer ('N'), then the startup answer.
  if (t === 0x4e) return b.length === 1 ? 'more' : b[1] === 0 || b[1] === 0x4e ? 'no' : detectServer(b.subarray(1));
  if (t !== 0x52 && t !== 0x45 && t !== 0x5a) return 'no'; // R, E, Z
  if (b.length < 5) return b.length < 2 || b[1] === 0 ? 'more' : 'no';
  const len = be32(b, 1);
  if (t === 0x5a) return len === 5 ? (b.length < 6 ? 'more' : (b[5] === 0x49 || b[5] === 0x54 || b[5] === 0x45) ? 'match' : 'no') : 'no';
  if (t === 0x52) {
    if (len < 8 || len > 1024) return 'no';
    if (b.length < 9) return 'more';
    const code = be32(b, 5);
    if (code === 10 || code === 11 || code === 12 || code === 8) return 'match'; // SASL*, GSS continue: variable length
    return AUTH_LENGTHS[code] === len ? 'match' : 'no';
  }
  // ErrorResponse: fields (type byte + C string), a final 0; the first is S (severity).
  if (len < 5 || len > MAX_DETECT_QUERY_LENGTH) return 'no';
  if (b.length < 6) return 'more';
  if (b[5] !== 0x53) return 'no';
  if (b.length < len + 1) return 'more';
  return b[len] === 0 && b[len - 1] === 0 ? 'match' : 'no';
}

export function detectPostgres(data: Uint8Array, isClient: boolean): DetectResult {
  return isClient ? detectClient(data) : detectServer(data);
}
