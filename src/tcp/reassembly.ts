/**
 * One direction of a TCP connection, reassembled into an in-order byte stream.
 *
 * Lifecycle of a half-stream:
 *   1. The first SYN fixes the initial sequence number; without one (capture
 *      started mid-connection) the first segment's sequence number does.
 *   2. A segment at the expected sequence number is delivered at once as a
 *      view of the capture bytes (no copy), then any buffered segments that
 *      became contiguous are delivered too.
 *   3. A segment ahead of the expected number is copied and buffered, with
 *      bytes that overlap buffered data trimmed (the first copy wins).
 *   4. Bytes behind the expected number are retransmissions or overlaps:
 *      counted and dropped.
 *   5. When a buffer limit is reached, the other side acknowledges bytes we
 *      never saw, or the connection closes, the hole is reported as a gap and
 *      delivery resumes after it — bytes are never glued across a hole.
 *      Buffered bytes are counted with SEGMENT_OVERHEAD_BYTES per segment,
 *      so a flood of tiny segments hits the byte limits as soon as their
 *      real cost would, and MAX_SEGMENTS_PER_STREAM bounds the sorted list.
 *   6. When every byte up to the FIN has been delivered, the direction ends.
 * All sequence arithmetic is modulo 2^32 (`(a - b) | 0`), so wrap-around is free.
 */
import type { Dir } from '../flows/flow-table.js';

/** A jump larger than this between expected and received sequence numbers is not reordering. */
export const MAX_SEQ_WINDOW = 1 << 30;
/**
 * Bytes counted per buffered segment on top of its payload: the segment
 * record, its Uint8Array and backing store (measured at 300–490 bytes for a
 * 1-byte segment). Without it a million 1-byte segments would count as 1 MB.
 */
export const SEGMENT_OVERHEAD_BYTES = 384;
/** Out-of-order segments buffered per direction; past it the oldest hole becomes a gap. */
export const MAX_SEGMENTS_PER_STREAM = 8192;

export interface ReassemblyLimits {
  maxBufferedBytesPerStream: number;
  maxBufferedBytesTotal: number;
}

export interface ReassemblyStats {
  tcpRetransmittedBytes: number;
  tcpOverlapBytes: number;
  tcpOutOfOrderSegments: number;
  gaps: number;
  gapBytes: number;
  limitsHit: Record<string, number>;
}

/** Receives the reassembled stream. Views are valid only during the call. */
export interface StreamOutput {
  data(dir: Dir, view: Uint8Array, ts: number): void;
  gap(dir: Dir, length: number, ts: number): void;
  end(dir: Dir, ts: number): void;
}

interface Segment {
  seq: number;
  data: Uint8Array;
  /** Bytes of this segment the capture did not keep (snap length): a gap after `data`. */
  missing: number;
  ts: number;
}

export class HalfStream {
  started = false;
  nextSeq = 0;
  pending: Segment[] = [];
  /** Cost of `pending`: payload bytes plus SEGMENT_OVERHEAD_BYTES per segment. */
  pendingBytes = 0;
  finSeen = false;
  finSeq = 0;
  ended = false;
  /** Payload bytes delivered in order (for counters and the connection's own decisions). */
  delivered = 0;
}

const rel = (a: number, b: number): number => (a - b) | 0;

export class Reassembler {
  private totalPending = 0;
  constructor(private readonly limits: ReassemblyLimits, private readonly stats: ReassemblyStats) {}

  get bufferedBytes(): number { return this.totalPending; }

  /** Set the sequence base from a SYN (data, if any, starts at seq + 1). */
  syn(h: HalfStream, seq: number): void {
    if (h.started && h.delivered > 0) return;
    h.started = true;
    h.nextSeq = (seq + 1) >>> 0;
  }

  /**
   * A segment of this direction. `payload` is a view; `missing` counts payload
   * bytes on the wire beyond the captured ones (snap length cut them).
   */
  segment(h: HalfStream, dir: Dir, seq: number, payload: Uint8Array, missing: number, fin: boolean, ts: number, out: StreamOutput): void {
    if (!h.started) { h.started = true; h.nextSeq = seq >>> 0; }
    const len = payload.length + missing;
    if (len > 0) {
      if (h.ended) this.stats.tcpRetransmittedBytes += len;
      else this.accept(h, dir, seq >>> 0, payload, missing, ts, out);
    }
    if (fin && !h.finSeen) { h.finSeen = true; h.finSeq = (seq + len) >>> 0; }
    this.checkEnd(h, dir, ts, out);
  }

