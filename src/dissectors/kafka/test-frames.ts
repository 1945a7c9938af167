/**
 * Frame builders for unit tests: requests (header v1, or v2 for flexible
 * versions) and responses (header v0, or v1 with tagged fields), plus a
 * body writer for classic and compact encodings and a record batch header.
 */
export class W {
  private parts: Buffer[] = [];
  constructor(readonly flexible = false) {}
  i8(v: number): this { const b = Buffer.alloc(1); b.writeInt8(v); return this.raw(b); }
  i16(v: number): this { const b = Buffer.alloc(2); b.writeInt16BE(v); return this.raw(b); }
  i32(v: number): this { const b = Buffer.alloc(4); b.writeInt32BE(v); return this.raw(b); }
  i64(v: number): this { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(v)); return this.raw(b); }
  uvarint(v: number): this { const o: number[] = []; while (v > 0x7f) { o.push((v & 0x7f) | 0x80); v >>>= 7; } o.push(v); return this.raw(Buffer.from(o)); }
  str(s: string | null): this {
    if (s === null) return this.flexible ? this.uvarint(0) : this.i16(-1);
    const b = Buffer.from(s);
    return (this.flexible ? this.uvarint(b.length + 1) : this.i16(b.length)).raw(b);
  }
  bytes(b: Buffer | null): this {
    if (b === null) return this.flexible ? this.uvarint(0) : this.i32(-1);
    return (this.flexible ? this.uvarint(b.length + 1) : this.i32(b.length)).raw(b);
  }
  array<T>(xs: readonly T[], each: (x: T) => void): this { if (this.flexible) this.uvarint(xs.length + 1); else this.i32(xs.length); xs.forEach(each); return this; }
  /** Empty tagged-field section (flexible only). */
  tags(): this { return this.flexible ? this.uvarint(0) : this; }
  raw(b: Buffer): this { this.parts.push(b); return this; }
  done(): Buffer { return Buffer.concat(this.parts); }
}

const sized = (b: Buffer): Buffer => { const n = Buffer.alloc(4); n.writeInt32BE(b.length); return Buffer.concat([n, b]); };

export function request(key: number, version: number, corr: number, clientId: string | null, body: Buffer, flexible = false): Buffer {
  const h = new W().i16(key).i16(version).i32(corr).str(clientId);
  if (flexible) h.uvarint(0);
  return sized(Buffer.concat([h.done(), body]));
}

export function response(corr: number, body: Buffer, flexibleHeader = false): Buffer {
  const h = new W().i32(corr);
  if (flexibleHeader) h.uvarint(0);
  return sized(Buffer.concat([h.done(), body]));
}

/** A record batch (magic 2) with `count` records; the records themselves are filler bytes. */
export function recordBatch(count: number, baseOffset = 0, fillerBytes = 20): Buffer {
  const b = Buffer.alloc(61 + fillerBytes, 0x61);
  b.writeBigInt64BE(BigInt(baseOffset), 0);
  b.writeInt32BE(b.length - 12, 8);
  b.writeInt32BE(0, 12); b.writeInt8(2, 16); b.writeInt32BE(0, 17); b.writeInt16BE(0, 21);
  b.writeInt32BE(count - 1, 23); b.writeBigInt64BE(0n, 27); b.writeBigInt64BE(0n, 35);
  b.writeBigInt64BE(-1n, 43); b.writeInt16BE(-1, 51); b.writeInt32BE(-1, 53); b.writeInt32BE(count, 57);
  return b;
}
