/**
 * SVCB and HTTPS RR data (RFC 9460): priority, target name, then SvcParams
 * as `key=value` in the presentation form of §7; unknown keys as
 * `keyNNNNN="value"`.
 */
import { formatIpv4, formatIpv6 } from '../../layers/address.js';
import type { Cursor } from './cursor.js';
import { base64, charString } from './format.js';
import { readName } from './name.js';

const KEY_NAMES: readonly string[] = [
  'mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint', 'dohpath', 'ohttp',
];

function keyName(key: number): string {
  return KEY_NAMES[key] ?? `key${key}`;
}

/** The value of one SvcParam, null when it does not fit its key. */
function paramValue(b: Uint8Array, key: number, off: number, len: number): string | null {
  const end = off + len;
  const list: string[] = [];
  switch (key) {
    case 0: // mandatory: a list of keys
      if (len === 0 || len % 2 !== 0) return null;
      for (let p = off; p < end; p += 2) list.push(keyName((b[p] << 8) | b[p + 1]));
      return list.join(',');
    case 1: // alpn: length-prefixed protocol ids
      for (let p = off; p < end; ) {
        const l = b[p];
        if (l === 0 || p + 1 + l > end) return null;
        list.push(charString(b, p + 1, l, false).replace(/,/g, '\\,'));
        p += 1 + l;
      }
      return list.length > 0 ? list.join(',') : null;
    case 2: case 8: // no-default-alpn, ohttp: no value
      return len === 0 ? '' : null;
    case 3:
      return len === 2 ? String((b[off] << 8) | b[off + 1]) : null;
    case 4:
      if (len === 0 || len % 4 !== 0) return null;
      for (let p = off; p < end; p += 4) list.push(formatIpv4(b, p));
      return list.join(',');
    case 5:
      return base64(b, off, len);
    case 6:
      if (len === 0 || len % 16 !== 0) return null;
      for (let p = off; p < end; p += 16) list.push(formatIpv6(b, p));
      return list.join(',');
    default:
      return charString(b, off, len, true);
  }
}

export function svcb(c: Cursor, end: number): string | null {
  if (c.pos + 3 > end) return null;
  const priority = c.u16();
  const target = readName(c);
  if (target === null || c.pos > end) return null;
  let s = `${priority} ${target}`;
  while (c.pos < end) {
    if (c.pos + 4 > end) return null;
    const key = c.u16();
    const len = c.u16();
    if (c.pos + len > end) return null;
    const value = paramValue(c.buf, key, c.pos, len);
    if (value === null) return null;
    s += value === '' ? ` ${keyName(key)}` : ` ${keyName(key)}=${value}`;
    c.pos += len;
  }
  return s;
}
