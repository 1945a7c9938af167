/**
 * MySQL packet framing: a 3-byte little-endian payload length and a 1-byte
 * sequence id, then the payload. A payload of 0xffffff bytes continues in the
 * next packet (the logical payload is the concatenation, ended by a shorter
 * packet, possibly empty). One framer per direction.
 *
 * 1. `push()` hands every complete logical payload to `onPacket`: a view
 *    into the caller's bytes when it lies whole in one segment, else a copy
 *    assembled across segments; valid during the callback only. At most
 *    MAX_PAYLOAD_KEPT bytes are kept: the rest is skipped, `length` keeps the
 *    true size and `truncated` is set.
 * 2. `gap()` drops the partial packet and enters resync: bytes are dropped
 *    until a push() whose first bytes `plausible()` accepts ('more' keeps
 *    probing across pushes, up to MAX_RESYNC_PROBE_BYTES).
 * 3. `pending()` says whether a packet is unfinished (for end of stream).
 */
import type { DetectResult } from '../types.js';

/** Payload bytes kept per logical packet (longer queries and rows are cut). */
export const MAX_PAYLOAD_KEPT = 1024 * 1024;
/** Bytes kept while deciding whether a resumed stream starts a packet. */
export const MAX_RESYNC_PROBE_BYTES = 512;
/** A packet of this length continues in the next one. */
export const CONTINUED = 0xffffff;

export interface MysqlPacket {
  payload: Uint8Array;
  /** Sequence id of the first packet of the logical payload. */
  seq: number;
  /** True size of the logical payload. */
  length: number;
  truncated: boolean;
  startTs: number;
}

export interface FramerCounters { droppedBytes: number; droppedPartials: number; truncated: number }

export class PacketFramer {
  readonly counters: FramerCounters = { droppedBytes: 0, droppedPartials: 0, truncated: 0 };
  private readonly head = new Uint8Array(4);
  private headHave = 0;
  /** Bytes still to read of the current physical packet (-1: reading a header). */
  private remaining = -1;
  private physLen = 0;
  private buf: Uint8Array | null = null;
  private have = 0;
  private total = 0;
  private seq = 0;
  private startTs = 0;
  private inLogical = false;
  private resyncing = false;
  private probe: Uint8Array | null = null;

  constructor(
    private readonly onPacket: (p: MysqlPacket) => void,
    private readonly plausible: (data: Uint8Array) => DetectResult,
  ) {}

  push(data: Uint8Array, ts: number): void {
    if (this.resyncing) {
      const resumed = this.tryResync(data);
      if (resumed === null) return;
      data = resumed;
    }
    let off = 0;
    const n = data.length;
    while (off < n) {
      if (this.remaining === -1) {
        let len: number;
        let seq: number;
        if (this.headHave === 0 && n - off >= 4) {
          len = data[off] | (data[off + 1] << 8) | (data[off + 2] << 16);
          seq = data[off + 3];
          off += 4;
          if (!this.inLogical && len < CONTINUED && n - off >= len) {
            // Whole in this segment: a view, no copy.
            this.onPacket({ payload: data.subarray(off, off + len), seq, length: len, truncated: false, startTs: ts });
            off += len;
            continue;
          }
        } else {
          this.head[this.headHave++] = data[off++];
          if (this.headHave < 4) continue;
          this.headHave = 0;
          len = this.head[0] | (this.head[1] << 8) | (this.head[2] << 16);
          seq = this.head[3];
        }
        if (!this.inLogical) {
          this.inLogical = true;
          this.seq = seq;
          this.startTs = ts;
          this.have = 0;
          this.total = 0;
          this.buf = null;
        }
        this.physLen = len;
        this.remaining = len;
        this.total += len;
        if (len === 0) { this.endPhysical(); continue; }
      }
      const take = Math.min(n - off, this.remaining);
      this.keep(data, off, take);
      off += take;
      this.remaining -= take;
      if (this.remaining === 0) this.endPhysical();
    }
  }

  /** Bytes were lost: drop the partial packet and wait for a plausible start. */
  gap(): void {
    if (this.pending()) this.counters.droppedPartials++;
    this.reset();
    this.resyncing = true;
  }

  pending(): boolean {
    return this.inLogical || this.headHave > 0;
  }

  reset(): void {
    this.headHave = 0;
    this.remaining = -1;
    this.inLogical = false;
    this.buf = null;
    this.probe = null;
  }

  private keep(data: Uint8Array, off: number, take: number): void {
    const room = MAX_PAYLOAD_KEPT - this.have;
    const k = Math.min(room, take);
    if (k <= 0) return;
    if (this.buf === null || this.buf.length < this.have + k) {
      // Copy: this payload continues in a later segment. Grow by doubling with the bytes that came (never from
      // the declared length: a 4-byte header may claim 16 MiB), bounded by MAX_PAYLOAD_KEPT.
      const want = Math.min(MAX_PAYLOAD_KEPT, Math.max(this.have + k, (this.buf?.length ?? 0) * 2, 256));
      const next = new Uint8Array(want);
      if (this.buf !== null) next.set(this.buf.subarray(0, this.have));
      this.buf = next;
    }
    this.buf.set(data.subarray(off, off + k), this.have);
    this.have += k;
  }

  private endPhysical(): void {
    this.remaining = -1;
    if (this.physLen === CONTINUED) return;
    const truncated = this.total > this.have;
    if (truncated) this.counters.truncated++;
    const payload = this.buf === null ? new Uint8Array(0) : this.buf.subarray(0, this.have);
    this.inLogical = false;
    this.buf = null;
    this.onPacket({ payload, seq: this.seq, length: this.total, truncated, startTs: this.startTs });
  }

  private tryResync(data: Uint8Array): Uint8Array | null {
    let candidate = data;
    if (this.probe !== null) {
      // Copy: the probe outlives this call.
      candidate = new Uint8Array(this.probe.length + data.length);
      candidate.set(this.probe);
      candidate.set(data, this.probe.length);
    }
    const verdict = this.plausible(candidate);
    if (verdict === 'match') {
      this.resyncing = false;
      this.probe = null;
      return candidate;
    }
    if (verdict === 'more' && candidate.length <= MAX_RESYNC_PROBE_BYTES) {
      this.probe = candidate === data ? data.slice() : candidate;
      return null;
    }
    if (this.probe !== null) {
      this.counters.droppedBytes += this.probe.length;
      this.probe = null;
      return this.tryResync(data);
    }
    this.counters.droppedBytes += candidate.length;
    return null;
  }
}
