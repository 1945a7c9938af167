/**
 * Secrets in text, found wherever they are in a stream: HTTP/1 header lines,
 * `name=value` parameters (request targets, form bodies, cookies) and JSON
 * `"name": value` pairs. The same names as the entry redactor
 * (`../redact.ts`): Authorization, Cookie, Set-Cookie, Proxy-Authorization
 * always, and any name that contains a configured word.
 *
 * Driven by the words, not by the syntax: a stream is searched for the
 * always-masked header names and for the configured words (one linear
 * regex each), and only around each hit is the name around it found and
 * checked (header, parameter or JSON key) and its value masked. The cost is
 * one pass over the text plus a little per hit, however many headers,
 * parameters and JSON fields there are (a JSON API body has thousands).
 *
 * Patterns rather than a parser: a packet export holds any protocol and
 * streams that start mid-way, and masking a value that only looks like a
 * header costs little, while missing one leaks it.
 */
import { jsonKeyName, paramName, type Redactor } from '../redact.js';
import type { Stream } from './streams.js';

/** Longest name looked at around a hit (as the entry redactor's JSON text pairs). */
const MAX_NAME = 128;
/** Header lines always masked, found by name. */
const ALWAYS_LINE = /(?:^|\n)(?:authorization|cookie|set-cookie|proxy-authorization)[ \t]*:[ \t]*/gi;
const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const PARAM_DELIM = /[?&;\s]/;
const VALUE_END = /[&;\s#"'<>]/;
/** JSON \u escapes and URL %-escapes, which can spell a secret name without its word appearing. */
const ESCAPES = /\\u[0-9a-fA-F]{4}|%[0-9a-fA-F]{2}/g;

/** End of a line's value: the next CR or LF. */
function lineEnd(t: string, from: number): number {
  for (let i = from; i < t.length; i++) { const c = t.charCodeAt(i); if (c === 13 || c === 10) return i; }
  return t.length;
}

/** `Name: value` where the hit at [ws, we) lies inside Name. */
function headerAt(t: string, ws: number, we: number, r: Redactor, s: Stream): boolean {
  let a = ws;
  while (a > 0 && ws - a < MAX_NAME && TOKEN_CHAR.test(t[a - 1])) a--;
  if (a > 0 && t[a - 1] !== '\n') return false;
  let z = we;
  while (z < t.length && z - a < MAX_NAME && TOKEN_CHAR.test(t[z])) z++;
  let c = z;
  while (c < t.length && (t[c] === ' ' || t[c] === '\t')) c++;
  if (t[c] !== ':' || !r.isSecret(t.slice(a, z))) return false;
  c++;
  while (c < t.length && (t[c] === ' ' || t[c] === '\t')) c++;
  s.mask(c, lineEnd(t, c));
  return true;
}

/** `name=value` where the hit lies inside name. */
function paramAt(t: string, ws: number, we: number, r: Redactor, s: Stream): boolean {
  let a = ws;
  while (a > 0 && ws - a < MAX_NAME && !PARAM_DELIM.test(t[a - 1]) && t[a - 1] !== '=' && t[a - 1] !== '"') a--;
  if (a > 0 && !PARAM_DELIM.test(t[a - 1])) return false;
  let z = we;
  while (z < t.length && z - a < MAX_NAME && t[z] !== '=' && !PARAM_DELIM.test(t[z]) && t[z] !== '"') z++;
  if (t[z] !== '=' || !r.isSecret(paramName(t.slice(a, z)))) return false;
  let e = z + 1;
  while (e < t.length && !VALUE_END.test(t[e])) e++;
  s.mask(z + 1, e);
  return true;
}

/** `"name": value` where the hit lies inside name. */
function jsonAt(t: string, ws: number, we: number, r: Redactor, s: Stream): boolean {
  let a = ws;
  while (a > 0 && ws - a < MAX_NAME && t[a - 1] !== '"' && t[a - 1] !== '\n') a--;
  if (a === 0 || t[a - 1] !== '"' || (a > 1 && t[a - 2] === '\\')) return false;
  let z = we;
  while (z < t.length && z - a < MAX_NAME && (t[z] !== '"' || t[z - 1] === '\\') && t[z] !== '\n') z++;
  if (t[z] !== '"') return false;
  let c = z + 1;
  while (c < t.length && /\s/.test(t[c])) c++;
  if (t[c] !== ':' || !r.isSecret(jsonKeyName(t.slice(a, z)))) return false;
  c++;
  while (c < t.length && /\s/.test(t[c])) c++;
  if (t[c] === '"') {
    let e = c + 1;
    while (e < t.length && t[e] !== '"') e += t[e] === '\\' ? 2 : 1;
    s.mask(c + 1, Math.min(e, t.length)); // to the end when the value was cut short
    return true;
  }
  const lit = /^(?:-?[0-9][0-9.eE+-]{0,63}|true|false)/.exec(t.slice(c, c + 64));
  if (lit === null) return false; // an object or array: its own fields are looked at
  s.mask(c, c + lit[0].length);
  return true;
}

/** Mask the secrets of one stream's text; returns how many values were masked. */
export function maskText(s: Stream, r: Redactor): number {
  if (s.bytes.length === 0) return 0;
  const t = s.bytes.toString('latin1');
  let n = 0;
  for (const m of t.matchAll(ALWAYS_LINE)) {
    const v = m.index + m[0].length;
    const e = lineEnd(t, v);
    if (e > v) { s.mask(v, e); n++; }
  }
  const words = r.wordFinder();
  if (words === null) return n;
  for (let m = words.exec(t); m !== null; m = words.exec(t)) {
    const ws = m.index, we = ws + m[0].length;
    if (headerAt(t, ws, we, r, s) || paramAt(t, ws, we, r, s) || jsonAt(t, ws, we, r, s)) n++;
  }
  // A name can hide its word behind escapes (`pass\u0077ord`, `pass%77ord`): every escape is a hit too.
  for (const m of t.matchAll(ESCAPES)) {
    const ws = m.index, we = ws + m[0].length;
    if (m[0][0] === '%' ? paramAt(t, ws, we, r, s) : jsonAt(t, ws, we, r, s)) n++;
  }
  return n;
}