  /**
   * The other direction acknowledged up to `ack`. Bytes of `h` that were
   * acknowledged but never captured are lost for good: report the gap now
   * rather than holding later segments until a limit or the close.
   */
  acked(h: HalfStream, dir: Dir, ack: number, ts: number, out: StreamOutput): void {
    if (!h.started || h.ended || h.pending.length === 0) return;
    let upTo = ack >>> 0;
    if (h.finSeen && rel(upTo, h.finSeq) > 0) upTo = h.finSeq;
    const ahead = rel(upTo, h.nextSeq);
    if (ahead <= 0 || ahead >= MAX_SEQ_WINDOW) return;
    const first = h.pending[0];
    const holeEnd = rel(first.seq, upTo) < 0 ? first.seq : upTo;
    const hole = rel(holeEnd, h.nextSeq);
    if (hole > 0) this.reportGap(h, dir, hole, ts, out);
    this.drain(h, dir, out);
    this.checkEnd(h, dir, ts, out);
  }

  /** Deliver everything buffered, reporting holes as gaps, and end the direction if a FIN was seen. */
  flush(h: HalfStream, dir: Dir, ts: number, out: StreamOutput): void {
    while (h.pending.length > 0 && !h.ended) {
      const hole = rel(h.pending[0].seq, h.nextSeq);
      if (hole > 0) this.reportGap(h, dir, hole, ts, out);
      this.drain(h, dir, out);
    }
    if (h.finSeen && !h.ended) {
      const hole = rel(h.finSeq, h.nextSeq);
      if (hole > 0 && hole < MAX_SEQ_WINDOW) this.reportGap(h, dir, hole, ts, out);
      h.ended = true;
      out.end(dir, ts);
    }
  }

  /** Forget buffered segments without delivering them (connection evicted). */
  discard(h: HalfStream): void {
    this.totalPending -= h.pendingBytes;
    h.pending = [];
    h.pendingBytes = 0;
  }

  private accept(h: HalfStream, dir: Dir, seq: number, payload: Uint8Array, missing: number, ts: number, out: StreamOutput): void {
    let off = rel(seq, h.nextSeq);
    if (off < 0) {
      const len = payload.length + missing;
      if (off + len <= 0) { this.stats.tcpRetransmittedBytes += len; return; }
      this.stats.tcpOverlapBytes += -off;
      if (-off >= payload.length) { // only the uncaptured tail is new
        missing -= -off - payload.length;
        payload = payload.subarray(payload.length);
      } else payload = payload.subarray(-off);
      seq = h.nextSeq;
      off = 0;
    }
    if (off === 0) {
      this.deliver(h, dir, payload, missing, ts, out);
      if (h.pending.length > 0) this.drain(h, dir, out);
      return;
    }
    if (off >= MAX_SEQ_WINDOW) { this.hit('tcpSeqJump'); return; }
    this.store(h, dir, seq, payload, missing, ts, out);
  }

  private deliver(h: HalfStream, dir: Dir, data: Uint8Array, missing: number, ts: number, out: StreamOutput): void {
    if (data.length > 0) {
      h.nextSeq = (h.nextSeq + data.length) >>> 0;
      h.delivered += data.length;
      out.data(dir, data, ts);
    }
    if (missing > 0) this.reportGap(h, dir, missing, ts, out);
  }

  private reportGap(h: HalfStream, dir: Dir, length: number, ts: number, out: StreamOutput): void {
    this.stats.gaps++;
    this.stats.gapBytes += length;
    h.nextSeq = (h.nextSeq + length) >>> 0;
    out.gap(dir, length, ts);
  }

  /** Deliver buffered segments that are now contiguous with the stream. */
  private drain(h: HalfStream, dir: Dir, out: StreamOutput): void {
    while (h.pending.length > 0) {
      const s = h.pending[0];
      const off = rel(s.seq, h.nextSeq);
      if (off > 0) return;
      h.pending.shift();
      h.pendingBytes -= s.data.length + SEGMENT_OVERHEAD_BYTES;
      this.totalPending -= s.data.length + SEGMENT_OVERHEAD_BYTES;
      const len = s.data.length + s.missing;
      if (off + len <= 0) { this.stats.tcpRetransmittedBytes += len; continue; }
      if (off < 0) {
        this.stats.tcpOverlapBytes += -off;
        if (-off >= s.data.length) this.deliver(h, dir, s.data.subarray(s.data.length), s.missing - (-off - s.data.length), s.ts, out);
        else this.deliver(h, dir, s.data.subarray(-off), s.missing, s.ts, out);
      } else this.deliver(h, dir, s.data, s.missing, s.ts, out);
    }
  }

