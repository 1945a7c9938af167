/**
 * Binary-protocol values (COM_STMT_EXECUTE parameters and binary result
 * rows) to display text. `readBinaryValue` returns the text and the offset
 * after the value, or next -1 when the value runs past the packet.
 */
import { T } from './codes.js';
import { lenenc, text, u16, u32 } from './wire.js';

/** Characters kept of one value (parameter or cell). */
export const MAX_VALUE_CHARS = 256;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

function int64(b: Uint8Array, off: number, unsigned: boolean): string {
  const v = Buffer.from(b.buffer, b.byteOffset + off, 8);
  return unsigned ? v.readBigUInt64LE(0).toString() : v.readBigInt64LE(0).toString();
}

function dateTime(b: Uint8Array, off: number, n: number, type: number): string {
  if (n === 0) return type === T.DATE ? '0000-00-00' : '0000-00-00 00:00:00';
  const date = `${pad(u16(b, off), 4)}-${pad(b[off + 2])}-${pad(b[off + 3])}`;
  if (type === T.DATE || n < 7) return date;
  const time = `${pad(b[off + 4])}:${pad(b[off + 5])}:${pad(b[off + 6])}`;
  return n >= 11 ? `${date} ${time}.${pad(u32(b, off + 7), 6)}` : `${date} ${time}`;
}

function time(b: Uint8Array, off: number, n: number): string {
  if (n === 0) return '00:00:00';
  const sign = b[off] === 1 ? '-' : '';
  const hours = u32(b, off + 1) * 24 + b[off + 5];
  const t = `${sign}${pad(hours)}:${pad(b[off + 6])}:${pad(b[off + 7])}`;
  return n >= 12 ? `${t}.${pad(u32(b, off + 8), 6)}` : t;
}

export function readBinaryValue(b: Uint8Array, off: number, type: number, unsigned: boolean): { value: string; next: number } {
  const fixed = (len: number, f: () => string): { value: string; next: number } =>
    (off + len <= b.length ? { value: f(), next: off + len } : { value: '', next: -1 });
  switch (type) {
    case T.TINY: return fixed(1, () => String(unsigned ? b[off] : (b[off] << 24) >> 24));
    case T.SHORT: case T.YEAR: return fixed(2, () => String(unsigned ? u16(b, off) : (u16(b, off) << 16) >> 16));
    case T.LONG: case T.INT24: return fixed(4, () => String(unsigned ? u32(b, off) : u32(b, off) | 0));
    case T.LONGLONG: return fixed(8, () => int64(b, off, unsigned));
    case T.FLOAT: return fixed(4, () => String(Buffer.from(b.buffer, b.byteOffset + off, 4).readFloatLE(0)));
    case T.DOUBLE: return fixed(8, () => String(Buffer.from(b.buffer, b.byteOffset + off, 8).readDoubleLE(0)));
    case T.NULL: return { value: 'NULL', next: off };
    case T.DATE: case T.DATETIME: case T.TIMESTAMP: case T.TIME: {
      if (off >= b.length) return { value: '', next: -1 };
      const n = b[off];
      if (off + 1 + n > b.length) return { value: '', next: -1 };
      return { value: type === T.TIME ? time(b, off + 1, n) : dateTime(b, off + 1, n, type), next: off + 1 + n };
    }
    default: {
      // Strings, decimals, blobs, JSON, enums, bit, geometry: length-encoded bytes.
      const n = lenenc(b, off);
      if (n.value < 0 || n.next + n.value > b.length) return { value: '', next: -1 };
      return { value: text(b, n.next, n.next + Math.min(n.value, MAX_VALUE_CHARS)), next: n.next + n.value };
    }
  }
}
