/**
 * TEST-ONLY STAND-IN for a Kafka broker: no Kafka broker runs on this
 * machine, so the tests drive the real `kafkajs` client against this small
 * net.Server on 127.0.0.1 (port 0 by default). It speaks the real wire
 * protocol, written from the Kafka protocol guide independently of the
 * dissector's parser (it shares no code with it), for exactly:
 *
 *   ApiVersions  v0-v3 (v3: flexible body, response header v0); answers with the ranges below
 *   Metadata     v1    (every asked topic is auto-created with one partition, leader = this broker)
 *   Produce      v3    (record batches v2, stored per partition with base offsets assigned)
 *   ListOffsets  v1    (-2 earliest, -1 latest)
 *   Fetch        v4    (returns the stored batches from the fetch offset)
 *   FindCoordinator v0 (this broker)
 *
 * Anything else is answered by closing the connection. One broker, node id 1,
 * no authentication, no compression handling, no transactions. Not for use
 * outside tests.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export const SUPPORTED: ReadonlyArray<readonly [key: number, min: number, max: number]> = [
  [0, 3, 3], [1, 4, 4], [2, 1, 1], [3, 1, 1], [10, 0, 0], [18, 0, 3],
];
const NODE_ID = 1;
/** Largest request the stand-in accepts. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

class Out {
  private parts: Buffer[] = [];
  i8(v: number): this { const b = Buffer.alloc(1); b.writeInt8(v); this.parts.push(b); return this; }
  i16(v: number): this { const b = Buffer.alloc(2); b.writeInt16BE(v); this.parts.push(b); return this; }
  i32(v: number): this { const b = Buffer.alloc(4); b.writeInt32BE(v); this.parts.push(b); return this; }
  i64(v: number | bigint): this { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(v)); this.parts.push(b); return this; }
  uvarint(v: number): this { const o: number[] = []; while (v > 0x7f) { o.push((v & 0x7f) | 0x80); v >>>= 7; } o.push(v); this.parts.push(Buffer.from(o)); return this; }
  str(s: string | null): this { if (s === null) return this.i16(-1); const b = Buffer.from(s); this.i16(b.length); this.parts.push(b); return this; }
  raw(b: Buffer): this { this.parts.push(b); return this; }
  array<T>(xs: readonly T[], each: (x: T) => void, compact = false): this { if (compact) this.uvarint(xs.length + 1); else this.i32(xs.length); xs.forEach(each); return this; }
  done(): Buffer { return Buffer.concat(this.parts); }
}

class In {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  i8(): number { const v = this.b.readInt8(this.pos); this.pos += 1; return v; }
  i16(): number { const v = this.b.readInt16BE(this.pos); this.pos += 2; return v; }
  i32(): number { const v = this.b.readInt32BE(this.pos); this.pos += 4; return v; }
  i64(): bigint { const v = this.b.readBigInt64BE(this.pos); this.pos += 8; return v; }
  uvarint(): number { let v = 0; let s = 0; for (;;) { const x = this.b[this.pos++]!; v |= (x & 0x7f) << s; if (x < 0x80) return v; s += 7; } }
  str(): string | null { const n = this.i16(); if (n < 0) return null; const s = this.b.toString('utf8', this.pos, this.pos + n); this.pos += n; return s; }
  bytes(): Buffer | null { const n = this.i32(); if (n < 0) return null; const v = this.b.subarray(this.pos, this.pos + n); this.pos += n; return v; }
  array<T>(each: () => T): T[] { const n = this.i32(); const o: T[] = []; for (let i = 0; i < n; i++) o.push(each()); return o; }
}

/** What the stand-in saw: for the tests' ground truth on the broker side. */
export interface BrokerLog { requests: Array<{ apiKey: number; apiVersion: number; correlationId: number; clientId: string | null }> }

