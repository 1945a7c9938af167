/**
 * IPv4/IPv6 fragment reassembly. Fragments are rare, so this path copies:
 * each datagram in progress owns one buffer (grown by doubling up to the
 * largest offset seen) into which fragment bytes are written at their
 * offset, and a sorted list of the byte ranges filled so far.
 *
 * 1. A fragment's bytes go only into the holes of that list: where it
 *    overlaps bytes already held, the bytes that arrived first win (the
 *    overlap is counted). Ranges that touch are merged, so each fragment
 *    costs a binary search plus the ranges it absorbs (each range is made
 *    once and merged away once): floods of overlapping or duplicate
 *    fragments cost no more than fresh ones.
 * 2. The datagram is whole when one range covers [0, total), total being
 *    known from the last fragment (MF=0); it is handed on as a view of its
 *    buffer, valid during the call.
 * 3. Memory is accounted per datagram (buffer, ranges and a fixed overhead)
 *    against the total byte limit; past it, or past the datagram count, the
 *    oldest incomplete datagrams are dropped to make room, each drop
 *    counted under the limit's name. Incomplete datagrams expire after
 *    FRAGMENT_TIMEOUT_MS of capture time.
 */

/** Incomplete datagrams held at once (default); the oldest is dropped past it. */
export const MAX_FRAGMENT_DATAGRAMS = 1024;
/** Fragments accepted for one datagram, duplicates included (8-byte fragments of a 64 KiB datagram). */
export const MAX_FRAGMENTS_PER_DATAGRAM = 8192;
/** Largest reassembled datagram payload (IPv4 and non-jumbo IPv6). */
export const MAX_DATAGRAM_BYTES = 65535;
/** Bytes held in incomplete datagrams across all of them (default), overheads included. */
export const MAX_FRAGMENT_BYTES_TOTAL = 32 * 1024 * 1024;
/** Incomplete datagrams older than this (capture time) are dropped. */
export const FRAGMENT_TIMEOUT_MS = 30_000;
/** Bytes accounted per datagram in progress besides its buffer and ranges (objects, key, addresses). */
const DATAGRAM_OVERHEAD_BYTES = 256;
/** Bytes accounted per stored range bound. */
const RANGE_BOUND_BYTES = 8;

interface Pending {
  key: string;
  /** Fragment bytes at their offsets; only the filled ranges are meaningful. */
  buf: Buffer;
  /** Filled byte ranges, sorted and disjoint, flat: start0, end0, start1, end1, … */
  ranges: number[];
  /** Payload length, known once the last fragment (MF=0) arrived; -1 before. */
  total: number;
  /** Fragments received for this datagram, duplicates included. */
  fragments: number;
  /** Bytes accounted for this datagram against the total limit. */
  cost: number;
  firstTs: number;
  protocol: number;
  addresses: Buffer;
  addrLen: number;
}

export interface FragmentStats {
  fragments: number;
  reassembled: number;
  /** Fragments dropped: timed out, over a limit, or inconsistent. */
  dropped: number;
  overlapBytes: number;
  limitsHit: Record<string, number>;
}

export interface Reassembled {
  /** Source address then destination address (copy). */
  addresses: Buffer;
  addrLen: number;
  protocol: number;
  /** The datagram's payload: a view valid during the call that received it. */
  payload: Buffer;
}

export class FragmentReassembler {
  private readonly pending = new Map<string, Pending>();
  private held = 0;
  constructor(readonly stats: FragmentStats, private readonly maxDatagrams = MAX_FRAGMENT_DATAGRAMS,
              private readonly maxBytes = MAX_FRAGMENT_BYTES_TOTAL) {}

  /** Bytes held in incomplete datagrams (buffers, ranges, overheads). */
  get heldBytes(): number { return this.held; }

  get size(): number { return this.pending.size; }

