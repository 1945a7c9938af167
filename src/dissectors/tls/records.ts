/**
 * TLS record layer for one direction (RFC 8446 §5.1): frames records out of
 * stream bytes split anywhere, and hands each payload piece to the binding as
 * a view (no copy). Only the record header (5 bytes) is kept across calls.
 * A header that cannot be TLS (content type, version, length) loses the
 * framing: the direction stops and later bytes are only counted.
 */

/** Largest record payload: 2^14 plus the TLSCiphertext expansion allowance. */
export const MAX_RECORD_BYTES = 16384 + 2048;

export const enum ContentType { ChangeCipherSpec = 20, Alert = 21, Handshake = 22, ApplicationData = 23, Heartbeat = 24 }

export interface RecordSink {
  /** A piece of the current record's payload (a view, valid during the call); `last` on its final byte. */
  payload(type: number, view: Uint8Array, recordLength: number, last: boolean, ts: number): void;
  /** The framing was lost (bad header): the reason is a weird name. */
  lost(reason: string): void;
}

export class RecordReader {
  private readonly hdr = new Uint8Array(5);
  private hdrLen = 0;
  private type = 0;
  private length = 0;
  private left = 0;
  /** Framing lost (bad header or gap): later bytes are counted, not read. */
  dead = false;
  ignoredBytes = 0;
  records = 0;

  constructor(private readonly sink: RecordSink) {}

  feed(data: Uint8Array, ts: number): void {
    if (this.dead) { this.ignoredBytes += data.length; return; }
    let pos = 0;
    const end = data.length;
    while (pos < end) {
      if (this.left === 0) {
        while (this.hdrLen < 5 && pos < end) this.hdr[this.hdrLen++] = data[pos++]!;
        if (this.hdrLen < 5) return;
        this.hdrLen = 0;
        const h = this.hdr;
        const type = h[0]!;
        const length = (h[3]! << 8) | h[4]!;
        if (type < 20 || type > 24 || h[1] !== 3 || h[2]! > 4 || length > MAX_RECORD_BYTES) {
          this.dead = true;
          this.ignoredBytes += end - pos;
          this.sink.lost('tls_bad_record');
          return;
        }
        this.records++;
        this.type = type;
        this.length = this.left = length;
        if (length === 0) { this.sink.payload(type, data.subarray(pos, pos), 0, true, ts); continue; }
      }
      const n = Math.min(this.left, end - pos);
      this.left -= n;
      this.sink.payload(this.type, data.subarray(pos, pos + n), this.length, this.left === 0, ts);
      pos += n;
    }
  }

  /** Bytes were lost: the record boundaries cannot be found again. */
  gap(length: number): void {
    this.dead = true;
    this.ignoredBytes += length;
  }
}
