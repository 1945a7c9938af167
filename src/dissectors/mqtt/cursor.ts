/**
 * MQTT data types (3.1.1 §1.5, 5.0 §1.5): a read position over one packet
 * that never throws. A read past the end sets `short` and yields 0 / "".
 */
const utf8 = new TextDecoder();

export class MqttCursor {
  pos: number;
  short = false;

  constructor(readonly buf: Uint8Array, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  get left(): number { return this.end - this.pos; }

  private take(n: number): number {
    const p = this.pos;
    if (p + n > this.end) { this.short = true; this.pos = this.end; return -1; }
    this.pos = p + n;
    return p;
  }

  u8(): number { const p = this.take(1); return p < 0 ? 0 : this.buf[p]; }
  u16(): number { const p = this.take(2); return p < 0 ? 0 : (this.buf[p] << 8) | this.buf[p + 1]; }
  u32(): number {
    const p = this.take(4);
    if (p < 0) return 0;
    const b = this.buf;
    return ((b[p] << 24) >>> 0) + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]);
  }
  /** Variable byte integer (at most 4 bytes). */
  varint(): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.u8();
      v += (b & 0x7f) * 128 ** i;
      if ((b & 0x80) === 0) return v;
    }
    this.short = true;
    return v;
  }
  bytes(n: number): Uint8Array { const p = this.take(n); return p < 0 ? new Uint8Array(0) : this.buf.subarray(p, p + n); }
  /** Two-byte length prefixed binary data (a view). */
  binary(): Uint8Array { return this.bytes(this.u16()); }
  str(): string { return utf8.decode(this.binary()); }
}