  /**
   * Add one fragment. `payload` is a view (its bytes are copied). Returns the
   * whole datagram when this fragment completes it, else null.
   */
  add(version: number, addrBuf: Uint8Array, srcOff: number, dstOff: number, addrLen: number,
      id: number, protocol: number, offset: number, more: boolean, payload: Uint8Array, ts: number): Reassembled | null {
    this.stats.fragments++;
    const src = Buffer.from(addrBuf.buffer, addrBuf.byteOffset + srcOff, addrLen);
    const dst = Buffer.from(addrBuf.buffer, addrBuf.byteOffset + dstOff, addrLen);
    // IPv4 keys include the protocol (RFC 791); IPv6 fragment ids are per (src, dst).
    const key = `${version}|${src.toString('hex')}|${dst.toString('hex')}|${id}|${version === 4 ? protocol : 0}`;
    const end = offset + payload.length;
    let p = this.pending.get(key);
    if (p === undefined) {
      if (end > MAX_DATAGRAM_BYTES) { this.hit('maxDatagramBytes'); this.stats.dropped++; return null; }
      while (this.pending.size >= this.maxDatagrams) this.dropOldest('maxFragmentDatagrams');
      p = {
        key, buf: EMPTY, ranges: [], total: -1, fragments: 0, cost: DATAGRAM_OVERHEAD_BYTES, firstTs: ts, protocol,
        addresses: Buffer.concat([src, dst]), addrLen, // copy: the packet's bytes are reused
      };
      this.pending.set(key, p);
      this.held += p.cost;
    }
    p.fragments++;
    if (end > MAX_DATAGRAM_BYTES || p.fragments > MAX_FRAGMENTS_PER_DATAGRAM) {
      this.hit(end > MAX_DATAGRAM_BYTES ? 'maxDatagramBytes' : 'maxFragmentsPerDatagram');
      this.drop(p);
      return null;
    }
    if (!more) {
      if ((p.total >= 0 && p.total !== end) || end < lastEnd(p.ranges)) { this.drop(p); return null; } // two different ends
      p.total = end;
    } else if (p.total >= 0 && end > p.total) {
      this.drop(p); // bytes past the end the last fragment gave
      return null;
    }
    if (offset === 0) p.protocol = protocol; // IPv6: the first fragment names the upper layer
    if (payload.length > 0) {
      if (!this.room(p, end)) return null;
      this.write(p, offset, payload);
    }
    if (p.total < 0 || p.ranges.length !== 2 || p.ranges[0] !== 0 || p.ranges[1]! < p.total) return null;
    this.forget(p);
    this.stats.reassembled++;
    return { addresses: p.addresses, addrLen: p.addrLen, protocol: p.protocol, payload: p.buf.subarray(0, p.total) };
  }

  /** Drop datagrams whose first fragment is older than the timeout. */
  expire(now: number): void {
    for (const p of this.pending.values()) {
      if (now - p.firstTs > FRAGMENT_TIMEOUT_MS) this.drop(p);
    }
  }

  /** Drop every incomplete datagram (memory pressure); returns the bytes freed. */
  shed(): number {
    const freed = this.held;
    for (const p of [...this.pending.values()]) this.drop(p);
    return freed;
  }

  /**
   * Make the buffer of `p` reach `end`, dropping the oldest other datagrams
   * while the total limit would be passed. False (fragment dropped) when
   * even that does not make room.
   */
  private room(p: Pending, end: number): boolean {
    if (end <= p.buf.length) return true;
    const size = Math.min(MAX_DATAGRAM_BYTES, Math.max(end, p.buf.length * 2, 256));
    const grow = size - p.buf.length + 2 * RANGE_BOUND_BYTES;
    while (this.held + grow > this.maxBytes && this.pending.size > 1) {
      const oldest = this.pending.values().next().value as Pending;
      if (oldest === p) break;
      this.hit('maxFragmentBytesTotal');
      this.drop(oldest);
    }
    if (this.held + grow > this.maxBytes) {
      this.hit('maxFragmentBytesTotal');
      this.drop(p);
      return false;
    }
    const nb = Buffer.allocUnsafeSlow(size); // own memory (not the shared pool): kept until the datagram is whole
    p.buf.copy(nb, 0, 0, lastEnd(p.ranges));
    p.buf = nb;
    this.account(p);
    return true;
  }

  /** Copy the bytes of [offset, offset + payload.length) that fill holes; merge the ranges they touch. */
  private write(p: Pending, offset: number, payload: Uint8Array): void {
    const r = p.ranges;
    const end = offset + payload.length;
    // First range that ends at or after `offset` (it touches or follows the new bytes).
    let lo = 0;
    let hi = r.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[2 * mid + 1]! < offset) lo = mid + 1; else hi = mid;
    }
    const first = lo;
    let k = first;
    let at = offset;
    let overlap = 0;
    let start = offset;
    let stop = end;
    while (k < r.length / 2 && r[2 * k]! <= end) {
      const s = r[2 * k]!;
      const e = r[2 * k + 1]!;
      if (s > at) p.buf.set(payload.subarray(at - offset, s - offset), at);
      overlap += Math.max(0, Math.min(e, end) - Math.max(s, offset));
      if (k === first) start = Math.min(s, offset);
      stop = Math.max(e, end);
      at = Math.max(at, e);
      k++;
    }
    if (at < end) p.buf.set(payload.subarray(at - offset), at);
    this.stats.overlapBytes += overlap;
    r.splice(2 * first, 2 * (k - first), start, stop);
    this.account(p);
  }

  private account(p: Pending): void {
    const cost = DATAGRAM_OVERHEAD_BYTES + p.buf.length + p.ranges.length * RANGE_BOUND_BYTES;
    this.held += cost - p.cost;
    p.cost = cost;
  }

  private dropOldest(limit: string): void {
    const first = this.pending.values().next();
    if (first.done) return;
    this.hit(limit);
    this.drop(first.value);
  }

  private drop(p: Pending): void {
    this.forget(p);
    this.stats.dropped += p.fragments;
  }

  private forget(p: Pending): void {
    if (!this.pending.delete(p.key)) return;
    this.held -= p.cost;
  }

  private hit(name: string): void {
    this.stats.limitsHit[name] = (this.stats.limitsHit[name] ?? 0) + 1;
  }
}

const EMPTY = Buffer.alloc(0);

function lastEnd(ranges: readonly number[]): number {
  return ranges.length === 0 ? 0 : ranges[ranges.length - 1]!;
}
