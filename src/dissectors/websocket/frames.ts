/**
 * RFC 6455 §5.2 framing for one direction: headers (2-14 bytes, kept across
 * calls) and payloads streamed to the sink as unmasked pieces. Unmasking
 * writes into a reused scratch buffer, so the sink sees a view that is valid
 * only during the call. A header that breaks the grammar (reserved opcode,
 * RSV bits not negotiated, a control frame over 125 bytes or fragmented, a
 * length past 2^53) loses the framing: the direction stops, later bytes are
 * only counted.
 */
import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

export const enum Opcode { Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10 }

/** Largest payload piece unmasked at once (the scratch buffer). */
const SCRATCH_BYTES = 64 * 1024;
/**
 * One scratch per thread, shared by every reader: the sink copies what it
 * keeps during `payload()` and never feeds a reader from there. One per
 * reader cost a zeroed 64 KiB per connection (20,000 short connections:
 * 1.3 GB, a fifth of a read).
 */
let scratch: Uint8Array | null = null;
let scratchWords: Int32Array | null = null;

export interface FrameHeader {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  masked: boolean;
  length: number;
}

export interface FrameSink {
  /** A frame header was read; its payload follows (possibly empty). */
  frame(h: FrameHeader, ts: number): void;
  /** A piece of the current frame's payload, already unmasked (a view, valid during the call; must not feed a FrameReader). */
  payload(view: Uint8Array, ts: number): void;
  /** The current frame's payload is complete. */
  frameEnd(ts: number): void;
  /** The framing was lost: a weird name. */
  lost(reason: string): void;
}

export class FrameReader {
  private readonly hdr = new Uint8Array(14);
  private hdrLen = 0;
  private readonly mask = new Uint8Array(4);
  private masked = false;
  private left = 0;
  private offset = 0;
  private inFrame = false;
  dead = false;
  ignoredBytes = 0;

  /** `rsv1Allowed`: permessage-deflate was negotiated. */
  constructor(private readonly sink: FrameSink, private readonly rsv1Allowed: boolean) {}

  feed(data: Uint8Array, ts: number): void {
    let pos = 0;
    const end = data.length;
    while (pos < end && !this.dead) {
      if (!this.inFrame) {
        pos = this.header(data, pos, end, ts);
        continue;
      }
      // Masked payload is unmasked into the scratch buffer, SCRATCH_BYTES at a time.
      const n = Math.min(this.left, end - pos, this.masked ? SCRATCH_BYTES : Infinity);
      if (n > 0) this.sink.payload(this.masked ? this.unmaskInto(data, pos, n) : data.subarray(pos, pos + n), ts);
      pos += n;
      this.left -= n;
      if (this.left === 0) { this.inFrame = false; this.sink.frameEnd(ts); }
    }
    if (this.dead) this.ignoredBytes += end - pos;
  }

  gap(length: number): void {
    this.dead = true;
    this.ignoredBytes += length;
  }

  private header(data: Uint8Array, pos: number, end: number, ts: number): number {
    const h = this.hdr;
    while (this.hdrLen < 2 && pos < end) h[this.hdrLen++] = data[pos++]!;
    if (this.hdrLen < 2) return pos;
    const len7 = h[1]! & 0x7f;
    const masked = (h[1]! & 0x80) !== 0;
    const need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
    while (this.hdrLen < need && pos < end) h[this.hdrLen++] = data[pos++]!;
    if (this.hdrLen < need) return pos;
    this.hdrLen = 0;
    let length = len7;
    let p = 2;
    if (len7 === 126) { length = (h[2]! << 8) | h[3]!; p = 4; }
    else if (len7 === 127) {
      const hi = ((h[2]! << 24) | (h[3]! << 16) | (h[4]! << 8) | h[5]!) >>> 0;
      const lo = ((h[6]! << 24) | (h[7]! << 16) | (h[8]! << 8) | h[9]!) >>> 0;
      if (hi > 0x1fffff) return this.lose('websocket_bad_length', pos);
      length = hi * 2 ** 32 + lo;
      p = 10;
    }
    const opcode = h[0]! & 0x0f;
    const fin = (h[0]! & 0x80) !== 0;
    const rsv1 = (h[0]! & 0x40) !== 0;
    if ((h[0]! & 0x30) !== 0 || (rsv1 && !this.rsv1Allowed)) return this.lose('websocket_bad_rsv', pos);
    if ((opcode > 2 && opcode < 8) || opcode > 10) return this.lose('websocket_bad_opcode', pos);
    if (opcode >= 8 && (length > 125 || !fin || rsv1)) return this.lose('websocket_bad_control_frame', pos);
    if (masked) for (let i = 0; i < 4; i++) this.mask[i] = h[p + i]!;
    this.masked = masked;
    this.left = length;
    this.offset = 0;
    this.inFrame = length > 0;
    this.sink.frame({ fin, rsv1, opcode, masked, length }, ts);
    if (length === 0) this.sink.frameEnd(ts);
    return pos;
  }

  private lose(reason: string, pos: number): number {
    this.dead = true;
    this.sink.lost(reason);
    return pos;
  }

  /**
   * Unmasks data[pos, pos + n) into the scratch: copied (memcpy), then XORed
   * a 32-bit word at a time over the scratch, which starts word-aligned.
   */
  private unmaskInto(data: Uint8Array, pos: number, n: number): Uint8Array {
    if (scratch === null) {
      const ab = new ArrayBuffer(SCRATCH_BYTES);
      scratch = new Uint8Array(ab);
      scratchWords = new Int32Array(ab);
    }
    const out = scratch;
    const words = scratchWords!;
    out.set(data.subarray(pos, pos + n));
    const m = this.mask;
    const o = this.offset;
    const m0 = m[o & 3]!, m1 = m[(o + 1) & 3]!, m2 = m[(o + 2) & 3]!, m3 = m[(o + 3) & 3]!;
    const word = LITTLE_ENDIAN ? m0 | (m1 << 8) | (m2 << 16) | (m3 << 24) : (m0 << 24) | (m1 << 16) | (m2 << 8) | m3;
    const whole = n >>> 2;
    for (let w = 0; w < whole; w++) words[w] ^= word;
    for (let i = whole << 2; i < n; i++) out[i] ^= m[(o + i) & 3]!;
    this.offset = (o + n) & 3;
    return out.subarray(0, n);
  }
}

