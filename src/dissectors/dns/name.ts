/**
 * Domain names on the wire (RFC 1035 §3.1, §4.1.4): length-prefixed labels,
 * ending in a zero byte or a compression pointer to a name elsewhere in the
 * message. Pointers may point forward as long as they stay inside the message;
 * loops are cut by a hop limit and by the 255-byte name limit.
 */
import type { Cursor } from './cursor.js';

/** Longest name on the wire, length bytes and the final zero included (RFC 1035 §3.1). */
export const MAX_NAME_WIRE_LENGTH = 255;
/**
 * Compression pointers followed while reading one name. Real compressors emit
 * one pointer per name, chained a few deep; anything past this is a loop.
 */
export const MAX_NAME_POINTER_HOPS = 32;

const DOT = 0x2e;
const BACKSLASH = 0x5c;

/** Is the byte printed as itself in a label (printable ASCII, not '.', '\' or space)? */
function plainLabelByte(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== DOT && c !== BACKSLASH;
}

/** Label text in presentation form: '.' and '\' escaped, other unprintables as \DDD. */
function labelText(b: Uint8Array, off: number, len: number): string {
  let plain = true;
  for (let i = off; i < off + len; i++) if (!plainLabelByte(b[i])) { plain = false; break; }
  if (plain) return String.fromCharCode.apply(null, b.subarray(off, off + len) as unknown as number[]);
  let s = '';
  for (let i = off; i < off + len; i++) {
    const c = b[i];
    if (plainLabelByte(c)) s += String.fromCharCode(c);
    else if (c === DOT || c === BACKSLASH) s += '\\' + String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return s;
}

/**
 * Reads the name at `c.pos` and moves `c.pos` past it (past the first
 * pointer when compressed). Returns the name without a trailing dot, "." for
 * the root, or null after recording the reason on the cursor.
 */
export function readName(c: Cursor): string | null {
  const b = c.buf;
  const n = b.length;
  let p = c.pos;
  let end = -1; // where the name ends in the original position, once a pointer was taken
  let hops = 0;
  let wireLen = 1; // the final zero byte
  let name = '';
  for (;;) {
    if (p >= n) return c.fail(end < 0 ? 'truncated' : 'bad-pointer');
    const len = b[p];
    if (len === 0) {
      c.pos = end < 0 ? p + 1 : end;
      return name === '' ? '.' : name;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (p + 1 >= n) return c.fail(end < 0 ? 'truncated' : 'bad-pointer');
      if (end < 0) end = p + 2;
      if (++hops > MAX_NAME_POINTER_HOPS) return c.fail('pointer-loop');
      const target = ((len & 0x3f) << 8) | b[p + 1];
      if (target >= n) return c.fail('bad-pointer');
      p = target;
      continue;
    }
    // 0x40 (extended, RFC 6891 §5) and 0x80 labels are not in use.
    if (kind !== 0) return c.fail('bad-label');
    wireLen += len + 1;
    if (wireLen > MAX_NAME_WIRE_LENGTH) return c.fail('name-too-long');
    if (p + 1 + len > n) return c.fail(end < 0 ? 'truncated' : 'bad-pointer');
    const label = labelText(b, p + 1, len);
    name = name === '' ? label : name + '.' + label;
    p += 1 + len;
  }
}

/**
 * Skips the name at `off` without following pointers or building text; for
 * detection. Returns the offset after it, -1 when it is not a valid name, or
 * -2 when `b` ends first. The message spans `start` to `limit` in `b`, which
 * may hold fewer bytes; pointer targets must fall inside the message.
 */
export function skipName(b: Uint8Array, off: number, start: number, limit: number): number {
  let p = off;
  let wireLen = 1;
  for (;;) {
    if (p >= limit) return -1;
    if (p >= b.length) return -2;
    const len = b[p];
    if (len === 0) return p + 1;
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (p + 1 >= limit) return -1;
      if (p + 1 >= b.length) return -2;
      const target = ((len & 0x3f) << 8) | b[p + 1];
      return start + target < limit ? p + 2 : -1;
    }
    if (kind !== 0) return -1;
    wireLen += len + 1;
    if (wireLen > MAX_NAME_WIRE_LENGTH) return -1;
    p += 1 + len;
  }
}
