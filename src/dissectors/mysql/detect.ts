/**
 * Cheap content checks. The server speaks first, so a connection seen from
 * its start is recognised by the greeting (protocol version 10 and a
 * printable server version). A capture that starts mid-way is recognised by
 * a client command packet (sequence id 0, a known command byte, a plausible
 * body), a client handshake response, or a server ERR packet. Never throws,
 * never reads past `b.length`.
 */
import type { DetectResult } from '../types.js';
import { CLIENT_PROTOCOL_41 } from './codes.js';

/** Longest server version string accepted in a greeting. */
const MAX_VERSION_CHARS = 96;
/** Query bytes checked for text before saying 'match'. */
const QUERY_PROBE = 24;

const printable = (c: number): boolean => (c >= 0x20 && c !== 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d;

/** Header of the first packet: payload length and sequence id, or null when fewer than 4 bytes. */
function header(b: Uint8Array): { len: number; seq: number } | null {
  return b.length < 4 ? null : { len: b[0] | (b[1] << 8) | (b[2] << 16), seq: b[3] };
}

/** Are `count` bytes from `off` (as far as present, within the packet) printable? 'more' when too few are present. */
function textAt(b: Uint8Array, off: number, end: number, want: number): DetectResult {
  const stop = Math.min(end, off + want);
  for (let i = off; i < Math.min(stop, b.length); i++) if (!printable(b[i])) return 'no';
  return b.length >= stop ? 'match' : 'more';
}

export function detectGreeting(b: Uint8Array): DetectResult {
  const h = header(b);
  if (h === null) return 'more';
  if (h.seq !== 0 || h.len < 20 || h.len > 1024) return 'no';
  if (b.length < 5) return 'more';
  if (b[4] === 0xff) return detectErr(b, h.len);
  if (b[4] !== 10) return 'no';
  const end = 4 + h.len;
  for (let i = 5; i < Math.min(end, b.length, 5 + MAX_VERSION_CHARS); i++) {
    if (b[i] === 0) {
      if (i === 5) return 'no';
      // thread id (4), scramble (8), then a NUL filler.
      const filler = i + 1 + 4 + 8;
      if (filler >= end) return 'no';
      if (filler >= b.length) return 'more';
      return b[filler] === 0 ? 'match' : 'no';
    }
    if (!printable(b[i])) return 'no';
  }
  return b.length >= Math.min(end, 5 + MAX_VERSION_CHARS) ? 'no' : 'more';
}

/** ERR: 0xff, a code in the server's range, then '#SQLSTATE' or text. */
function detectErr(b: Uint8Array, len: number): DetectResult {
  if (len < 4) return 'no';
  if (b.length < 7) return 'more';
  const code = b[5] | (b[6] << 8);
  if (code < 1000 || code > 5000) return 'no';
  return textAt(b, 7, 4 + len, 16);
}

/** A client command packet (sequence id 0) or handshake response (sequence id 1). */
export function detectClientPacket(b: Uint8Array): DetectResult {
  const h = header(b);
  if (h === null) return 'more';
  if (h.len === 0 || h.len >= 0xffffff) return 'no';
  if (b.length < 5) return 'more';
  const end = 4 + h.len;
  const cmd = b[4];
  if (h.seq === 1) {
    // HandshakeResponse41 / SSLRequest: capabilities with PROTOCOL_41, max packet, charset, 23-byte filler (MariaDB uses the last 4).
    if (h.len < 32) return 'no';
    if (b.length < 36) return 'more';
    const caps = b[4] | (b[5] << 8);
    if (!(caps & CLIENT_PROTOCOL_41)) return 'no';
    for (let i = 13; i < 32; i++) if (b[4 + i] !== 0) return 'no';
    return 'match';
  }
  if (h.seq !== 0) return 'no';
  switch (cmd) {
    case 0x01: case 0x0e: case 0x09: case 0x1f: // QUIT, PING, STATISTICS, RESET_CONNECTION: no body
      return h.len === 1 ? 'match' : 'no';
    case 0x02: case 0x04: // INIT_DB, FIELD_LIST: a name
      return h.len < 2 ? 'no' : textAt(b, 5, Math.min(end, 5 + 64), 1) === 'no' ? 'no' : textAt(b, 5, b[5] === 0 ? 5 : end, 8);
    case 0x03: case 0x16: { // QUERY, STMT_PREPARE: SQL text (QUERY may start with empty query attributes: 00 01)
      if (h.len < 3) return 'no';
      let off = 5;
      if (cmd === 0x03 && b.length >= 7 && b[5] === 0 && b[6] === 1) off = 7;
      return textAt(b, off, end, QUERY_PROBE);
    }
    case 0x17: case 0x19: case 0x1a: case 0x1c: // STMT_EXECUTE, CLOSE, RESET, FETCH: 4-byte id
      if (cmd === 0x19 || cmd === 0x1a) return h.len === 5 ? 'match' : 'no';
      if (cmd === 0x1c) return h.len === 9 ? 'match' : 'no';
      if (h.len < 10) return 'no';
      if (b.length < 14) return 'more';
      // flags (cursor type, < 0x10), iteration count 1.
      return b[9] < 0x10 && b[10] === 1 && b[11] === 0 && b[12] === 0 && b[13] === 0 ? 'match' : 'no';
    default:
      return 'no';
  }
}

export function detectMysql(b: Uint8Array, isClient: boolean): DetectResult {
  return isClient ? detectClientPacket(b) : detectGreeting(b);
}
