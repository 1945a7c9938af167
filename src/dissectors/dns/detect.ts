/**
 * Cheap content check: does this look like the start of a DNS message? Reads
 * the header and walks the first question (or first record) without following
 * pointers or building strings. Never throws, never reads past `b.length`.
 */
import type { DetectResult } from '../types.js';
import { isKnownOpcode } from './codes.js';
import { skipName } from './name.js';

/** More questions than this in one message is not DNS (real messages carry one). */
export const MAX_DETECT_QUESTIONS = 16;

const MIN_QUESTION = 5; // root name + type + class
const MIN_RECORD = 11; // root name + type, class, ttl, rdlength

/**
 * Checks the message of `msgLen` bytes starting at `off` in `b`; `b` may hold
 * only its first bytes (a TCP segment), and then the answer can be 'more'.
 * `isClient` is the sender's side: a query is expected from the client, a
 * response from the server. A message going the other way (mDNS, captures
 * that start mid-way) must pass stricter checks instead of being refused.
 */
export function detectDnsMessage(b: Uint8Array, off: number, msgLen: number, isClient: boolean): DetectResult {
  const short = (): DetectResult => (b.length - off >= msgLen ? 'no' : 'more');
  if (msgLen < 12) return 'no';
  if (b.length - off < 12) return short();
  const flags = (b[off + 2] << 8) | b[off + 3];
  const qr = (flags & 0x8000) !== 0;
  const opcode = (flags >> 11) & 0xf;
  if (!isKnownOpcode(opcode)) return 'no';
  const qd = (b[off + 4] << 8) | b[off + 5];
  const rr = ((b[off + 6] << 8) | b[off + 7]) + ((b[off + 8] << 8) | b[off + 9]) + ((b[off + 10] << 8) | b[off + 11]);
  if (qd > MAX_DETECT_QUESTIONS) return 'no';
  if (12 + qd * MIN_QUESTION + rr * MIN_RECORD > msgLen) return 'no';
  const reversed = qr === isClient;
  if (reversed && (qd > 1 || (flags & 0x0040) !== 0)) return 'no';
  if (qd + rr === 0) return reversed || msgLen !== 12 ? 'no' : 'match';
  // Walk the first question or record: a name, then its fixed fields.
  const limit = off + msgLen;
  const nameEnd = skipName(b, off + 12, off, limit);
  if (nameEnd === -1) return 'no';
  if (nameEnd === -2) return short();
  const fixed = qd > 0 ? 4 : 10;
  if (nameEnd + fixed > limit) return 'no';
  if (nameEnd + fixed > b.length) return short();
  if (qd === 0) {
    const rdEnd = nameEnd + 10 + ((b[nameEnd + 8] << 8) | b[nameEnd + 9]);
    if (rdEnd > limit) return 'no';
  }
  return 'match';
}

/** UDP: the datagram is the whole message. */
export function detectDnsDatagram(data: Uint8Array, isClient: boolean): DetectResult {
  return detectDnsMessage(data, 0, data.length, isClient);
}

/** TCP: a 2-byte length, then the message (RFC 1035 §4.2.2). */
export function detectDnsStream(data: Uint8Array, isClient: boolean): DetectResult {
  if (data.length < 2) return 'more';
  const len = (data[0] << 8) | data[1];
  return detectDnsMessage(data, 2, len, isClient);
}
