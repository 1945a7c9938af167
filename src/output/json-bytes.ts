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
/** Below 2^42 (ms: the year 2109) doubles are closer than 0.001 apart, which the microsecond path needs. */
const MICRO_GRID_MAX = 2 ** 42;

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
      this.ensure(n + 2);
      const b = this.buf;
      const start = this.pos;
      let p = start;
      b[p++] = QUOTE;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c < 0x20 || c === QUOTE || c === 0x5c || c >= 0x80) break;
        b[p++] = c;
      }
      if (i === n) {
        b[p++] = QUOTE;
        this.pos = p;
        return;
      }
      this.pos = start; // something to escape or encode: the general path below
    }
    this.text(NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"');
  }

  /** A number as JSON.stringify writes it (non-finite: null). */
  number(v: number): void {
    if (Number.isInteger(v) && v >= 0 && v < 1e15) {
      this.ensure(16);
      const b = this.buf;
      let p = this.pos;
      if (v < 10) { b[p] = 0x30 + v; this.pos = p + 1; return; }
      let digits = 0;
      for (let t = v; t >= 1; t = Math.floor(t / 10)) digits++;
      p += digits;
      this.pos = p;
      for (let t = v; t >= 1; t = Math.floor(t / 10)) b[--p] = 0x30 + (t % 10);
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
        this.number(whole);
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
