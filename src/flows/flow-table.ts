/**
 * A flow table keyed by the 5-tuple without building a string per packet:
 * a symmetric hash of (address, port) pairs selects a bucket, and the flows in
 * the bucket compare their stored address bytes with the packet's. Both
 * directions of a flow hash alike, so one lookup finds the flow and the
 * direction. Hand-written because it runs on every packet.
 */
import type { IpPacket } from '../layers/ip.js';
import type { ConnectionContext, DissectorOptions } from '../dissectors/types.js';
import type { Entry, Transport } from '../entries/types.js';
import { formatIp } from '../layers/address.js';

/** Direction of a packet relative to a flow: 0 = from side A (first seen sender), 1 = from side B. */
export type Dir = 0 | 1;

function hashSide(b: Uint8Array, off: number, len: number, port: number): number {
  let h = 0x811c9dc5 ^ port;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ b[off + i], 0x01000193);
  return h >>> 0;
}

export function flowHash(p: IpPacket, sport: number, dport: number): number {
  // Sum of the two sides: symmetric, so A→B and B→A land in one bucket.
  return (hashSide(p.addrBuf, p.srcOff, p.addrLen, sport) + hashSide(p.addrBuf, p.dstOff, p.addrLen, dport)) >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array, bOff: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[i] !== b[bOff + i]) return false;
  return true;
}

/** Base of TCP connections and UDP flows: the two ends as first seen. */
export class Flow {
  next: Flow | null = null;
  /** Neighbours in the table's eviction order (oldest first); null at the ends. */
  older: Flow | null = null;
  younger: Flow | null = null;
  readonly addrA: Uint8Array;
  readonly addrB: Uint8Array;
  lastSeen: number;
  constructor(readonly hash: number, p: IpPacket, readonly portA: number, readonly portB: number, ts: number) {
    // Copy: the packet bytes are reused after this callback.
    this.addrA = Uint8Array.prototype.slice.call(p.addrBuf, p.srcOff, p.srcOff + p.addrLen);
    this.addrB = Uint8Array.prototype.slice.call(p.addrBuf, p.dstOff, p.dstOff + p.addrLen);
    this.lastSeen = ts;
  }

  /** The direction of this packet in the flow, or -1 when it is another flow. */
  match(p: IpPacket, sport: number, dport: number): Dir | -1 {
    const len = p.addrLen;
    if (this.addrA.length !== len) return -1;
    if (sport === this.portA && dport === this.portB
      && sameBytes(this.addrA, p.addrBuf, p.srcOff, len) && sameBytes(this.addrB, p.addrBuf, p.dstOff, len)) return 0;
    if (sport === this.portB && dport === this.portA
      && sameBytes(this.addrB, p.addrBuf, p.srcOff, len) && sameBytes(this.addrA, p.addrBuf, p.dstOff, len)) return 1;
    return -1;
  }

  ipOf(side: Dir): string {
    const a = side === 0 ? this.addrA : this.addrB;
    return formatIp(a, 0, a.length);
  }

  portOf(side: Dir): number {
    return side === 0 ? this.portA : this.portB;
  }

  private entrySeq = 0;

  /** The context a dissector bound to this flow sees; `clientSide` is the client's side. */
  context(id: string, transport: Transport, clientSide: Dir, host: FlowHost): ConnectionContext {
    const serverSide: Dir = clientSide === 0 ? 1 : 0;
    return {
      id,
      transport,
      // Frozen: every entry of the connection shares them, and writers keep their JSON (output/http-json.ts).
      client: Object.freeze({ ip: this.ipOf(clientSide), port: this.portOf(clientSide) }),
      server: Object.freeze({ ip: this.ipOf(serverSide), port: this.portOf(serverSide) }),
      options: host.options,
      emit: (e) => host.emit(e),
      nextEntryId: () => `${id}-${++this.entrySeq}`,
      weird: (name) => host.weird(name),
    };
  }
}

/** What every flow's dissector context reaches back to. */
export interface FlowHost {
  readonly options: DissectorOptions;
  emit(entry: Entry): void;
  weird(name: string): void;
}

export class FlowTable<F extends Flow> {
  private readonly buckets = new Map<number, F>();
  /** Every flow, in insertion order: the order for idle sweeps and the end of the capture. */
  readonly all = new Set<F>();
  /** Direction of the packet matched by the last `find()`. */
  lastDir: Dir = 0;
  /**
   * Eviction order as a list through the flows (oldest first): `oldest()` is
   * O(1) even after a flood of evictions, where reading the first entry of
   * a Set that many deletes went through walks past their holes.
   */
  private head: F | null = null;
  private tail: F | null = null;

  get size(): number { return this.all.size; }

  find(hash: number, p: IpPacket, sport: number, dport: number): F | null {
    let f = this.buckets.get(hash) ?? null;
    while (f !== null) {
      const d = f.match(p, sport, dport);
      if (d !== -1) { this.lastDir = d; return f; }
      f = f.next as F | null;
    }
    return null;
  }

  add(f: F): void {
    const head = this.buckets.get(f.hash);
    f.next = head ?? null;
    this.buckets.set(f.hash, f);
    this.all.add(f);
    this.append(f);
  }

  remove(f: F): void {
    if (!this.all.delete(f)) return;
    this.unlink(f);
    let cur = this.buckets.get(f.hash) ?? null;
    let prev: Flow | null = null;
    while (cur !== null && cur !== f) { prev = cur; cur = cur.next as F | null; }
    if (cur === null) return;
    if (prev === null) {
      if (f.next === null) this.buckets.delete(f.hash);
      else this.buckets.set(f.hash, f.next as F);
    } else prev.next = f.next;
    f.next = null;
  }

  oldest(): F | undefined {
    return this.head ?? undefined;
  }

  /** Move `f` to the young end of the eviction order (a second chance). */
  requeue(f: F): void {
    if (!this.all.has(f) || f === this.tail) return;
    this.unlink(f);
    this.append(f);
  }

  private append(f: F): void {
    f.older = this.tail;
    f.younger = null;
    if (this.tail === null) this.head = f; else this.tail.younger = f;
    this.tail = f;
  }

  private unlink(f: F): void {
    if (f.older === null) this.head = f.younger as F | null; else f.older.younger = f.younger;
    if (f.younger === null) this.tail = f.older as F | null; else f.younger.older = f.older;
    f.older = f.younger = null;
  }
}
