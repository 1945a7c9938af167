/**
 * Which message types each side may send, the lengths each allows, and the
 * patterns used to find a message boundary again after lost bytes.
 * Lengths here count the 4 length bytes, as on the wire.
 */
import { MAX_UNTAGGED_LENGTH, UNTAGGED } from './reader.js';

const ch = (s: string): number => s.charCodeAt(0);

/** Frontend (client) tagged messages: type → [min, max] length. */
const CLIENT: ReadonlyMap<number, readonly [number, number]> = new Map([
  [ch('Q'), [5, Infinity]], [ch('P'), [8, Infinity]], [ch('B'), [12, Infinity]], [ch('D'), [6, 4 + 1 + 1024]],
  [ch('E'), [9, 4 + 1024 + 4]], [ch('C'), [6, 4 + 1 + 1024]], [ch('S'), [4, 4]], [ch('H'), [4, 4]],
  [ch('X'), [4, 4]], [ch('c'), [4, 4]], [ch('d'), [4, Infinity]], [ch('f'), [5, Infinity]],
  [ch('F'), [14, Infinity]], [ch('p'), [5, Infinity]],
]);

/** Backend (server) tagged messages: type → [min, max] length. */
const SERVER: ReadonlyMap<number, readonly [number, number]> = new Map([
  [ch('R'), [8, Infinity]], [ch('S'), [6, Infinity]], [ch('K'), [12, 12 + 256]], [ch('Z'), [5, 5]],
  [ch('T'), [6, Infinity]], [ch('D'), [6, Infinity]], [ch('C'), [5, Infinity]], [ch('E'), [5, Infinity]],
  [ch('N'), [5, Infinity]], [ch('1'), [4, 4]], [ch('2'), [4, 4]], [ch('3'), [4, 4]], [ch('n'), [4, 4]],
  [ch('c'), [4, 4]], [ch('I'), [4, 4]], [ch('s'), [4, 4]], [ch('t'), [6, Infinity]], [ch('G'), [7, Infinity]],
  [ch('H'), [7, Infinity]], [ch('W'), [7, Infinity]], [ch('d'), [4, Infinity]], [ch('A'), [10, Infinity]],
  [ch('V'), [8, Infinity]], [ch('v'), [12, Infinity]],
]);

/** `length` is the body length (without the 4 length bytes). */
export function validClientHeader(type: number, length: number): boolean {
  if (type === UNTAGGED) return true; // the reader bounds it; the code is checked by the binding
  const r = CLIENT.get(type);
  return r !== undefined && length + 4 >= r[0] && length + 4 <= r[1];
}

export function validServerHeader(type: number, length: number): boolean {
  const r = SERVER.get(type);
  return r !== undefined && length + 4 >= r[0] && length + 4 <= r[1];
}

/** Messages found while out of sync must be no longer than this. */
export const MAX_RESYNC_MESSAGE_LENGTH = 1 << 20;

const be32 = (b: Uint8Array, i: number): number => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;

/**
 * Client side: a tagged message whose header is valid, that fits within the
 * bounds, and is followed (when the bytes are here) by another valid header.
 */
export function resyncClient(b: Uint8Array): number {
  const tagged = (t: number, len: number): boolean => t !== UNTAGGED && validClientHeader(t, len - 4);
  for (let i = 0; i + 5 <= b.length; i++) {
    if (b[i] === 0) {
      // An untagged StartupMessage (the capture began in an SSLRequest, say).
      if (i + 8 <= b.length && (be32(b, i + 4) >>> 16) === 3 && be32(b, i) > 8 && be32(b, i) <= MAX_UNTAGGED_LENGTH) return i;
      continue;
    }
    const len = be32(b, i + 1);
    if (len > MAX_RESYNC_MESSAGE_LENGTH || !tagged(b[i], len)) continue;
    const next = i + 1 + len;
    if (next + 5 <= b.length) {
      if (tagged(b[next], be32(b, next + 1))) return i;
      continue;
    }
    if (next === b.length) {
      // Ends exactly here: a Query must end with its NUL.
      if (b[i] !== 0x51 || b[next - 1] === 0) return i;
      continue;
    }
    if (next > b.length) return i; // cannot check further yet: accept the header
  }
  return -1;
}

/** Server side: only ReadyForQuery ('Z', length 5, status I/T/E) is trusted. */
export function resyncServer(b: Uint8Array): number {
  for (let i = 0; i + 6 <= b.length; i++) {
    if (b[i] === 0x5a && b[i + 1] === 0 && b[i + 2] === 0 && b[i + 3] === 0 && b[i + 4] === 5) {
      const s = b[i + 5];
      if (s === 0x49 || s === 0x54 || s === 0x45) return i;
    }
  }
  return -1;
}
