/**
 * IPv4/IPv6 fragment reassembly. Fragments are rare, so this path copies:
 * each fragment's payload is kept (copied out of the reused capture buffer)
 * until the datagram is complete, then assembled into one new buffer.
 * Overlaps: the bytes that arrived first win (counted).
 */

/** Incomplete datagrams held at once; the oldest is dropped past it. */
export const MAX_FRAGMENT_DATAGRAMS = 1024;
/** Fragments kept for one datagram (8-byte fragments of a 64 KiB datagram). */
export const MAX_FRAGMENTS_PER_DATAGRAM = 8192;
/** Largest reassembled datagram payload (IPv4 and non-jumbo IPv6). */
export const MAX_DATAGRAM_BYTES = 65535;
/** Bytes held in incomplete datagrams across all of them. */
export const MAX_FRAGMENT_BYTES_TOTAL = 32 * 1024 * 1024;
/** Incomplete datagrams older than this (capture time) are dropped. */
export const FRAGMENT_TIMEOUT_MS = 30_000;

interface Piece { off: number; data: Buffer }

interface Pending {
  pieces: Piece[];
  /** Payload length, known once the last fragment (MF=0) arrived; -1 before. */
  total: number;
  bytes: number;
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
  payload: Buffer;
}

export class FragmentReassembler {
  private readonly pending = new Map<string, Pending>();
  private heldBytes = 0;
  constructor(readonly stats: FragmentStats, private readonly maxDatagrams = MAX_FRAGMENT_DATAGRAMS) {}

  /**
   * Add one fragment. `payload` is a view (copied here). Returns the whole
   * datagram when this fragment completes it, else null.
   */
  add(version: number, addrBuf: Uint8Array, srcOff: number, dstOff: number, addrLen: number,
      id: number, protocol: number, offset: number, more: boolean, payload: Uint8Array, ts: number): Reassembled | null {
    this.stats.fragments++;
    const src = Buffer.from(addrBuf.buffer, addrBuf.byteOffset + srcOff, addrLen);
    const dst = Buffer.from(addrBuf.buffer, addrBuf.byteOffset + dstOff, addrLen);
    // IPv4 keys include the protocol (RFC 791); IPv6 fragment ids are per (src, dst).
    const key = `${version}|${src.toString('hex')}|${dst.toString('hex')}|${id}|${version === 4 ? protocol : 0}`;
    let p = this.pending.get(key);
    if (p === undefined) {
      if (this.pending.size >= this.maxDatagrams) this.dropOldest('maxFragmentDatagrams');
      p = { pieces: [], total: -1, bytes: 0, firstTs: ts, protocol, addresses: Buffer.concat([src, dst]), addrLen };
      this.pending.set(key, p);
    }
    const end = offset + payload.length;
    if (end > MAX_DATAGRAM_BYTES || p.pieces.length >= MAX_FRAGMENTS_PER_DATAGRAM) {
      this.hit(end > MAX_DATAGRAM_BYTES ? 'maxDatagramBytes' : 'maxFragmentsPerDatagram');
      this.drop(key, p);
      return null;
    }
    if (this.heldBytes + payload.length > MAX_FRAGMENT_BYTES_TOTAL) {
      this.hit('maxFragmentBytesTotal');
      this.stats.dropped++;
      return null;
    }
    if (!more) {
      if (p.total >= 0 && p.total !== end) { this.drop(key, p); return null; } // two different last fragments
      p.total = end;
    }
    if (offset === 0) p.protocol = protocol; // IPv6: the first fragment names the upper layer
    p.pieces.push({ off: offset, data: Buffer.from(payload) }); // copy: the capture buffer is reused
    p.bytes += payload.length;
    this.heldBytes += payload.length;
    if (p.total < 0) return null;
    return this.tryComplete(key, p);
  }

  private tryComplete(key: string, p: Pending): Reassembled | null {
    const sorted = [...p.pieces].sort((a, b) => a.off - b.off);
    let covered = 0;
    for (const s of sorted) {
      if (s.off > covered) return null; // hole
      covered = Math.max(covered, s.off + s.data.length);
    }
    if (covered < p.total) return null;
    const out = Buffer.alloc(p.total);
    const written = new Uint8Array(p.total);
    // First arrival wins: copy in arrival order, skipping bytes already written.
    for (const s of p.pieces) {
      for (let i = 0; i < s.data.length && s.off + i < p.total; i++) {
        const at = s.off + i;
        if (written[at]) { this.stats.overlapBytes++; continue; }
        written[at] = 1;
        out[at] = s.data[i];
      }
    }
    this.pending.delete(key);
    this.heldBytes -= p.bytes;
    this.stats.reassembled++;
    return { addresses: p.addresses, addrLen: p.addrLen, protocol: p.protocol, payload: out };
  }

  /** Drop datagrams whose first fragment is older than the timeout. */
  expire(now: number): void {
    for (const [key, p] of this.pending) {
      if (now - p.firstTs > FRAGMENT_TIMEOUT_MS) this.drop(key, p);
    }
  }

  get size(): number { return this.pending.size; }

  private dropOldest(limit: string): void {
    const first = this.pending.entries().next();
    if (first.done) return;
    this.hit(limit);
    this.drop(first.value[0], first.value[1]);
  }

  private drop(key: string, p: Pending): void {
    this.pending.delete(key);
    this.heldBytes -= p.bytes;
    this.stats.dropped += p.pieces.length;
  }

  private hit(name: string): void {
    this.stats.limitsHit[name] = (this.stats.limitsHit[name] ?? 0) + 1;
  }
}
