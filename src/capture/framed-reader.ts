/**
 * Shared push/carry-over machinery of the pcap and pcapng readers.
 *
 * A capture file is a sequence of frames (a file header, records, blocks),
 * each of which says its own length in its first few bytes. `push(chunk)`:
 *
 * 1. If bytes of an unfinished frame are carried over from earlier chunks,
 *    copy just enough of the chunk to complete it (asking `frameSize` again as
 *    more of the header arrives) and hand it to `frame` as a view of the carry
 *    buffer.
 * 2. Hand every frame that lies wholly inside the chunk to `frame` as a view
 *    of the chunk itself: no copy.
 * 3. Copy the tail (the start of a frame that continues in the next chunk)
 *    into the carry buffer, which is allocated once and grows, never per frame.
 *
 * `end()` reports bytes left in the carry buffer as a truncated last record.
 */
import { CaptureFormatError, type CaptureReaderStats } from './types.js';

/** First size of the carry-over buffer; it grows (doubling) to the largest frame seen. */
const INITIAL_CARRY_BYTES = 64 * 1024;

export interface ReaderOptions {
  /** Count a truncated last record in `stats.truncatedRecords` instead of throwing at `end()`. */
  tolerateTruncation?: boolean;
}

export abstract class FramedReader {
  readonly stats: CaptureReaderStats = {
    records: 0,
    bytes: 0,
    skippedBlocks: 0,
    oversizedRecords: 0,
    truncatedRecords: 0,
    interfaces: 0,
  };

  protected readonly tolerateTruncation: boolean;
  private carry = new Uint8Array(0);
  private carryLen = 0;
  /** File offset of the first byte carried over. */
  private carryStart = 0;
  /** File offset of the next chunk's first byte. */
  private base = 0;
  private ended = false;

  constructor(opts: ReaderOptions = {}) {
    this.tolerateTruncation = opts.tolerateTruncation === true;
  }

  /**
   * Bytes the frame starting at `b[o]` needs in total, judged from the `avail`
   * bytes present: the header size while the header is incomplete, else the
   * whole frame length. Throws CaptureFormatError (at file offset `off`) for an
   * impossible length. Must not change reader state.
   */
  protected abstract frameSize(b: Uint8Array, o: number, avail: number, off: number): number;

  /** Handle the complete frame `b[o .. o+len)` found at file offset `off`. */
  protected abstract frame(b: Uint8Array, o: number, len: number, off: number): void;

  /** Called by `end()` when no byte at all was pushed. */
  protected abstract emptyInput(): never;

  /** Describes the carried-over frame in the truncation message ("record", "file header", …). */
  protected abstract describeFrame(b: Uint8Array, len: number): string;

  push(input: Uint8Array): void {
    if (this.ended) throw new Error('push() after end()');
    // A plain Uint8Array view of a Buffer chunk: each record's view is then the typed-array
    // builtin's subarray, not Buffer's (a JS-level FastBuffer per packet: ~5% of a read).
    const chunk = Buffer.isBuffer(input) ? new Uint8Array(input.buffer, input.byteOffset, input.length) : input;
    const end = chunk.length;
    let pos = 0;
    if (this.carryLen > 0) {
      pos = this.completeCarry(chunk);
      if (this.carryLen > 0) {
        this.base += end;
        return;
      }
    }
    for (;;) {
      const avail = end - pos;
      const need = this.frameSize(chunk, pos, avail, this.base + pos);
      if (need > avail) break;
      this.frame(chunk, pos, need, this.base + pos);
      pos += need;
    }
    if (pos < end) {
      this.reserve(end - pos);
      this.carry.set(pos === 0 ? chunk : chunk.subarray(pos), 0);
      this.carryLen = end - pos;
      this.carryStart = this.base + pos;
    }
    this.base += end;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.base === 0) this.emptyInput();
    if (this.carryLen === 0) return;
    const need = this.frameSize(this.carry, 0, this.carryLen, this.carryStart);
    const what = this.describeFrame(this.carry, this.carryLen);
    const n = this.carryLen;
    this.carryLen = 0;
    if (this.tolerateTruncation) {
      this.stats.truncatedRecords++;
      return;
    }
    throw new CaptureFormatError(`truncated last record (${what}): ${n} of ${need} bytes`, this.carryStart);
  }

  /** Fill the carry buffer from `chunk` until its frame is complete; returns the bytes of `chunk` used. */
  private completeCarry(chunk: Uint8Array): number {
    let pos = 0;
    for (;;) {
      const need = this.frameSize(this.carry, 0, this.carryLen, this.carryStart);
      if (this.carryLen >= need) {
        this.carryLen = 0;
        this.frame(this.carry, 0, need, this.carryStart);
        return pos;
      }
      if (pos === chunk.length) return pos;
      const take = Math.min(need - this.carryLen, chunk.length - pos);
      this.reserve(this.carryLen + take);
      this.carry.set(chunk.subarray(pos, pos + take), this.carryLen);
      this.carryLen += take;
      pos += take;
    }
  }

  /** Grow the carry buffer to hold `n` bytes, keeping what it holds. */
  private reserve(n: number): void {
    if (this.carry.length >= n) return;
    const next = new Uint8Array(Math.max(n, INITIAL_CARRY_BYTES, this.carry.length * 2));
    next.set(this.carry.subarray(0, this.carryLen), 0);
    this.carry = next;
  }
}
