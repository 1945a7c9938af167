/**
 * A bounded BSON reader (bsonspec.org 1.1) for display: documents become
 * JSON-like values. It reads from a view and never throws; what it keeps
 * (strings, base64 of binaries) is copied out of the view.
 *
 * Value mapping (see FIELDS.md): double, string, bool, null as themselves;
 * int32 a number; int64 a number when it is a safe integer, else its decimal
 * string; ObjectId its 24-digit hex; datetime ISO 8601 (the millisecond
 * count as a string when out of Date's range); binary base64 of its bytes;
 * decimal128 its string form; timestamp "Timestamp(t, i)"; regex "/p/o";
 * JavaScript code its source; MinKey/MaxKey/undefined "$minKey"/"$maxKey"/null.
 *
 * Limits: nesting beyond MAX_DEPTH, more than `budget.values` values, a
 * string past MAX_STRING_CHARS or a binary past MAX_BINARY_BYTES are cut and
 * counted as `truncated`; bytes that break the grammar stop the document and
 * count as `malformed`. A document whose declared length runs past the
 * bytes at hand is read as far as the bytes go (`truncated`).
 */

import { endianness } from 'node:os';

export type BsonValue = null | boolean | number | string | BsonValue[] | BsonDocument;
export interface BsonDocument { [key: string]: BsonValue }

/** Deepest nesting decoded; deeper documents become "[depth limit]". */
export const MAX_DEPTH = 32;
/** Characters of one string value kept. */
export const MAX_STRING_CHARS = 4096;
/** Bytes of one binary value kept (before base64). */
export const MAX_BINARY_BYTES = 1024;
/** Values decoded per message (all documents of it together). */
export const MAX_VALUES_PER_MESSAGE = 10_000;

/** Shared by every document of one message: the value budget and what went wrong. */
export interface BsonBudget {
  values: number;
  truncated: boolean;
  malformed: boolean;
}

export const newBudget = (values = MAX_VALUES_PER_MESSAGE): BsonBudget => ({ values, truncated: false, malformed: false });

const utf8 = new TextDecoder('utf-8');

function i32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24));
}

function u32(b: Uint8Array, p: number): number {
  return i32(b, p) >>> 0;
}

/** The int64 at `p` as a number when safe, else its decimal string. */
export function int64At(b: Uint8Array, p: number): number | string {
  const lo = u32(b, p);
  const hi = i32(b, p + 4);
  const n = hi * 2 ** 32 + lo;
  if (Number.isSafeInteger(n)) return n;
  return ((BigInt(hi) << 32n) | BigInt(lo)).toString();
}

const f64Bytes = new Uint8Array(8);
const f64View = new Float64Array(f64Bytes.buffer);
const LITTLE_ENDIAN = endianness() === 'LE';

/** The little-endian double at `p` (copied through a scratch: no DataView per value). */
function f64(b: Uint8Array, p: number): number {
  for (let i = 0; i < 8; i++) f64Bytes[LITTLE_ENDIAN ? i : 7 - i] = b[p + i];
  return f64View[0]!;
}

/** Index of the NUL ending the cstring at `p`, or -1 before `end`. */
function cstringEnd(b: Uint8Array, p: number, end: number): number {
  for (let i = p; i < end; i++) if (b[i] === 0) return i;
  return -1;
}

/** Short ASCII strings (keys above all) decoded recently: two-way sets on a hash of their bytes. */
const SHORT_TEXT_BYTES = 24;
const SHORT_TEXT_SLOTS = 1024;
const shortBytes: Array<Uint8Array | undefined> = new Array(SHORT_TEXT_SLOTS);
const shortText: string[] = new Array(SHORT_TEXT_SLOTS);

function text(b: Uint8Array, from: number, to: number, budget: BsonBudget): string {
  if (to - from <= SHORT_TEXT_BYTES) {
    const s = shortAscii(b, from, to);
    if (s !== null) return s;
  }
  // At most 4 bytes per char: decode only what can fill MAX_STRING_CHARS.
  const cut = to - from > MAX_STRING_CHARS * 4 ? from + MAX_STRING_CHARS * 4 : to;
  let s = utf8.decode(b.subarray(from, cut));
  if (s.length > MAX_STRING_CHARS || cut < to) {
    s = s.slice(0, MAX_STRING_CHARS);
    budget.truncated = true;
  }
  return s;
}

/**
 * An ASCII string of at most SHORT_TEXT_BYTES from the cache, or decoded and
 * cached; null when it is not ASCII. Why: field names repeat in every
 * document, and a TextDecoder call per name was a tenth of a MongoDB run.
 * Two ways per set, the newer first: with one way and a weak hash, two
 * frequent names sharing a slot evicted each other on every use (the bench
 * recording's 99 distinct strings missed 13% of the time; now 1.3%).
 */
