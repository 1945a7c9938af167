/**
 * Splits one direction of a connection into wire messages (length-prefixed
 * by the header's int32).
 *
 * `push()` takes views. A message wholly inside one push is handed on as a
 * view; a split one is copied into a buffer grown as its bytes come, of at most MAX_KEPT_BYTES (the
 * rest of a longer message is skipped and the message is handed on cut:
 * `size` says how long it really was). A header that is not plausible
 * (wire.ts plausibleAt) or a gap whose resumption point is unknown sends
 * the reader hunting: it skips bytes until a plausible header, carrying at
 * most PLAUSIBLE_BYTES - 1 bytes between pushes. A gap inside a message of
 * known length keeps the reader in step: that message is lost, the next
 * one is read.
 */
import { growFor } from '../grow.js';
import { HEADER_BYTES, MAX_MESSAGE_BYTES, OP_COMPRESSED, OP_DELETE, OP_GET_MORE, OP_INSERT, OP_KILL_CURSORS, OP_MSG, OP_QUERY, OP_REPLY, OP_UPDATE, PLAUSIBLE_BYTES, plausibleAt, readHeader } from './wire.js';

/** Bytes of one message kept for decoding. */
export const MAX_KEPT_BYTES = 1024 * 1024;

export interface MessageSink {
  /** A whole message (or its first MAX_KEPT_BYTES); `bytes` is valid during the call only. */
  message(bytes: Uint8Array, size: number, startTs: number, endTs: number): void;
  /** A header that breaks the grammar: the reader starts hunting. */
  violation(): void;
  /** A message partly lost in a gap: dropped. */
  lost(): void;
}

/** Shared empty buffer (never written: growFor replaces it before any byte is kept). */
const EMPTY = new Uint8Array(0);

const CLIENT_OPS = new Set([OP_MSG, OP_QUERY, OP_COMPRESSED, OP_UPDATE, OP_INSERT, OP_GET_MORE, OP_DELETE, OP_KILL_CURSORS]);
const SERVER_OPS = new Set([OP_MSG, OP_REPLY, OP_COMPRESSED]);

export class MessageReader {
  readonly counters = { huntedBytes: 0, skippedBytes: 0, cutMessages: 0 };
  private state: 'header' | 'body' | 'skip' | 'hunt' = 'header';
  private readonly head = new Uint8Array(HEADER_BYTES);
  private headFill = 0;
  private buf: Uint8Array = EMPTY;
  /** Bytes of the current message kept: min(length, MAX_KEPT_BYTES). */
  private keepCap = 0;
  private fill = 0;
  private size = 0;
  private remaining = 0;
  private startTs = 0;
  private carry: Uint8Array = EMPTY;

  constructor(private readonly sink: MessageSink, private readonly fromClient: boolean) {}

