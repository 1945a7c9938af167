/** Text forms used in RR presentation (RFC 1035 §5.1, RFC 4034, RFC 5155). */
import { typeName } from './codes.js';

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/**
 * A <character-string> body as text: printable ASCII as itself, '\' escaped,
 * other bytes as \DDD; with `quoted`, '"' is escaped and the result quoted.
 */
export function charString(b: Uint8Array, off: number, len: number, quoted: boolean): string {
  let s = '';
  for (let i = off; i < off + len; i++) {
    const c = b[i];
    if (c === BACKSLASH || (quoted && c === QUOTE)) s += '\\' + String.fromCharCode(c);
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += '\\' + String(c).padStart(3, '0');
  }
  return quoted ? `"${s}"` : s;
}

const HEX = '0123456789ABCDEF';

/** Upper-case hex, as dig and zone files print digests and RFC 3597 data. */
export function hex(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}

/** RFC 3597 §5 generic form: `\# <length> <hex>`. */
export function genericRdata(b: Uint8Array, off: number, len: number): string {
  return len === 0 ? '\\# 0' : `\\# ${len} ${hex(b, off, len)}`;
}

export function base64(b: Uint8Array, off: number, len: number): string {
  // A Buffer view over the same memory: no copy.
  return Buffer.from(b.buffer, b.byteOffset + off, len).toString('base64');
}

const BASE32HEX = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

/** Base32hex without padding (RFC 4648 §7), the NSEC3 hashed owner form. */
export function base32hex(b: Uint8Array, off: number, len: number): string {
  let s = '';
  let bits = 0;
  let acc = 0;
  for (let i = off; i < off + len; i++) {
    acc = ((acc << 8) | b[i]) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      s += BASE32HEX[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) s += BASE32HEX[(acc << (5 - bits)) & 31];
  return s;
}

/** RRSIG time (RFC 4034 §3.2): seconds since the epoch as YYYYMMDDHHmmSS, UTC. */
export function dnssecTime(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString(); // 2024-01-31T12:00:00.000Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
}

/**
 * NSEC/NSEC3 type bit maps (RFC 4034 §4.1.2) as space-separated type names;
 * null when a window is malformed.
 */
export function typeBitmap(b: Uint8Array, off: number, end: number): string | null {
  const names: string[] = [];
  let p = off;
  while (p < end) {
    if (p + 2 > end) return null;
    const window = b[p];
    const len = b[p + 1];
    if (len < 1 || len > 32 || p + 2 + len > end) return null;
    for (let i = 0; i < len; i++) {
      const byte = b[p + 2 + i];
      for (let bit = 0; bit < 8; bit++) {
        if (byte & (0x80 >> bit)) names.push(typeName(window * 256 + i * 8 + bit));
      }
    }
    p += 2 + len;
  }
  return names.join(' ');
}