  /** Buffer an out-of-order segment, keeping only bytes not already buffered (first copy wins). */
  private store(h: HalfStream, dir: Dir, seq: number, payload: Uint8Array, missing: number, ts: number, out: StreamOutput): void {
    this.stats.tcpOutOfOrderSegments++;
    const size = payload.length;
    const cost = size + SEGMENT_OVERHEAD_BYTES;
    const over = this.overLimit(h, cost);
    if (over !== null) {
      this.hit(over);
      // Give up on the holes before this segment, oldest first, until it fits (a loop, not recursion: thousands may go).
      while (h.pending.length > 0 && rel(h.pending[0].seq, seq) < 0 && this.overLimit(h, cost) !== null) {
        this.reportGap(h, dir, rel(h.pending[0].seq, h.nextSeq), ts, out);
        this.drain(h, dir, out);
      }
      const off = rel(seq, h.nextSeq);
      if (off <= 0) { this.accept(h, dir, seq, payload, missing, ts, out); return; } // in order now, or behind: delivered or dropped
      if (this.overLimit(h, cost) !== null) {
        // Still no room: give up the hole just before it and deliver it (and whatever follows, buffered).
        this.reportGap(h, dir, off, ts, out);
        this.deliver(h, dir, payload, missing, ts, out);
        if (h.pending.length > 0) this.drain(h, dir, out);
        return;
      }
    }
    // Trim against buffered segments: keep the pieces of [seq, seq+size) not yet covered.
    let start = 0;
    const p = h.pending;
    // First buffered segment ending after `seq` (segments are sorted and disjoint, so their ends are too).
    let lo = 0;
    let hi = p.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rel(p[mid].seq + p[mid].data.length, seq) <= 0) lo = mid + 1; else hi = mid;
    }
    let i = lo;
    while (start < size) {
      const curSeq = (seq + start) >>> 0;
      if (i >= p.length || rel(p[i].seq, (seq + size) >>> 0) >= 0) {
        this.insertAt(h, i, curSeq, payload.subarray(start), missing, ts);
        return;
      }
      const s = p[i];
      const before = rel(s.seq, curSeq);
      if (before > 0) {
        this.insertAt(h, i, curSeq, payload.subarray(start, start + before), 0, ts);
        i++;
        start += before;
        continue;
      }
      const covered = rel(s.seq + s.data.length, curSeq);
      const skip = Math.min(covered, size - start);
      if (skip > 0) { this.stats.tcpOverlapBytes += skip; start += skip; }
      i++;
    }
    if (missing > 0 && size === 0) this.insertAt(h, i, seq, payload, missing, ts);
  }

  /** The limit buffering `cost` more bytes on `h` would pass, or null. */
  private overLimit(h: HalfStream, cost: number): string | null {
    if (h.pending.length >= MAX_SEGMENTS_PER_STREAM) return 'maxSegmentsPerStream';
    if (h.pendingBytes + cost > this.limits.maxBufferedBytesPerStream) return 'maxBufferedBytesPerStream';
    if (this.totalPending + cost > this.limits.maxBufferedBytesTotal) return 'maxBufferedBytesTotal';
    return null;
  }

  private insertAt(h: HalfStream, i: number, seq: number, view: Uint8Array, missing: number, ts: number): void {
    const data = new Uint8Array(view); // copy: the capture buffer is reused after this packet
    h.pending.splice(i, 0, { seq, data, missing, ts });
    h.pendingBytes += data.length + SEGMENT_OVERHEAD_BYTES;
    this.totalPending += data.length + SEGMENT_OVERHEAD_BYTES;
  }

  private checkEnd(h: HalfStream, dir: Dir, ts: number, out: StreamOutput): void {
    if (h.finSeen && !h.ended && h.pending.length === 0 && h.nextSeq === h.finSeq) {
      h.ended = true;
      out.end(dir, ts);
    }
  }

  private hit(name: string): void {
    this.stats.limitsHit[name] = (this.stats.limitsHit[name] ?? 0) + 1;
  }
}