  push(data: Uint8Array, ts: number): void {
    let p = 0;
    const end = data.length;
    while (p < end) {
      if (this.state === 'hunt') {
        this.hunt(data.subarray(p), ts);
        return;
      }
      if (this.state === 'skip') {
        const n = Math.min(this.remaining, end - p);
        this.remaining -= n;
        this.counters.skippedBytes += n;
        p += n;
        if (this.remaining === 0) this.state = 'header';
        continue;
      }
      if (this.state === 'body') {
        const n = Math.min(this.remaining, end - p);
        const keep = Math.min(n, this.keepCap - this.fill);
        if (keep > 0) {
          this.buf = growFor(this.buf, this.fill, this.fill + keep, this.keepCap);
          this.buf.set(data.subarray(p, p + keep), this.fill); // copy: the message spans pushes
        }
        this.fill += keep;
        this.remaining -= n;
        p += n;
        if (this.remaining === 0) {
          this.state = 'header';
          if (this.fill < this.size) this.counters.cutMessages++;
          this.sink.message(this.buf.subarray(0, this.fill), this.size, this.startTs, ts);
          this.buf = EMPTY;
        }
        continue;
      }
      // Header: whole in this push (fast path, no copy) or collected across pushes.
      if (this.headFill === 0) {
        this.startTs = ts;
        if (end - p >= HEADER_BYTES) {
          const h = readHeader(data, p);
          if (!this.headerOk(h.length, h.opCode, h.responseTo)) { this.startHunt(data.subarray(p + 1), ts); return; }
          if (end - p >= h.length) {
            this.sink.message(data.subarray(p, p + h.length), h.length, ts, ts);
            p += h.length;
            continue;
          }
          this.head.set(data.subarray(p, p + HEADER_BYTES));
          this.headFill = HEADER_BYTES;
          p += HEADER_BYTES;
          this.begin(h.length);
          continue;
        }
      }
      const n = Math.min(HEADER_BYTES - this.headFill, end - p);
      this.head.set(data.subarray(p, p + n), this.headFill);
      this.headFill += n;
      p += n;
      if (this.headFill < HEADER_BYTES) return;
      const h = readHeader(this.head, 0);
      if (!this.headerOk(h.length, h.opCode, h.responseTo)) {
        const rest = new Uint8Array(HEADER_BYTES - 1 + end - p);
        rest.set(this.head.subarray(1));
        rest.set(data.subarray(p), HEADER_BYTES - 1);
        this.headFill = 0;
        this.startHunt(rest, ts);
        return;
      }
      this.begin(h.length);
    }
  }

  /** `length` bytes of this direction were lost. */
  gap(length: number): void {
    if ((this.state === 'body' || this.state === 'skip') && length < this.remaining) {
      if (this.state === 'body') this.sink.lost();
      this.remaining -= length;
      this.state = 'skip';
      this.buf = EMPTY;
      return;
    }
    if (this.state === 'body') this.sink.lost();
    this.buf = EMPTY;
    this.headFill = 0;
    this.carry = EMPTY;
    this.state = 'hunt';
  }

  /** Bytes of a message started but not finished (for end of stream). */
  pending(): boolean {
    return this.state === 'body' || this.headFill > 0;
  }

  private headerOk(length: number, op: number, responseTo: number): boolean {
    if (length < 21 || length > MAX_MESSAGE_BYTES) return false;
    if (this.fromClient) return CLIENT_OPS.has(op) && responseTo === 0;
    return SERVER_OPS.has(op);
  }

  /** After a valid header in `head`: read the rest of a message of `length` bytes. */
  private begin(length: number): void {
    this.size = length;
    this.keepCap = Math.min(length, MAX_KEPT_BYTES);
    this.buf = growFor(EMPTY, 0, HEADER_BYTES, this.keepCap); // grown as bytes come (grow.ts), not sized from the header
    this.buf.set(this.head);
    this.fill = HEADER_BYTES;
    this.headFill = 0;
    this.remaining = length - HEADER_BYTES;
    this.state = 'body';
  }

  private startHunt(rest: Uint8Array, ts: number): void {
    this.sink.violation();
    this.counters.huntedBytes++;
    this.state = 'hunt';
    this.carry = EMPTY;
    this.hunt(rest, ts);
  }

  /** Skips to the first plausible header in carry + data, then reads on from there. */
  private hunt(data: Uint8Array, ts: number): void {
    let b = data;
    if (this.carry.length > 0) {
      b = new Uint8Array(this.carry.length + data.length);
      b.set(this.carry);
      b.set(data, this.carry.length);
      this.carry = EMPTY;
    }
    for (let i = 0; i < b.length; i++) {
      const v = plausibleAt(b, i, b.length, this.fromClient);
      if (v === 'no') { this.counters.huntedBytes++; continue; }
      if (v === 'more') { this.carry = b.slice(i, i + PLAUSIBLE_BYTES); return; } // copy: b may be the caller's view
      this.state = 'header';
      this.headFill = 0;
      this.push(b.subarray(i), ts);
      return;
    }
  }
}
