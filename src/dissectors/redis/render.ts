/**
 * Binary-safe text for Redis values. Bytes that are valid UTF-8 without
 * control characters (tab, CR, LF allowed) are shown as they are; anything
 * else is shown redis-cli style: printable ASCII as is, `\\` for a backslash,
 * `\xHH` for every other byte. Renderings are bounded: a scalar by the bytes
 * the parser kept, an aggregate by MAX_VALUE_CHARS.
 */
import type { RespValue } from './parser.js';

/** Longest `response.value` rendering, in characters. */
export const MAX_VALUE_CHARS = 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function plainAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c >= 0x7f || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return false;
  }
  return true;
}

function escaped(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 0x5c) s += '\\\\';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

/**
 * Text of `b`. `cut` says the bytes are a prefix of a longer value, so a
 * UTF-8 sequence split at the end is dropped rather than escaped.
 */
export function bytesText(b: Uint8Array, cut = false): string {
  if (plainAscii(b)) {
    // Short strings (most keys and arguments) are cheaper built directly than through a Buffer view.
    return b.length <= 64 ? String.fromCharCode.apply(null, b as unknown as number[]) : Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
  }
  for (let trim = 0; trim <= (cut ? 3 : 0) && trim < b.length; trim++) {
    try {
      const s = utf8.decode(b.subarray(0, b.length - trim));
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s)) break;
      return s;
    } catch { /* not UTF-8 (yet): try a shorter prefix, then escape */ }
  }
  return escaped(b);
}

/** Text of a scalar at most `maxBytes` long (a further cut of what the parser kept). */
export function scalarText(v: RespValue, maxBytes: number): { text: string; truncated: boolean } {
  const b = v.bytes ?? new Uint8Array(0);
  const cut = b.length > maxBytes || v.truncated;
  return { text: bytesText(b.length > maxBytes ? b.subarray(0, maxBytes) : b, cut), truncated: cut };
}

/** Display text of a scalar's payload: verbatim strings lose their `txt:` format prefix. */
function scalarDisplay(v: RespValue): string {
  if (v.type === 'null' || v.bytes === null) return '(nil)';
  const b = v.type === 'verbatim' && v.bytes.length >= 4 && v.bytes[3] === 0x3a ? v.bytes.subarray(4) : v.bytes;
  if (v.type === 'boolean') return b[0] === 0x74 ? 'true' : 'false';
  return bytesText(b, v.truncated);
}

/**
 * A bounded rendering, Zeek style: `[a, b, [c, d]]` for arrays, sets and
 * pushes, `{k: v, ...}` for maps; elements left out show as `…(+N)`.
 * Returns null for a null value.
 */
export function renderValue(v: RespValue): { text: string | null; truncated: boolean } {
  if (v.type === 'null') return { text: null, truncated: false };
  const out: string[] = [];
  let len = 0;
  let full = false;
  const add = (s: string): void => {
    if (full) return;
    if (len + s.length > MAX_VALUE_CHARS) { out.push(s.slice(0, MAX_VALUE_CHARS - len)); full = true; len = MAX_VALUE_CHARS; return; }
    out.push(s);
    len += s.length;
  };
  const walk = (x: RespValue): void => {
    if (full) return;
    if (x.items === null) { add(scalarDisplay(x)); return; }
    const isMap = x.type === 'map' || x.type === 'attribute';
    add(isMap ? '{' : '[');
    x.items.forEach((item, i) => {
      if (i > 0) add(isMap && i % 2 === 1 ? ': ' : ', ');
      walk(item);
    });
    const shown = isMap ? Math.floor(x.items.length / 2) : x.items.length;
    if (x.length > shown) add(`${x.items.length > 0 ? ', ' : ''}…(+${x.length - shown})`);
    add(isMap ? '}' : ']');
  };
  walk(v);
  return { text: out.join(''), truncated: full || v.truncated };
}
