/**
 * Secrets in text, found wherever they are in a stream: HTTP/1 header lines,
 * `name=value` parameters (request targets, form bodies) and JSON
 * `"name": value` pairs. The same names as the entry redactor
 * (`../redact.ts`): Authorization, Cookie, Set-Cookie, Proxy-Authorization
 * always, and any name that contains a configured word.
 *
 * Hand-written patterns rather than a parser: a packet export holds any
 * protocol and streams that start mid-way, and masking a value that only
 * looks like a header costs little, while missing one leaks it. Every
 * pattern is linear (no nested quantifiers) and bounded names.
 */
import { ALWAYS_HEADERS, type Redactor } from '../redact.js';
import type { Stream } from './streams.js';

/** `Name: value` at the start of a line. */
const HEADER_LINE = /(?:^|\n)([!#$%&'*+.^_`|~0-9A-Za-z-]{1,128})[ \t]*:[ \t]*([^\r\n]*)/dg;
/** `name=value` after `?`, `&`, `;` or white space (a form body starts after the blank line). */
const PARAM = /(?:^|[?&;\s])([^=&;\s?#"'<>]{1,128})=([^&;\s#"'<>]*)/dg;
/** `"name": "value"` (the value may run to the end, cut short) or a number, true or false. */
const JSON_PAIR = /"((?:[^"\\\n]|\\.){1,128})"\s*:\s*(?:"((?:[^"\\]|\\.)*)|(-?[0-9][0-9.eE+-]{0,63}|true|false))/dg;

function decodeName(raw: string): string {
  try { return decodeURIComponent(raw.replace(/\+/g, ' ')); } catch { return raw; }
}

function jsonName(raw: string): string {
  try { return JSON.parse(`"${raw}"`) as string; } catch { return raw; }
}

/** Mask the secrets of one stream's text; returns how many values were masked. */
export function maskText(s: Stream, r: Redactor): number {
  if (s.bytes.length === 0) return 0;
  const text = s.bytes.toString('latin1');
  let n = 0;
  for (const m of text.matchAll(HEADER_LINE)) {
    const name = m[1];
    if (!ALWAYS_HEADERS.includes(name.toLowerCase()) && !r.isSecret(name)) continue;
    const [vs, ve] = m.indices![2];
    if (ve > vs) { s.mask(vs, ve); n++; }
  }
  for (const m of text.matchAll(PARAM)) {
    if (!r.isSecret(decodeName(m[1]))) continue;
    const [vs, ve] = m.indices![2];
    if (ve > vs) { s.mask(vs, ve); n++; }
  }
  for (const m of text.matchAll(JSON_PAIR)) {
    if (!r.isSecret(jsonName(m[1]))) continue;
    const [vs, ve] = m.indices![2] ?? m.indices![3];
    if (ve > vs) { s.mask(vs, ve); n++; }
  }
  return n;
}
