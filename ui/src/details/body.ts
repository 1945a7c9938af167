/**
 * How a body is shown, chosen by its content type and checked against its
 * bytes: a JSON tree, form fields, text, an image preview or a hex dump.
 * A body that claims JSON but does not parse is shown as text, never lost.
 */
import type { HttpBody } from '../../../src/entries/types.js';

export type BodyView =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown; text: string }
  | { kind: 'form'; fields: Array<[string, string]> }
  | { kind: 'text'; text: string }
  | { kind: 'image'; dataUrl: string; mimeType: string }
  | { kind: 'binary'; bytes: Uint8Array };

/** Images shown inline; SVG is left out (it can carry script) and shown as text. */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/x-icon', 'image/avif']);

export function base64Bytes(b64: string): Uint8Array {
  try {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return new Uint8Array(0);
  }
}

const baseType = (mime: string): string => mime.split(';')[0]!.trim().toLowerCase();

export function bodyView(body: HttpBody | null | undefined): BodyView {
  if (body === null || body === undefined || (body.content === '' && body.size === 0)) return { kind: 'empty' };
  const type = baseType(body.mimeType ?? '');
  if (body.encoding === 'base64') {
    if (IMAGE_TYPES.has(type) && !body.truncated) return { kind: 'image', dataUrl: `data:${type};base64,${body.content}`, mimeType: type };
    return { kind: 'binary', bytes: base64Bytes(body.content) };
  }
  const text = body.content;
  if (type === 'application/json' || type.endsWith('+json') || (type === '' || type === 'text/plain') && /^\s*[[{]/.test(text)) {
    try { return { kind: 'json', value: JSON.parse(text) as unknown, text }; } catch { /* not JSON after all (or truncated): text */ }
  }
  if (type === 'application/x-www-form-urlencoded') {
    try { return { kind: 'form', fields: [...new URLSearchParams(text)] }; } catch { /* falls through to text */ }
  }
  return { kind: 'text', text };
}

/** Classic 16-bytes-per-line hex dump with printable ASCII, bounded to `maxBytes`. */
export function hexDump(bytes: Uint8Array, maxBytes = 64 * 1024): string {
  const n = Math.min(bytes.length, maxBytes);
  const lines: string[] = [];
  for (let off = 0; off < n; off += 16) {
    const row = bytes.subarray(off, Math.min(off + 16, n));
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      const b = row[i];
      hex += b === undefined ? '   ' : `${b.toString(16).padStart(2, '0')} `;
      if (i === 7) hex += ' ';
      ascii += b === undefined ? '' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  if (bytes.length > n) lines.push(`… ${bytes.length - n} more bytes`);
  return lines.join('\n');
}
