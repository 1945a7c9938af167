/**
 * Splits one direction of a Kafka connection into frames (int32 size, then
 * `size` bytes). A frame whole inside one delivered chunk is handed out as a
 * view; one spread over chunks is copied (it outlives the chunk) into a
 * buffer that grows with the bytes that came, keeping at most
 * MAX_KEPT_FRAME_BYTES: the rest is skipped and the frame is marked
 * `truncated`.
 *
 * After a gap, or a size outside [minFrame, MAX_FRAME_BYTES], the framer
 * resyncs: it drops bytes until `startsFrame(bytes, at)` accepts a position
 * (a plausible request header, or a response to a pending correlation id).
 */

import { growFor } from '../grow.js';

/** Largest frame taken as plausible (Kafka's socket.request.max.bytes default is 100 MiB). */
export const MAX_FRAME_BYTES = 100 * 1024 * 1024;
/** Bytes of one frame kept for decoding; Fetch responses beyond it lose their tail (records are only counted). */
export const MAX_KEPT_FRAME_BYTES = 1024 * 1024;
/** Bytes a resync check needs at a candidate position. */
export const RESYNC_WINDOW = 14;

export interface Frame {
  /** The frame without its size prefix, cut to MAX_KEPT_FRAME_BYTES. Valid during the callback only. */
  bytes: Uint8Array;
  /** Size from the prefix. */
  size: number;
  truncated: boolean;
  startTs: number;
}

export interface FramerCounters { frames: number; droppedBytes: number; truncatedFrames: number; badSizes: number }

export class KafkaFramer {
  readonly counters: FramerCounters = { frames: 0, droppedBytes: 0, truncatedFrames: 0, badSizes: 0 };
  private sizeBuf = new Uint8Array(4);
  private sizeHave = 0;
  private size = -1;
  private frame: Uint8Array | null = null;
  /** Bytes of the current frame kept: min(size, MAX_KEPT_FRAME_BYTES). */
  private keepCap = 0;
  private have = 0;
  private startTs = 0;
  private resyncing: boolean;
  /** Unmatched tail (< window bytes) kept while resyncing. */
  private carry: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly onFrame: (f: Frame) => void,
    private readonly startsFrame: (bytes: Uint8Array, at: number) => boolean,
    private readonly minFrame: number,
    /** Bytes `startsFrame` needs at a position (at most RESYNC_WINDOW). */
    private readonly window: number = RESYNC_WINDOW,
    startResyncing = false,
  ) {
    this.resyncing = startResyncing;
  }

  get inFrame(): boolean { return this.sizeHave > 0 || this.size >= 0; }

  push(data: Uint8Array, ts: number): void {
    let rest: Uint8Array | null = data;
    while (rest !== null) rest = this.pushOnce(rest, ts);
  }

  /** Frames from `data`; returns the bytes left to resync on after a bad size, else null. */
  private pushOnce(data: Uint8Array, ts: number): Uint8Array | null {
    let pos = 0;
    if (this.resyncing) {
      const at = this.resync(data);
      if (at === null) return null;
      data = at; // bytes from a frame start (may include the carry: a copy)
    }
    while (pos < data.length) {
      if (this.size < 0) {
        if (this.sizeHave === 0) this.startTs = ts;
        // Fast path: a whole frame inside this chunk is handed out as a view.
        if (this.sizeHave === 0 && data.length - pos >= 4) {
          const size = ((data[pos]! << 24) | (data[pos + 1]! << 16) | (data[pos + 2]! << 8) | data[pos + 3]!);
          if (size < this.minFrame || size > MAX_FRAME_BYTES) return this.badSize(data.subarray(pos + 1));
          if (data.length - pos - 4 >= size && size <= MAX_KEPT_FRAME_BYTES) {
            this.counters.frames++;
            this.onFrame({ bytes: data.subarray(pos + 4, pos + 4 + size), size, truncated: false, startTs: ts });
            pos += 4 + size;
            continue;
          }
        }
        while (this.sizeHave < 4 && pos < data.length) this.sizeBuf[this.sizeHave++] = data[pos++]!;
        if (this.sizeHave < 4) return null;
        const b = this.sizeBuf;
        const size = (b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!;
        if (size < this.minFrame || size > MAX_FRAME_BYTES) {
          const rest = new Uint8Array(3 + data.length - pos); // copy: the size bytes came from earlier chunks
          rest.set(b.subarray(1, 4), 0); rest.set(data.subarray(pos), 3);
          return this.badSize(rest);
        }
        this.size = size;
        this.keepCap = Math.min(size, MAX_KEPT_FRAME_BYTES);
        this.frame = new Uint8Array(0); // grown as bytes come (grow.ts), not sized from the prefix
        this.have = 0;
      }
      const take = Math.min(this.size - this.have, data.length - pos);
      const keep = Math.min(take, this.keepCap - this.have);
      if (keep > 0) {
        this.frame = growFor(this.frame!, this.have, this.have + keep, this.keepCap);
        this.frame.set(data.subarray(pos, pos + keep), this.have); // copy: the frame spans chunks
      }
      this.have += take;
      pos += take;
      if (this.have === this.size) this.complete(false);
    }
    return null;
  }

  /** Bytes were lost: drop the partial frame and resync. Returns whether a partial frame was dropped. */
  gap(): boolean {
    const partial = this.inFrame;
    this.reset();
    this.resyncing = true;
    return partial;
  }

  /** End of the direction: a partial frame is handed out as truncated (if its header was read). */
  flush(): boolean {
    if (this.size < 0 || this.frame === null) { const had = this.sizeHave > 0; this.reset(); return had; }
    this.complete(true);
    return true;
  }

  private complete(cut: boolean): void {
    const truncated = cut || this.size > this.keepCap;
    if (truncated) this.counters.truncatedFrames++;
    this.counters.frames++;
    const bytes = this.frame!.subarray(0, Math.min(this.have, this.keepCap));
    const size = this.size;
    this.reset();
    this.onFrame({ bytes, size, truncated, startTs: this.startTs });
  }

  private reset(): void {
    this.sizeHave = 0; this.size = -1; this.frame = null; this.have = 0; this.carry = new Uint8Array(0);
  }

  /** A size out of range: drop its first byte and resync on `rest` (the bytes after it). */
  private badSize(rest: Uint8Array): Uint8Array {
    this.counters.badSizes++;
    this.counters.droppedBytes++;
    this.reset();
    this.resyncing = true;
    return rest;
  }

  /** Scans for a frame start; returns the bytes from it, or null (tail kept in `carry`). */
  private resync(data: Uint8Array): Uint8Array | null {
    const buf = this.carry.length === 0 ? data : concat(this.carry, data);
    const last = buf.length - this.window;
    for (let i = 0; i <= last; i++) {
      if (this.startsFrame(buf, i)) {
        this.counters.droppedBytes += i;
        this.resyncing = false;
        this.carry = new Uint8Array(0);
        return buf.subarray(i);
      }
    }
    const keepFrom = Math.max(0, buf.length - (this.window - 1));
    this.counters.droppedBytes += keepFrom;
    this.carry = buf.slice(keepFrom); // copy: fewer than `window` bytes
    return null;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0); out.set(b, a.length);
  return out;
}