function shortAscii(b: Uint8Array, from: number, to: number): string | null {
  const n = to - from;
  let h = 0x811c9dc5 ^ n;
  for (let i = from; i < to; i++) {
    const c = b[i];
    if (c >= 0x80) return null;
    h = Math.imul(h ^ c, 0x01000193);
  }
  const first = ((h ^ (h >>> 16)) & (SHORT_TEXT_SLOTS - 1)) & ~1;
  for (let slot = first; slot < first + 2; slot++) {
    const known = shortBytes[slot];
    if (known === undefined || known.length !== n) continue;
    let same = true;
    for (let i = 0; i < n; i++) if (known[i] !== b[from + i]) { same = false; break; }
    if (same) return shortText[slot]!;
  }
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i]);
  shortBytes[first + 1] = shortBytes[first]; // the older way goes
  shortText[first + 1] = shortText[first]!;
  shortBytes[first] = b.slice(from, to); // copy: the cache outlives the message
  shortText[first] = s;
  return s;
}

/** Byte → two lower-case hex digits. */
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const hex = (b: Uint8Array, p: number, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX2[b[p + i]];
  return s;
};

/** The last datetime converted: documents of a batch often share timestamps. */
let lastDateMs = NaN;
let lastDate = '';

function isoDate(ms: number | string): string {
  if (ms === lastDateMs) return lastDate;
  if (typeof ms === 'number' && Math.abs(ms) <= 8.64e15) {
    lastDate = new Date(ms).toISOString();
    lastDateMs = ms;
    return lastDate;
  }
  return String(ms);
}

