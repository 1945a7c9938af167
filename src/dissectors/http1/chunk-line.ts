/**
 * The chunk-size line of a chunked body (RFC 9112 §7.1): hex digits, optional
 * whitespace, extensions after ';' (skipped), then CRLF or a bare LF.
 * Incremental: `push()` takes bytes in any split and says when the line ended.
 */
import { CR, LF, SP } from './start-line.js';

/** A chunk-size line with its extensions. */
export const MAX_CHUNK_LINE_BYTES = 4 * 1024;
/** More hex digits would pass 2^53: no real chunk is that large. */
const MAX_CHUNK_DIGITS = 13;

const HEX = new Uint8Array(256).fill(255);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) HEX[0x41 + i] = HEX[0x61 + i] = 10 + i;

export const enum ChunkLineResult { More, Done, TooLong }

export class ChunkLine {
  /** The chunk size, once `push()` returned Done and `valid` is true. */
  size = 0;
  private digits = 0;
  private afterDigits = false;
  private skipping = false;
  private bad = false;
  private bytes = 0;
  /** Where `push()` stopped: just past the LF, or at `end`. */
  next = 0;

  reset(): void {
    this.size = this.digits = this.bytes = 0;
    this.afterDigits = this.skipping = this.bad = false;
  }

  /** The line had hex digits and nothing malformed before its extensions. */
  get valid(): boolean {
    return !this.bad && this.digits > 0;
  }

  push(data: Uint8Array, pos: number, end: number): ChunkLineResult {
    while (pos < end) {
      const c = data[pos++];
      if (c === LF) {
        this.next = pos;
        return ChunkLineResult.Done;
      }
      if (++this.bytes > MAX_CHUNK_LINE_BYTES) {
        this.next = pos;
        return ChunkLineResult.TooLong;
      }
      if (this.skipping) continue;
      const h = HEX[c];
      if (h !== 255 && !this.afterDigits) {
        if (++this.digits > MAX_CHUNK_DIGITS) this.bad = this.skipping = true;
        else this.size = this.size * 16 + h;
      } else if (c === 0x3b) {
        this.skipping = true; // chunk extensions are not interpreted
      } else if (c === SP || c === 0x09 || c === CR) {
        this.afterDigits = true;
      } else {
        this.bad = this.skipping = true;
      }
    }
    this.next = end;
    return ChunkLineResult.More;
  }
}
