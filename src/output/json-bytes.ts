/**
 * A growable byte buffer that JSON text is written into directly, for the
 * JSON lines hot path (http-json.ts). Why not strings: an entry built by
 * string concatenation is a tree of ~60 pieces that V8 flattens again when
 * it is encoded, which cost more than building it (1.1 µs of 2.9 per entry
 * here); short ASCII strings and numbers are copied byte by byte instead,
 * remembered fragments with one TypedArray#set.
 */

/** Characters JSON.stringify would escape (surrogates: it escapes lone ones; the slow path sorts that out). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
/** Strings up to this length are tried byte by byte; longer ones go through Buffer#write. */
const BYTE_LOOP_MAX = 96;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** JSON.stringify's two-character escapes of control characters (\b \t \n \f \r). */
const SHORT_ESCAPES: Record<number, number> = { 8: 0x62, 9: 0x74, 10: 0x6e, 12: 0x66, 13: 0x72 };
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Below 2^42 (ms: the year 2109) doubles are closer than 0.001 apart, which the microsecond path needs. */
const MICRO_GRID_MAX = 2 ** 42;
/** Object keys → `"key":` as bytes: field names repeat in every entry. Cleared when full. */
const keyJson = new Map<string, Buffer>();
const MAX_REMEMBERED_KEYS = 4096;
/** Nesting walked by `value()`; deeper values go to JSON.stringify (which finds cycles). */
export const MAX_WALK_DEPTH = 64;

