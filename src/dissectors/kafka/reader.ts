/**
 * A bounds-checked reader over one Kafka frame (a view: nothing is copied
 * except the strings it returns). Reads past the end never throw: they set
 * `short` and return zero values, so a decoder runs to its end and the caller
 * checks `short` once.
 *
 * `flexible` switches arrays, strings and bytes to the compact encodings
 * (unsigned varint length + 1) of KIP-482; `tags()` skips tagged fields.
 */

/** Most elements read from one array; the rest are skipped by the decoder stopping (counted via `limited`). */
export const MAX_ARRAY_ELEMENTS = 10_000;
/** Longest string kept (longer ones are cut; the reader still moves past them). */
export const MAX_STRING_CHARS = 1024;

const decoder = new TextDecoder('utf-8', { fatal: false });

export class Reader {
  pos: number;
  short = false;
  /** An array longer than MAX_ARRAY_ELEMENTS or a string cut to MAX_STRING_CHARS was seen. */
  limited = false;
  private readonly view: DataView;

  constructor(readonly buf: Uint8Array, start = 0, public flexible = false) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number { return this.buf.length - this.pos; }

  private need(n: number): boolean {
    if (this.pos + n > this.buf.length) { this.short = true; this.pos = this.buf.length; return false; }
    return true;
  }

  int8(): number { if (!this.need(1)) return 0; const v = this.view.getInt8(this.pos); this.pos += 1; return v; }
  int16(): number { if (!this.need(2)) return 0; const v = this.view.getInt16(this.pos); this.pos += 2; return v; }
  int32(): number { if (!this.need(4)) return 0; const v = this.view.getInt32(this.pos); this.pos += 4; return v; }
  /** int64 as a JS number (exact up to 2^53, which offsets and timestamps stay under). */
  int64(): number {
    if (!this.need(8)) return 0;
    const hi = this.view.getInt32(this.pos); const lo = this.view.getUint32(this.pos + 4);
    this.pos += 8;
    return hi * 4294967296 + lo;
  }
  skip(n: number): void { if (n < 0 || !this.need(n)) { this.short = true; this.pos = this.buf.length; return; } this.pos += n; }

  uvarint(): number {
    let v = 0; let mul = 1;
    for (let i = 0; i < 5; i++) {
      if (!this.need(1)) return 0;
      const b = this.buf[this.pos++]!;
      v += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return v;
      mul *= 128;
    }
    this.short = true; // more than 5 bytes: not a 32-bit varint
    return 0;
  }

  /** Length of an array, string or bytes field; -1 for null. */
  private length(kind: 'array' | 'string' | 'bytes'): number {
    if (this.flexible) return this.uvarint() - 1;
    return kind === 'string' ? this.int16() : this.int32();
  }

  /** A (nullable) string; null for a null string. */
  string(): string | null {
    const n = this.length('string');
    if (n < 0) return null;
    if (!this.need(n)) return '';
    const keep = Math.min(n, MAX_STRING_CHARS);
    if (keep < n) this.limited = true;
    const s = decoder.decode(this.buf.subarray(this.pos, this.pos + keep)); // copied into a JS string
    this.pos += n;
    return s;
  }

  /** A (nullable) bytes field as a view into the frame; null for null. */
  bytes(): Uint8Array | null {
    const n = this.length('bytes');
    if (n < 0) return null;
    if (this.pos + n > this.buf.length) { // cut frame: hand out what is there
      const v = this.buf.subarray(this.pos);
      this.short = true; this.pos = this.buf.length;
      return v;
    }
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Element count of an array (0 for null), capped at MAX_ARRAY_ELEMENTS. */
  arrayLength(): number {
    const n = this.length('array');
    if (n < 0) return 0;
    if (n > MAX_ARRAY_ELEMENTS) { this.limited = true; return MAX_ARRAY_ELEMENTS; }
    return n;
  }

  /** Reads `count` elements; stops early once the frame is exhausted. */
  array<T>(each: () => T): T[] {
    const n = this.arrayLength();
    const out: T[] = [];
    for (let i = 0; i < n && !this.short; i++) out.push(each());
    return out;
  }

  /** Skips a tagged-field section (flexible versions only). */
  tags(): void {
    if (!this.flexible) return;
    const n = this.uvarint();
    for (let i = 0; i < n && !this.short; i++) { this.uvarint(); this.skip(this.uvarint()); }
  }

  uuid(): string {
    if (!this.need(16)) return '';
    let s = '';
    for (let i = 0; i < 16; i++) s += this.buf[this.pos + i]!.toString(16).padStart(2, '0');
    this.pos += 16;
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}
