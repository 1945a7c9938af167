/**
 * AMQP 0-9-1 field types (spec §4.2.5, RabbitMQ's table value types): a read
 * position over one frame payload that never throws. A read past the end
 * sets `short` and yields 0 / "" so callers check once at the end.
 */

/** Deepest nesting of tables and arrays decoded; deeper values become null. */
export const MAX_TABLE_DEPTH = 8;
/** Most entries decoded per table or array; the rest are skipped (counted). */
export const MAX_TABLE_ENTRIES = 256;

export type AmqpValue = string | number | boolean | null | AmqpValue[] | { [key: string]: AmqpValue };

const utf8 = new TextDecoder();

export class WireCursor {
  pos: number;
  /** A read went past `end`. */
  short = false;
  /** MAX_TABLE_DEPTH or MAX_TABLE_ENTRIES was hit. */
  limited = false;
  /** An unknown field-value type was met (the rest of the table is skipped). */
  badType = false;

  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  private take(n: number): number {
    const p = this.pos;
    if (p + n > this.end) { this.short = true; this.pos = this.end; return -1; }
    this.pos = p + n;
    return p;
  }

  u8(): number { const p = this.take(1); return p < 0 ? 0 : this.buf[p]; }
  i8(): number { const v = this.u8(); return v > 127 ? v - 256 : v; }
  u16(): number { const p = this.take(2); return p < 0 ? 0 : (this.buf[p] << 8) | this.buf[p + 1]; }
  i16(): number { const v = this.u16(); return v > 32767 ? v - 65536 : v; }
  u32(): number {
    const p = this.take(4);
    if (p < 0) return 0;
    const b = this.buf;
    return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }
  i32(): number { return this.u32() | 0; }
  /** 64-bit unsigned as a number (exact below 2^53). */
  u64(): number { const hi = this.u32(); return hi * 4294967296 + this.u32(); }
  i64(): number { const hi = this.i32(); return hi * 4294967296 + this.u32(); }
  f32(): number { const p = this.take(4); return p < 0 ? 0 : new DataView(this.buf.buffer, this.buf.byteOffset + p, 4).getFloat32(0); }
  f64(): number { const p = this.take(8); return p < 0 ? 0 : new DataView(this.buf.buffer, this.buf.byteOffset + p, 8).getFloat64(0); }

  bytes(n: number): Uint8Array {
    const p = this.take(n);
    return p < 0 ? new Uint8Array(0) : this.buf.subarray(p, p + n);
  }
  shortstr(): string { return utf8.decode(this.bytes(this.u8())); }
  longstr(): string { return utf8.decode(this.bytes(this.u32())); }

  /** A field table (§4.2.5.5), decoded into a plain object. */
  table(depth = 0): { [key: string]: AmqpValue } {
    const size = this.u32();
    const end = Math.min(this.pos + size, this.end);
    if (this.pos + size > this.end) this.short = true;
    const out: { [key: string]: AmqpValue } = {};
    if (depth >= MAX_TABLE_DEPTH) { this.limited = true; this.pos = end; return out; }
    const inner = new WireCursor(this.buf, this.pos, end);
    let n = 0;
    while (inner.pos < end && !inner.short && !inner.badType) {
      const key = inner.shortstr();
      const value = inner.value(depth + 1);
      if (n++ < MAX_TABLE_ENTRIES) out[key] = value; else this.limited = true;
    }
    this.absorb(inner);
    this.pos = end;
    return out;
  }

  private array(depth: number): AmqpValue[] {
    const size = this.u32();
    const end = Math.min(this.pos + size, this.end);
    if (this.pos + size > this.end) this.short = true;
    const out: AmqpValue[] = [];
    if (depth >= MAX_TABLE_DEPTH) { this.limited = true; this.pos = end; return out; }
    const inner = new WireCursor(this.buf, this.pos, end);
    while (inner.pos < end && !inner.short && !inner.badType) {
      const value = inner.value(depth + 1);
      if (out.length < MAX_TABLE_ENTRIES) out.push(value); else this.limited = true;
    }
    this.absorb(inner);
    this.pos = end;
    return out;
  }

  private absorb(inner: WireCursor): void {
    this.short ||= inner.short;
    this.limited ||= inner.limited;
    this.badType ||= inner.badType;
  }

  /** One typed field value: a type octet then the value. */
  value(depth: number): AmqpValue {
    const t = this.u8();
    switch (t) {
      case 0x74: return this.u8() !== 0;           // t boolean
      case 0x62: return this.i8();                 // b int8
      case 0x42: return this.u8();                 // B uint8
      case 0x73: return this.i16();                // s int16
      case 0x75: return this.u16();                // u uint16
      case 0x49: return this.i32();                // I int32
      case 0x69: return this.u32();                // i uint32
      case 0x6c: return this.i64();                // l int64
      case 0x4c: return this.i64();                // L int64 (0-9-1 spec)
      case 0x66: return this.f32();                // f
      case 0x64: return this.f64();                // d
      case 0x44: { const scale = this.u8(); return this.i32() / 10 ** scale; } // D decimal
      case 0x53: return this.longstr();            // S long string
      case 0x78: return Buffer.from(this.bytes(this.u32())).toString('base64'); // x byte array
      case 0x41: return this.array(depth);         // A array
      case 0x54: return this.u64();                // T timestamp (seconds)
      case 0x46: return this.table(depth);         // F table
      case 0x56: return null;                      // V void
      default: this.badType = true; this.pos = this.end; return null;
    }
  }
}