export class JsonBytes {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** Make room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    this.buf.set(b, this.pos);
    this.pos += n;
  }

  /** A copy of what was written from `start` on (to remember a fragment). */
  since(start: number): Buffer {
    return Buffer.from(this.buf.subarray(start, this.pos));
  }

  /** Text as it is, UTF-8 (JSON from JSON.stringify, or constants). */
  text(s: string): void {
    this.ensure(s.length * 3); // one UTF-16 unit is at most 3 UTF-8 bytes
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** `s` as a JSON string literal, exactly as JSON.stringify writes it. */
  string(s: string): void {
    const n = s.length;
    if (n <= BYTE_LOOP_MAX) {
      this.ensure(6 * n + 2); // every unit escaped as \u00XX at worst
      const b = this.buf;
      const start = this.pos;
      let p = start;
      b[p++] = QUOTE;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x20 && c < 0x80 && c !== QUOTE && c !== BACKSLASH) { b[p++] = c; continue; }
        if (c >= 0x80) break; // UTF-8 and lone surrogates: the general path below
        b[p++] = BACKSLASH;
        const short = c === QUOTE || c === BACKSLASH ? c : SHORT_ESCAPES[c] ?? 0;
        if (short !== 0) { b[p++] = short; continue; }
        b[p++] = 0x75; // u00XX, lower-case hex as JSON.stringify writes it
        b[p++] = 0x30;
        b[p++] = 0x30;
        b[p++] = HEX[c >> 4]!;
        b[p++] = HEX[c & 15]!;
      }
      if (i === n) {
        b[p++] = QUOTE;
        this.pos = p;
        return;
      }
      this.pos = start;
    }
    if (n > BYTE_LOOP_MAX && isWellFormed(s)) { this.longString(s); return; }
    this.text(NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"');
  }

  /**
   * A well-formed string of any length: encoded by Buffer#write, then its
   * bytes scanned four at a time for what JSON escapes and, only if there
   * is any, escaped in place from the back. Why: a regex test or
   * JSON.stringify scans ~1.4 ns per character here, this ~0.4.
   */
  private longString(s: string): void {
    this.ensure(s.length * 3 + 2);
    const b = this.buf;
    const from = this.pos + 1;
    b[this.pos] = QUOTE;
    const to = from + b.write(s, from, 'utf8');
    const first = firstEscape(b, this.words(), from, to);
    this.pos = to;
    if (first >= 0) this.escapeFrom(first);
    this.buf[this.pos++] = QUOTE;
  }

  /** Escapes the bytes written from `first` to `pos` in place (shifted towards the end). */
  private escapeFrom(first: number): void {
    let extra = 0;
    const end = this.pos;
    for (let i = first; i < end; i++) {
      const c = this.buf[i]!;
      if (c === QUOTE || c === BACKSLASH) extra += 1;
      else if (c < 0x20) extra += SHORT_ESCAPES[c] !== undefined ? 1 : 5;
    }
    this.ensure(extra + 1);
    const b = this.buf;
    let q = end + extra;
    for (let i = end - 1; i >= first; i--) {
      const c = b[i]!;
      if (c >= 0x20 && c !== QUOTE && c !== BACKSLASH) { b[--q] = c; continue; }
      if (c === QUOTE || c === BACKSLASH) { b[--q] = c; b[--q] = BACKSLASH; continue; }
      const short = SHORT_ESCAPES[c];
      if (short !== undefined) { b[--q] = short; b[--q] = BACKSLASH; continue; }
      b[--q] = HEX[c & 15]!;
      b[--q] = HEX[c >> 4]!;
      b[--q] = 0x30;
      b[--q] = 0x30;
      b[--q] = 0x75;
      b[--q] = BACKSLASH;
    }
    this.pos = end + extra;
  }

  private wordView: Int32Array | null = null;
  /** The whole of `buf`'s ArrayBuffer as 32-bit words (rebuilt when `buf` grows). */
  private words(): Int32Array {
    const ab = this.buf.buffer;
    if (this.wordView === null || this.wordView.buffer !== ab) this.wordView = new Int32Array(ab, 0, ab.byteLength >>> 2);
    return this.wordView;
  }

  /** A whole number 0 <= v < 1e15, digit by digit (two int32 halves: no float division per digit). */
  private whole(v: number): void {
    this.ensure(16);
    const b = this.buf;
    if (v < 1e9) {
      this.pos = writeInt(b, this.pos, v | 0, 0);
      return;
    }
    const hi = Math.floor(v / 1e9);
    this.pos = writeInt(b, writeInt(b, this.pos, hi | 0, 0), (v - hi * 1e9) | 0, 9);
  }

  /** A number as JSON.stringify writes it (non-finite: null). */
  number(v: number): void {
    if (Number.isInteger(v) && v >= 0 && v < 1e15) {
      this.whole(v);
      return;
    }
    if (v > 0 && v < MICRO_GRID_MAX) {
      // Capture times and durations: on the microsecond grid (3 decimals of a ms), the
      // decimal with those digits, trailing zeros cut, is the shortest that reads back as
      // `v` (doubles here are closer than 0.001 apart, so no shorter decimal does): what
      // Number#toString prints, without its general algorithm.
      const u = Math.round(v * 1000);
      if (u / 1000 === v) {
        const whole = Math.floor(u / 1000);
        let frac = u - whole * 1000;
        this.whole(whole);
        if (frac !== 0) {
          this.ensure(4);
          const b = this.buf;
          let p = this.pos;
          b[p++] = 0x2e; // '.'
          let div = 100;
          while (frac !== 0) {
            const d = Math.floor(frac / div);
            b[p++] = 0x30 + d;
            frac -= d * div;
            div /= 10;
          }
          this.pos = p;
        }
        return;
      }
    }
    this.ascii(Number.isFinite(v) ? '' + v : 'null');
  }

  /**
   * Any value as JSON.stringify writes it (false when it writes nothing:
   * the caller leaves the key out). Plain objects, arrays and primitives are
   * walked here; a toJSON is called with the value's key, as JSON.stringify
   * does; anything else (class instances, boxed primitives, BigInt, nesting
   * past MAX_WALK_DEPTH, cycles) is handed to JSON.stringify, which also
   * throws what it throws.
   */
  value(v: unknown, depth = 0, key: string | number = '', toJson = true): boolean {
    switch (typeof v) {
      case 'string': this.string(v); return true;
      case 'number': this.number(v); return true;
      case 'boolean': this.ascii(v ? 'true' : 'false'); return true;
      case 'object': break;
      default: return this.other(v);
    }
    if (v === null) { this.ascii('null'); return true; }
    if (toJson && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      return this.value((v as { toJSON(k: string): unknown }).toJSON(String(key)), depth, key, false);
    }
    if (depth >= MAX_WALK_DEPTH) return this.other(v);
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== Array.prototype) return this.other(v);
      this.byte(0x5b); // [
      for (let i = 0; i < v.length; i++) {
        if (i > 0) this.byte(0x2c);
        if (!this.value(v[i], depth + 1, i)) this.ascii('null');
      }
      this.byte(0x5d); // ]
      return true;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if ((proto !== Object.prototype && proto !== null) || (depth === 0 && inheritsEnumerable())) return this.other(v);
    this.object(v as Record<string, unknown>, depth);
    return true;
  }

  /**
   * A plain object (the caller checked: prototype Object.prototype or null,
   * nothing enumerable inherited, no toJSON of its own) at `depth`. `field`
   * may write a field itself, key included (and return true).
   */
  object(v: Record<string, unknown>, depth: number, field?: (k: string, x: unknown, first: boolean, out: JsonBytes) => boolean): void {
    this.byte(0x7b); // {
    let first = true;
    // for-in, not Object.keys: V8 reads `v[k]` through the enum cache there (no keyed lookup). The
    // same keys in the same order: the prototype is Object.prototype or null, neither enumerable.
    for (const k in v) {
      const x = v[k];
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
      if (field !== undefined && field(k, x, first, this)) continue;
      const mark = this.pos;
      this.key(k, !first);
      // Strings and numbers (most values) straight to their writers, without value()'s dispatch.
      if (typeof x === 'string') { this.string(x); first = false; }
      else if (typeof x === 'number') { this.number(x); first = false; }
      else if (this.value(x, depth + 1, k)) first = false;
      else this.pos = mark; // a toJSON that gave undefined: the key goes too
    }
    this.byte(0x7d); // }
  }

  /** One byte (JSON punctuation). */
  byte(c: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /** `"k":`, after a comma when `comma`, from the key memory. */
  key(k: string, comma: boolean): void {
    let kb = keyJson.get(k);
    if (kb === undefined) {
      kb = Buffer.from(JSON.stringify(k) + ':', 'utf8');
      if (keyJson.size >= MAX_REMEMBERED_KEYS) keyJson.clear();
      keyJson.set(k, kb);
    }
    const n = kb.length;
    this.ensure(n + 1);
    const b = this.buf;
    let p = this.pos;
    if (comma) b[p++] = 0x2c;
    for (let j = 0; j < n; j++) b[p++] = kb[j]!; // a loop: TypedArray#set costs more for a few bytes
    this.pos = p;
  }

  private other(v: unknown): boolean {
    const s = JSON.stringify(v);
    if (s === undefined) return false;
    this.text(s);
    return true;
  }

  /** Text known to be ASCII with nothing to escape (field names, digits). */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }
}