export class StandInBroker {
  readonly log: BrokerLog = { requests: [] };
  /** topic → partition → stored batches (base offset rewritten). */
  readonly topics = new Map<string, { batches: Buffer[]; next: number }>();
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(port = 0): Promise<number> {
    this.server = createServer((s) => this.connection(s));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private log0(topic: string): { batches: Buffer[]; next: number } {
    let t = this.topics.get(topic);
    if (t === undefined) { t = { batches: [], next: 0 }; this.topics.set(topic, t); }
    return t;
  }

  private connection(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 4) {
        const size = buf.readInt32BE(0);
        if (size < 0 || size > MAX_REQUEST_BYTES) { s.destroy(); return; }
        if (buf.length < 4 + size) break;
        const frame = buf.subarray(4, 4 + size);
        buf = buf.subarray(4 + size);
        const reply = this.handle(frame);
        if (reply === 'close') { s.destroy(); return; }
        if (reply !== null) { const len = Buffer.alloc(4); len.writeInt32BE(reply.length); s.write(Buffer.concat([len, reply])); }
      }
    });
  }

  /** One request frame to its response frame (without size), null for none (acks=0), 'close' for unsupported. */
  private handle(frame: Buffer): Buffer | null | 'close' {
    const r = new In(frame);
    const key = r.i16(); const v = r.i16(); const corr = r.i32(); const clientId = r.str();
    this.log.requests.push({ apiKey: key, apiVersion: v, correlationId: corr, clientId });
    const out = new Out().i32(corr); // response header v0 (all the versions here)
    switch (key) {
      case 18: return this.apiVersions(v, out);
      case 3: return this.metadata(r, out);
      case 0: return this.produce(r, out);
      case 2: return this.listOffsets(r, out);
      case 1: return this.fetch(r, out);
      case 10: return out.i16(0).i32(NODE_ID).str('127.0.0.1').i32(this.port).done();
      default: return 'close';
    }
  }

  private apiVersions(v: number, out: Out): Buffer {
    if (v > 3) return out.i16(35).array(SUPPORTED, ([k, lo, hi]) => out.i16(k).i16(lo).i16(hi)).done();
    const compact = v >= 3;
    out.i16(0).array(SUPPORTED, ([k, lo, hi]) => { out.i16(k).i16(lo).i16(hi); if (compact) out.uvarint(0); }, compact);
    if (v >= 1) out.i32(0);
    if (compact) out.uvarint(0);
    return out.done();
  }

  private metadata(r: In, out: Out): Buffer {
    const n = r.i32();
    const asked: string[] = [];
    for (let i = 0; i < n; i++) asked.push(r.str() ?? '');
    for (const t of asked) this.log0(t);
    const names = n < 0 ? [...this.topics.keys()] : asked;
    out.array([0], () => out.i32(NODE_ID).str('127.0.0.1').i32(this.port).str(null));
    out.i32(NODE_ID);
    out.array(names, (t) => {
      out.i16(0).str(t).i8(0);
      out.array([0], () => { out.i16(0).i32(0).i32(NODE_ID); out.array([NODE_ID], (x) => out.i32(x)); out.array([NODE_ID], (x) => out.i32(x)); });
    });
    return out.done();
  }

  private produce(r: In, out: Out): Buffer | null {
    r.str(); const acks = r.i16(); r.i32();
    const results = r.array(() => {
      const name = r.str() ?? '';
      const parts = r.array(() => {
        const partition = r.i32(); const records = r.bytes();
        if (partition !== 0) return { partition, error: 3, base: -1 };
        const t = this.log0(name);
        const base = t.next;
        let pos = 0;
        while (records !== null && pos + 61 <= records.length) {
          const len = records.readInt32BE(pos + 8);
          const batch = Buffer.from(records.subarray(pos, pos + 12 + len)); // copy: kept in the log
          batch.writeBigInt64BE(BigInt(t.next), 0);
          t.next += batch.readInt32BE(57);
          t.batches.push(batch);
          pos += 12 + len;
        }
        return { partition, error: 0, base };
      });
      return { name, parts };
    });
    if (acks === 0) return null;
    out.array(results, (t) => { out.str(t.name); out.array(t.parts, (p) => out.i32(p.partition).i16(p.error).i64(p.base).i64(-1)); });
    return out.i32(0).done();
  }

  private listOffsets(r: In, out: Out): Buffer {
    r.i32();
    const topics = r.array(() => ({ name: r.str() ?? '', parts: r.array(() => ({ partition: r.i32(), ts: r.i64() })) }));
    out.array(topics, (t) => {
      out.str(t.name);
      out.array(t.parts, (p) => {
        const log = this.topics.get(t.name);
        if (log === undefined || p.partition !== 0) { out.i32(p.partition).i16(3).i64(-1).i64(-1); return; }
        out.i32(p.partition).i16(0).i64(-1).i64(p.ts === -2n ? 0 : log.next);
      });
    });
    return out.done();
  }

  private fetch(r: In, out: Out): Buffer {
    r.i32(); r.i32(); r.i32(); r.i32(); r.i8();
    const topics = r.array(() => ({ name: r.str() ?? '', parts: r.array(() => ({ partition: r.i32(), offset: Number(r.i64()), max: r.i32() })) }));
    out.i32(0);
    out.array(topics, (t) => {
      out.str(t.name);
      out.array(t.parts, (p) => {
        const log = this.topics.get(t.name);
        if (log === undefined || p.partition !== 0) { out.i32(p.partition).i16(3).i64(-1).i64(-1).i32(-1).i32(-1); return; }
        const batches = log.batches.filter((b) => Number(b.readBigInt64BE(0)) + b.readInt32BE(23) >= p.offset);
        const records = Buffer.concat(batches);
        out.i32(p.partition).i16(0).i64(log.next).i64(log.next).i32(-1).i32(records.length).raw(records);
      });
    });
    return out.done();
  }
}
