/**
 * AMQP 0-9-1 framing (spec §4.2.3): type(1) channel(2) size(4) payload
 * frame-end(0xCE), after the 8-byte protocol header "AMQP\0\0\x09\x01" that
 * opens the client's stream.
 *
 * `FrameReader.push()` takes views; a frame wholly inside one push is handed
 * on as a view of it. A body frame split across pushes is streamed in parts
 * (views too); another split frame is copied into the reader's buffer
 * (bounded by MAX_GATHERED_FRAME_BYTES: a larger one is skipped and counted). After a gap or a frame
 * that breaks the grammar the reader hunts: it skips bytes until a complete
 * method frame of a known method (or a protocol header) starts, keeping at
 * most MAX_HUNT_FRAME_BYTES.
 */
import { methodSpec } from './methods.js';

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const FRAME_END = 0xce;
export const FRAME_HEADER_BYTES = 7;
/** Largest frame accepted (RabbitMQ's frame_max tops out well below this). */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/**
 * Largest method or header frame gathered when it spans pushes; a larger one
 * is skipped as it streams by (counted in `skippedFrames`). Brokers
 * negotiate frame_max far below it (RabbitMQ: 128 KiB).
 */
export const MAX_GATHERED_FRAME_BYTES = 1024 * 1024;
/** Largest method frame accepted as a resynchronisation point. */
export const MAX_HUNT_FRAME_BYTES = 16 * 1024;
export const PROTOCOL_HEADER = Uint8Array.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

export interface FrameSink {
  frame(type: number, channel: number, payload: Uint8Array): void;
  /** Part of a body frame that is still arriving (large bodies are streamed, not held). */
  bodyPart(channel: number, part: Uint8Array): void;
  protocolHeader(major: number, minor: number, revision: number): void;
  /** The grammar broke (`why`); the reader now hunts. */
  violation(why: string): void;
}

export interface FrameReaderCounters {
  frames: number;
  huntedBytes: number;
  oversized: number;
  /** Method/header frames past MAX_GATHERED_FRAME_BYTES that spanned pushes: skipped, not decoded. */
  skippedFrames: number;
}

/** Is a protocol header ("AMQP" + 4 version octets) at `p`? Needs 4 bytes to say no. */
function isProtocolHeader(b: Uint8Array, p: number): boolean {
  return b[p] === 0x41 && b[p + 1] === 0x4d && b[p + 2] === 0x51 && b[p + 3] === 0x50;
}

/**
 * Is a complete, plausible method frame at `p`? 'yes', 'no', or 'more' when
 * the bytes end first. Used by the reader's hunt and by detection.
 */
export function methodFrameAt(b: Uint8Array, p: number, end = b.length): 'yes' | 'no' | 'more' {
  if (end - p < FRAME_HEADER_BYTES + 4) return end - p > 0 && b[p] !== FRAME_METHOD ? 'no' : 'more';
  if (b[p] !== FRAME_METHOD) return 'no';
  const size = ((b[p + 3] << 24) >>> 0) + ((b[p + 4] << 16) | (b[p + 5] << 8) | b[p + 6]);
  if (size < 4 || size > MAX_HUNT_FRAME_BYTES) return 'no';
  if (methodSpec((b[p + 7] << 8) | b[p + 8], (b[p + 9] << 8) | b[p + 10]) === undefined) return 'no';
  if (end - p < FRAME_HEADER_BYTES + size + 1) return 'more';
  return b[p + FRAME_HEADER_BYTES + size] === FRAME_END ? 'yes' : 'no';
}

export class FrameReader {
  readonly counters: FrameReaderCounters = { frames: 0, huntedBytes: 0, oversized: 0, skippedFrames: 0 };
  private buf = new Uint8Array(0);
  private len = 0;
  private hunting: boolean;
  /** A body frame being streamed: its channel (-1: a frame being skipped) and payload bytes still to come (-1: none; 0: the frame-end octet is next). */
  private streamChannel = 0;
  private streamLeft = -1;

