/**
 * DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): each message follows
 * a 2-byte big-endian length. One framer per direction.
 *
 * 1. `push()` hands every complete message to `onMessage`: as a view into the
 *    caller's bytes when it lies whole in one segment, else from a copy
 *    assembled across segments. Either way it is valid during the callback
 *    only. `startTs` is the time of the push that brought its first byte.
 * 2. `gap()` drops the partial message and enters resync: later bytes are
 *    dropped until a push() whose first bytes `plausible()` accepts as the
 *    start of a message ('more' keeps probing across pushes).
 * 3. `partial()` gives the bytes of an unfinished message, for end of stream.
 */
import type { DetectResult } from '../types.js';

/** The largest message a 16-bit length can announce; the bound on what one framer buffers. */
export const MAX_TCP_MESSAGE_BYTES = 0xffff;
/** Bytes kept while deciding whether a resumed stream starts a message. */
export const MAX_RESYNC_PROBE_BYTES = 512;

export interface FramerCounters {
  /** Bytes dropped while out of sync (after a gap). */
  droppedBytes: number;
  /** Partial messages dropped at a gap. */
  droppedPartials: number;
}

export class LengthPrefixFramer {
  readonly counters: FramerCounters = { droppedBytes: 0, droppedPartials: 0 };
  private readonly head = new Uint8Array(2);
  private headHave = 0;
  private body: Uint8Array | null = null;
  private bodyHave = 0;
  private resyncing = false;
  private probe: Uint8Array | null = null;
  private startTs = 0;

  constructor(
    private readonly onMessage: (message: Uint8Array, startTs: number) => void,
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
      if (this.body === null) {
        let len: number;
        if (this.headHave === 0 && n - off >= 2) {
          this.startTs = ts;
          len = (data[off] << 8) | data[off + 1];
          off += 2;
          if (n - off >= len) {
            const message = data.subarray(off, off + len);
            off += len;
            this.onMessage(message, ts); // whole in this segment: a view, no copy
            continue;
          }
        } else {
          if (this.headHave === 0) this.startTs = ts;
          this.head[this.headHave++] = data[off++];
          if (this.headHave < 2) continue;
          this.headHave = 0;
          len = (this.head[0] << 8) | this.head[1];
          if (len === 0) {
            this.onMessage(this.head.subarray(0, 0), this.startTs);
            continue;
          }
        }
        // Copy: this message continues in a later segment.
        this.body = new Uint8Array(len);
        this.bodyHave = 0;
      }
      const take = Math.min(n - off, this.body.length - this.bodyHave);
      this.body.set(data.subarray(off, off + take), this.bodyHave);
      this.bodyHave += take;
      off += take;
      if (this.bodyHave === this.body.length) {
        const message = this.body;
        this.body = null;
        this.onMessage(message, this.startTs);
      }
    }
  }

  /** Bytes were lost: drop the partial message and wait for a plausible start. */
  gap(): void {
    if (this.body !== null || this.headHave > 0) this.counters.droppedPartials++;
    this.body = null;
    this.headHave = 0;
    this.probe = null;
    this.resyncing = true;
  }

  /** The bytes of an unfinished message (not its length) and when it started, or null. */
  partial(): { bytes: Uint8Array; startTs: number } | null {
    if (this.body === null || this.bodyHave === 0) return null;
    return { bytes: this.body.subarray(0, this.bodyHave), startTs: this.startTs };
  }

  /** Forget any unfinished message. */
  reset(): void {
    this.body = null;
    this.headHave = 0;
    this.probe = null;
  }

  /** The bytes to frame once `data` resumes the stream, or null while still out of sync. */
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
      // The probe did not start a message; this segment alone still might.
      this.counters.droppedBytes += this.probe.length;
      this.probe = null;
      return this.tryResync(data);
    }
    this.counters.droppedBytes += candidate.length;
    return null;
  }
}