/** Object.prototype has enumerable properties (polluted): for-in would list them, JSON.stringify does not. */
export function inheritsEnumerable(): boolean {
  for (const _ in Object.prototype) return true;
  return false;
}

/** String.prototype.isWellFormed (ES2024, in Node >= 20; lone surrogates are what JSON.stringify escapes). */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

const needsEscape = (c: number): boolean => c < 0x20 || c === QUOTE || c === BACKSLASH;

/**
 * Index of the first byte in b[from, to) that JSON escapes (below 0x20, '"'
 * or '\\'), or -1. Whole aligned words are tested at once: `(w - 0x20..) &
 * ~w & 0x80..` is non-zero exactly when a byte of w is below 0x20, and the
 * same on w ^ 0x22.. / w ^ 0x5c.. (minus 0x01..) finds a quote or backslash.
 */
export function firstEscape(b: Buffer, words: Int32Array, from: number, to: number): number {
  const base = b.byteOffset;
  let i = from;
  while (i < to && ((base + i) & 3) !== 0) { if (needsEscape(b[i]!)) return i; i++; }
  const wordEnd = (base + to) >>> 2;
  for (let w = (base + i) >>> 2; w < wordEnd; w++) {
    const x = words[w]!;
    const q = x ^ 0x22222222;
    const s = x ^ 0x5c5c5c5c;
    if ((((x - 0x20202020) & ~x) | ((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s)) & 0x80808080) {
      const at = (w << 2) - base;
      for (let k = at; k < at + 4; k++) if (needsEscape(b[k]!)) return k;
    }
  }
  for (i = Math.max(i, (wordEnd << 2) - base); i < to; i++) if (needsEscape(b[i]!)) return i;
  return -1;
}

/** Writes int32 `v` >= 0 at `p` in decimal, left-padded with zeros to `width` digits; returns the end. */
function writeInt(b: Buffer, p: number, v: number, width: number): number {
  let digits = 1;
  for (let t = v; t >= 10; t = (t / 10) | 0) digits++;
  if (digits < width) digits = width;
  const end = p + digits;
  let q = end;
  for (let k = 0; k < digits; k++) {
    const t = (v / 10) | 0;
    b[--q] = 0x30 + (v - t * 10);
    v = t;
  }
  return end;
}
