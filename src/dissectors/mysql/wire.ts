/**
 * Primitive readers of the MySQL wire format (little-endian integers,
 * length-encoded integers and strings). All read from a view, never past its
 * end: a read that would overrun returns -1 / null so callers can mark the
 * packet malformed instead of throwing.
 */

/** Text decoder shared by all readers; invalid UTF-8 becomes U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: false });

export function u16(b: Uint8Array, off: number): number {
  return b[off] | (b[off + 1] << 8);
}

export function u24(b: Uint8Array, off: number): number {
  return b[off] | (b[off + 1] << 8) | (b[off + 2] << 16);
}

export function u32(b: Uint8Array, off: number): number {
  return (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16)) + b[off + 3] * 0x1000000;
}

/** A length-encoded integer and the offset after it; `value` -1 when it runs past the end or is the NULL marker (0xfb). */
export interface LenEnc { value: number; next: number; isNull: boolean }

export function lenenc(b: Uint8Array, off: number): LenEnc {
  if (off >= b.length) return { value: -1, next: off, isNull: false };
  const first = b[off];
  if (first < 0xfb) return { value: first, next: off + 1, isNull: false };
  if (first === 0xfb) return { value: -1, next: off + 1, isNull: true };
  if (first === 0xfc) return off + 3 <= b.length ? { value: u16(b, off + 1), next: off + 3, isNull: false } : { value: -1, next: off, isNull: false };
  if (first === 0xfd) return off + 4 <= b.length ? { value: u24(b, off + 1), next: off + 4, isNull: false } : { value: -1, next: off, isNull: false };
  if (first === 0xfe && off + 9 <= b.length) {
    // 8 bytes: exact up to 2^53, which covers every row count and id seen in practice.
    const lo = u32(b, off + 1);
    const hi = u32(b, off + 5);
    return { value: hi * 0x100000000 + lo, next: off + 9, isNull: false };
  }
  return { value: -1, next: off, isNull: false };
}

export function text(b: Uint8Array, start: number, end: number): string {
  return utf8.decode(b.subarray(start, Math.min(end, b.length)));
}

/** A NUL-terminated string; `next` is past the NUL, or -1 when there is none. */
export function cstring(b: Uint8Array, off: number): { value: string; next: number } {
  const end = b.indexOf(0, off);
  if (end === -1) return { value: text(b, off, b.length), next: -1 };
  return { value: text(b, off, end), next: end + 1 };
}

/** A length-encoded string (null for the NULL marker); `next` -1 when it runs past the end. */
export function lenencString(b: Uint8Array, off: number, maxChars = Infinity): { value: string | null; next: number; length: number } {
  const n = lenenc(b, off);
  if (n.isNull) return { value: null, next: n.next, length: 0 };
  if (n.value < 0) return { value: null, next: -1, length: 0 };
  const end = n.next + n.value;
  const keep = Math.min(end, n.next + (Number.isFinite(maxChars) ? maxChars : n.value));
  return { value: text(b, n.next, keep), next: end <= b.length ? end : -1, length: n.value };
}
