/**
 * The demo's gRPC messages, encoded as real protobuf by hand (no .proto file
 * at run time), so the capture shows proper gRPC frames:
 *
 *   message ProductRequest { int32 id = 1; }
 *   message ListRequest    { string category = 1; int32 limit = 2; }
 *   message Product        { int32 id = 1; string name = 2; int32 price_cents = 3; int32 stock = 4; string category = 5; }
 *   message ProductList    { repeated Product products = 1; }
 *
 * Only varint (wire type 0) and length-delimited (2) fields occur.
 */
export interface Product {
  id: number;
  name: string;
  priceCents: number;
  stock: number;
  category: string;
}

export interface ListRequest {
  category: string;
  limit: number;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

class Writer {
  private readonly bytes: number[] = [];
  int(field: number, v: number): this {
    if (v !== 0) this.bytes.push(...varint(field << 3), ...varint(v));
    return this;
  }
  bytesField(field: number, b: Uint8Array): this {
    this.bytes.push(...varint((field << 3) | 2), ...varint(b.length), ...b);
    return this;
  }
  str(field: number, s: string): this {
    return s === '' ? this : this.bytesField(field, Buffer.from(s, 'utf8'));
  }
  done(): Buffer {
    return Buffer.from(this.bytes);
  }
}

/** Field number → last varint or bytes seen (repeated fields: every value in `all`). */
function fields(b: Buffer): { one: Map<number, number | Buffer>; all: Map<number, Buffer[]> } {
  const one = new Map<number, number | Buffer>();
  const all = new Map<number, Buffer[]>();
  let i = 0;
  const read = (): number => {
    let v = 0, shift = 0;
    while (i < b.length) {
      const byte = b[i++]!;
      v += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
      shift += 7;
    }
    return v;
  };
  while (i < b.length) {
    const key = read();
    const field = Math.floor(key / 8), wire = key & 7;
    if (wire === 0) one.set(field, read());
    else if (wire === 2) {
      const len = read();
      const v = b.subarray(i, i + len);
      i += len;
      one.set(field, v);
      all.set(field, [...(all.get(field) ?? []), v]);
    } else break; // not written by this file
  }
  return { one, all };
}

const num = (v: number | Buffer | undefined): number => (typeof v === 'number' ? v : 0);
const text = (v: number | Buffer | undefined): string => (Buffer.isBuffer(v) ? v.toString('utf8') : '');

export const encodeProductRequest = (id: number): Buffer => new Writer().int(1, id).done();
export const decodeProductRequest = (b: Buffer): number => num(fields(b).one.get(1));

export const encodeListRequest = (r: ListRequest): Buffer => new Writer().str(1, r.category).int(2, r.limit).done();
export function decodeListRequest(b: Buffer): ListRequest {
  const f = fields(b).one;
  return { category: text(f.get(1)), limit: num(f.get(2)) };
}

export const encodeProduct = (p: Product): Buffer =>
  new Writer().int(1, p.id).str(2, p.name).int(3, p.priceCents).int(4, p.stock).str(5, p.category).done();
export function decodeProduct(b: Buffer): Product {
  const f = fields(b).one;
  return { id: num(f.get(1)), name: text(f.get(2)), priceCents: num(f.get(3)), stock: num(f.get(4)), category: text(f.get(5)) };
}

export function encodeProductList(list: Product[]): Buffer {
  const w = new Writer();
  for (const p of list) w.bytesField(1, encodeProduct(p));
  return w.done();
}
export const decodeProductList = (b: Buffer): Product[] => (fields(b).all.get(1) ?? []).map(decodeProduct);