  /** `atStart`: the reader sees the first byte of its direction (a header may come). */
  constructor(private readonly sink: FrameSink, atStart: boolean) {
    this.hunting = !atStart;
  }

  push(data: Uint8Array): void {
    if (this.len === 0) {
      const used = this.parse(data, data.length);
      if (used < data.length) this.keep(data.subarray(used));
      return;
    }
    this.keep(data);
    const used = this.parse(this.buf, this.len);
    this.buf.copyWithin(0, used, this.len);
    this.len -= used;
  }

  /** Bytes were lost: drop what is held and hunt for the next frame. */
  gap(): void {
    this.len = 0;
    this.streamLeft = -1;
    this.hunting = true;
  }

  /** Bytes of an unfinished frame held (for end-of-stream reporting). */
  get pending(): number { return this.len; }

  private keep(data: Uint8Array): void {
    const need = this.len + data.length;
    if (need > this.buf.length) {
      const next = new Uint8Array(Math.max(need, this.buf.length * 2, 1024));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(data, this.len); // copy: the caller reuses `data`
    this.len = need;
  }

  /** Parses complete frames in b[0, end); returns how many bytes were used. */
  private parse(b: Uint8Array, end: number): number {
    let p = 0;
    while (p < end) {
      if (this.streamLeft >= 0) {
        const n = Math.min(this.streamLeft, end - p);
        if (n > 0 && this.streamChannel >= 0) this.sink.bodyPart(this.streamChannel, b.subarray(p, p + n));
        this.streamLeft -= n;
        p += n;
        if (p >= end) return p;
        this.streamLeft = -1;
        if (b[p] !== FRAME_END) { this.fail('missing frame-end octet'); continue; }
        this.counters.frames++;
        p++;
        continue;
      }
      if (this.hunting) {
        const start = p;
        let found = false;
        while (p < end) {
          if (isProtocolHeader(b, p) || (end - p < 4 && b[p] === 0x41)) { found = true; break; }
          const r = methodFrameAt(b, p, end);
          if (r === 'yes') { found = true; break; }
          if (r === 'more') break;
          p++;
        }
        this.counters.huntedBytes += p - start;
        if (!found) return p;
        this.hunting = false;
      }
      if (isProtocolHeader(b, p) || (end - p < 4 && b[p] === 0x41)) {
        if (end - p < 8) return p;
        this.sink.protocolHeader(b[p + 5], b[p + 6], b[p + 7]);
        p += 8;
        continue;
      }
      if (end - p < FRAME_HEADER_BYTES) return p;
      const type = b[p];
      const size = ((b[p + 3] << 24) >>> 0) + ((b[p + 4] << 16) | (b[p + 5] << 8) | b[p + 6]);
      if (type !== FRAME_METHOD && type !== FRAME_HEADER && type !== FRAME_BODY && type !== FRAME_HEARTBEAT) {
        this.fail(`bad frame type ${type}`);
        continue;
      }
      if (size > MAX_FRAME_BYTES) {
        this.counters.oversized++;
        this.fail('frame larger than MAX_FRAME_BYTES');
        continue;
      }
      if (end - p < FRAME_HEADER_BYTES + size + 1) {
        if (type !== FRAME_BODY && size <= MAX_GATHERED_FRAME_BYTES) return p;
        if (type !== FRAME_BODY) this.counters.skippedFrames++; // too large to gather: skipped as it streams by
        this.streamChannel = type === FRAME_BODY ? (b[p + 1] << 8) | b[p + 2] : -1;
        this.streamLeft = size;
        p += FRAME_HEADER_BYTES;
        continue;
      }
      if (b[p + FRAME_HEADER_BYTES + size] !== FRAME_END) {
        this.fail('missing frame-end octet');
        continue;
      }
      this.counters.frames++;
      this.sink.frame(type, (b[p + 1] << 8) | b[p + 2], b.subarray(p + FRAME_HEADER_BYTES, p + FRAME_HEADER_BYTES + size));
      p += FRAME_HEADER_BYTES + size + 1;
    }
    return p;
  }

  private fail(why: string): void {
    this.hunting = true;
    this.sink.violation(why);
  }
}