/** IEEE 754-2008 decimal128 (BID encoding) to its string, as the BSON spec's Decimal128 toString. */
export function decimal128At(b: Uint8Array, p: number): string {
  const lo = BigInt(u32(b, p)) | (BigInt(u32(b, p + 4)) << 32n);
  const hi = BigInt(u32(b, p + 8)) | (BigInt(u32(b, p + 12)) << 32n);
  const negative = (hi >> 63n) === 1n;
  const comb = Number((hi >> 58n) & 0x1fn);
  if (comb === 0x1f) return 'NaN';
  if (comb === 0x1e) return negative ? '-Infinity' : 'Infinity';
  let exponent: number;
  let coefficient: bigint;
  if ((comb >> 3) === 3) {
    // 11 after the sign: the coefficient would exceed 34 digits; non-canonical, read as zero.
    exponent = Number((hi >> 47n) & 0x3fffn) - 6176;
    coefficient = 0n;
  } else {
    exponent = Number((hi >> 49n) & 0x3fffn) - 6176;
    coefficient = ((hi & 0x1ffffffffffffn) << 64n) | lo;
    if (coefficient > 9999999999999999999999999999999999n) coefficient = 0n;
  }
  const digits = coefficient.toString();
  const sign = negative ? '-' : '';
  const adjusted = exponent + digits.length - 1;
  if (exponent > 0 || adjusted < -6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mant}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
  }
  if (exponent === 0) return sign + digits;
  const point = digits.length + exponent;
  if (point > 0) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign}0.${'0'.repeat(-point)}${digits}`;
}

/** Size of the document at `p`, or 0 when fewer than 5 bytes remain or the size is impossible. */
export function documentSize(b: Uint8Array, p: number, end: number): number {
  if (p + 4 > end) return 0;
  const n = i32(b, p);
  return n >= 5 ? n : 0;
}

/** Where the value readDoc/readValue last returned ends (module state: no result object per value). */
let after = 0;

/**
 * Reads the document at `p` (within `end`). `asArray` gives an array of the
 * values in key order (BSON arrays). Returns the value and the offset after it.
 */
export function readDocument(b: Uint8Array, p: number, end: number, budget: BsonBudget, depth = 0, asArray = false): { value: BsonDocument | BsonValue[]; next: number } {
  const value = readDoc(b, p, end, budget, depth, asArray);
  return { value, next: after };
}

function readDoc(b: Uint8Array, p: number, end: number, budget: BsonBudget, depth: number, asArray: boolean): BsonDocument | BsonValue[] {
  const size = documentSize(b, p, end);
  if (size === 0) {
    budget.malformed = true;
    after = end;
    return asArray ? [] : {};
  }
  let stop = p + size - 1; // the document's final NUL
  if (stop >= end) { budget.truncated = true; stop = end; }
  const next = Math.min(p + size, end);
  if (depth >= MAX_DEPTH) {
    budget.truncated = true;
    after = next;
    return asArray ? ['[depth limit]'] : { '[depth limit]': null };
  }
  // Only the container this document fills: one of each per document was a share of a MongoDB run's garbage.
  const out: BsonDocument | null = asArray ? null : {};
  const arr: BsonValue[] | null = asArray ? [] : null;
  let q = p + 4;
  while (q < stop) {
    const type = b[q];
    const kEnd = cstringEnd(b, q + 1, stop);
    if (kEnd < 0) { budget.truncated = true; break; }
    // Array keys ("0", "1", …) are not kept: short ones are not decoded at all.
    const key = asArray && kEnd - q - 1 <= SHORT_TEXT_BYTES ? '' : text(b, q + 1, kEnd, budget);
    q = kEnd + 1;
    if (budget.values <= 0) { budget.truncated = true; break; }
    budget.values--;
    const v = readValue(b, type, q, stop, budget, depth);
    if (v === undefined) break; // cut or malformed (budget says which)
    if (arr !== null) arr.push(v);
    else if (key !== '__proto__') out![key] = v;
    else Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true }); // data, not the prototype
    q = after;
  }
  if (q === stop && stop < end && b[stop] !== 0) budget.malformed = true;
  after = next;
  return arr ?? out!;
}

/** `n` bytes at `q` fit before `stop`; else the budget says truncated. */
function fits(q: number, n: number, stop: number, budget: BsonBudget): boolean {
  if (q + n <= stop) return true;
  budget.truncated = true;
  return false;
}

/** One element value of `type` at `q` (its end in `after`); undefined when it does not fit before `stop` or the type is unknown. */
function readValue(b: Uint8Array, type: number, q: number, stop: number, budget: BsonBudget, depth: number): BsonValue | undefined {
  switch (type) {
    case 0x01: return fits(q, 8, stop, budget) ? done(f64(b, q), q + 8) : undefined;
    case 0x02: case 0x0d: case 0x0e: { // string, JavaScript code, symbol
      if (!fits(q, 4, stop, budget)) return undefined;
      const n = i32(b, q);
      if (n < 1) { budget.malformed = true; return undefined; }
      if (!fits(q, 4 + n, stop, budget)) return undefined;
      return done(text(b, q + 4, q + 4 + n - 1, budget), q + 4 + n);
    }
    case 0x03: case 0x04: {
      const d = readDoc(b, q, stop, budget, depth + 1, type === 0x04);
      return after > q ? d : undefined;
    }
    case 0x05: { // binary: int32 length, subtype, bytes
      if (!fits(q, 5, stop, budget)) return undefined;
      const n = i32(b, q);
      if (n < 0) { budget.malformed = true; return undefined; }
      if (!fits(q, 5 + n, stop, budget)) return undefined;
      const keep = Math.min(n, MAX_BINARY_BYTES);
      if (keep < n) budget.truncated = true;
      return done(Buffer.from(b.buffer, b.byteOffset + q + 5, keep).toString('base64'), q + 5 + n);
    }
    case 0x06: case 0x0a: return done(null, q); // undefined, null
    case 0x07: return fits(q, 12, stop, budget) ? done(hex(b, q, 12), q + 12) : undefined;
    case 0x08: return fits(q, 1, stop, budget) ? done(b[q] !== 0, q + 1) : undefined;
    case 0x09: return fits(q, 8, stop, budget) ? done(isoDate(int64At(b, q)), q + 8) : undefined;
    case 0x0b: { // regex: two cstrings
      const e1 = cstringEnd(b, q, stop);
      const e2 = e1 < 0 ? -1 : cstringEnd(b, e1 + 1, stop);
      if (e2 < 0) { budget.truncated = true; return undefined; }
      return done(`/${text(b, q, e1, budget)}/${text(b, e1 + 1, e2, budget)}`, e2 + 1);
    }
    case 0x0c: { // DBPointer: string, 12 bytes
      if (!fits(q, 4, stop, budget)) return undefined;
      const n = i32(b, q);
      if (n < 1) { budget.malformed = true; return undefined; }
      if (!fits(q, 4 + n + 12, stop, budget)) return undefined;
      return done(`${text(b, q + 4, q + 3 + n, budget)}/${hex(b, q + 4 + n, 12)}`, q + 4 + n + 12);
    }
    case 0x0f: { // code with scope: int32 total, string, document
      if (!fits(q, 4, stop, budget)) return undefined;
      const total = i32(b, q);
      if (total < 14) { budget.malformed = true; return undefined; }
      if (!fits(q, total, stop, budget)) return undefined;
      const n = i32(b, q + 4);
      if (n < 1 || 8 + n > total) { budget.malformed = true; return undefined; }
      return done(text(b, q + 8, q + 8 + n - 1, budget), q + total);
    }
    case 0x10: return fits(q, 4, stop, budget) ? done(i32(b, q), q + 4) : undefined;
    case 0x11: return fits(q, 8, stop, budget) ? done(`Timestamp(${u32(b, q + 4)}, ${u32(b, q)})`, q + 8) : undefined;
    case 0x12: return fits(q, 8, stop, budget) ? done(int64At(b, q), q + 8) : undefined;
    case 0x13: return fits(q, 16, stop, budget) ? done(decimal128At(b, q), q + 16) : undefined;
    case 0xff: return done('$minKey', q);
    case 0x7f: return done('$maxKey', q);
    default:
      budget.malformed = true;
      return undefined;
  }
}

/** A value and where it ends. */
function done(v: BsonValue, next: number): BsonValue {
  after = next;
  return v;
}
