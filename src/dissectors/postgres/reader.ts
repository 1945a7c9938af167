/**
 * Framing of one direction of a PostgreSQL v3 stream into messages.
 *
 * Three shapes arrive on the wire:
 *   - tagged: 1 type byte, int32 length (counting itself), body;
 *   - untagged (client, before startup completes): int32 length, body whose
 *     first int32 is a code (StartupMessage, SSLRequest, GSSENCRequest,
 *     CancelRequest). A tagged message never starts with 0x00, an untagged one
 *     always does (its length is below 16 MiB), so the first byte tells them apart;
 *   - one bare byte: the server's answer to SSLRequest/GSSENCRequest ('S'/'N'/'G'),
 *     read only when the binding says one is due (`wantsByte`).
 *
 * Ownership: a message that arrives whole in one deliver() is handed on as a
 * view of the caller's bytes; only a message split across deliveries is
 * copied (into `partial`, grown as its bytes come, not from the length
 * field), and then at most MAX_KEPT_MESSAGE_BYTES of it: the rest is
 * counted and skipped, and the message is passed on with
 * `truncated` set and its true `length`.
 *
 * After a bad header or a gap the reader is out of sync: it drops bytes until
 * `resync()` (supplied by the binding, per direction) accepts a position.
 */

import { growFor } from '../grow.js';

/** Bytes of one message kept when it spans deliveries; longer ones are truncated. */
export const MAX_KEPT_MESSAGE_BYTES = 1 << 20;
/** PostgreSQL's own bound on a message (MaxAllocSize); longer lengths are violations. */
export const MAX_MESSAGE_LENGTH = 0x3fff_ffff;
/** Untagged (startup-phase) messages are small: libpq caps them at 10,000 bytes. */
export const MAX_UNTAGGED_LENGTH = 10_000;

/** Type passed for an untagged message, and for a bare one-byte answer. */
export const UNTAGGED = 0;
export const BARE_BYTE = -1;

export interface PgMessage {
  /** Type byte (ASCII code), UNTAGGED, or BARE_BYTE. */
  type: number;
  /** Body without the header (a view, valid during the callback); for BARE_BYTE the one byte. */
  body: Uint8Array;
  /** True body length (may exceed body.length when truncated). */
  length: number;
  truncated: boolean;
  /** Capture time of the message's first and last bytes. */
  startTs: number;
  endTs: number;
}

export interface ReaderHooks {
  message(m: PgMessage): void;
  /** Is the byte at `data[off]` (a message boundary) a bare one-byte answer? */
  wantsByte(data: Uint8Array, off: number): boolean;
  /** Header check for the type byte and length; false = violation. */
  validHeader(type: number, length: number): boolean;
  /** Out of sync: index in `data` where a message plausibly starts, or -1 to drop all (keep the last 4 bytes). */
  resync(data: Uint8Array): number;
  weird(name: string): void;
}

export interface ReaderCounters {
  messages: number;
  truncatedMessages: number;
  droppedBytes: number;
  violations: number;
}

const enum State { Header, Body, Skip, Lost, Stopped }

export class MessageReader {
  readonly counters: ReaderCounters = { messages: 0, truncatedMessages: 0, droppedBytes: 0, violations: 0 };
  private state = State.Header;
  /** Header bytes held when a header spans deliveries (copy, ≤ 5 bytes). */
  private head = new Uint8Array(5);
  private headLen = 0;
  /** Body bytes of a message spanning deliveries (copy, ≤ MAX_KEPT_MESSAGE_BYTES). */
  private partial: Uint8Array | null = null;
  /** Bytes of the current message kept: min(length, MAX_KEPT_MESSAGE_BYTES). */
  private keepCap = 0;
  private partialLen = 0;
  private type = 0;
  private length = 0;
  private remaining = 0;
  private startTs = 0;
  /** Unsynced bytes carried over so a header split across deliveries can be found (copy, ≤ 8 bytes). */
  private lostTail: Uint8Array | null = null;

  constructor(private readonly hooks: ReaderHooks) {}

  /** Stop for good (TLS took over): later bytes are counted as dropped. */
  stop(): void {
    this.state = State.Stopped;
    this.partial = null;
  }

  get stopped(): boolean { return this.state === State.Stopped; }
  get inSync(): boolean { return this.state !== State.Lost; }
  /** A message has begun but not ended (for end-of-stream and gap reporting). */
  get midMessage(): boolean { return this.state === State.Body || this.state === State.Skip || (this.state === State.Header && this.headLen > 0); }
  get pendingType(): number { return this.state === State.Header && this.headLen > 0 ? this.head[0] : this.type; }

  push(data: Uint8Array, ts: number): void {
    let off = 0;
    while (off < data.length) {
      switch (this.state) {
        case State.Stopped:
          this.counters.droppedBytes += data.length - off;
          return;
        case State.Lost:
          off = this.scan(data, off, ts);
          break;
        case State.Header:
          off = this.header(data, off, ts);
          break;
        case State.Body:
        case State.Skip:
          off = this.body(data, off, ts);
          break;
      }
    }
  }

  /** Bytes were lost: whatever was in progress is given up, and the reader is out of sync. */
  gap(): void {
    if (this.state === State.Stopped) return;
    this.reset();
    this.state = State.Lost;
  }

  /**
   * The message in progress at the end of the stream, passed on as truncated
   * (its bytes so far), or nothing when the stream ended on a boundary.
   */
  end(ts: number): void {
    if ((this.state === State.Body || this.state === State.Skip) && this.type !== BARE_BYTE) {
      const kept = this.partial === null ? new Uint8Array(0) : this.partial.subarray(0, this.partialLen);
      this.counters.truncatedMessages++;
      this.deliver(kept, true, ts);
    }
    this.reset();
    if (this.state !== State.Stopped) this.state = State.Header;
  }

  private reset(): void {
    this.headLen = 0;
    this.partial = null;
    this.partialLen = 0;
    this.remaining = 0;
    this.lostTail = null;
  }

  private lose(): void {
    this.counters.violations++;
    this.hooks.weird('postgres_bad_header');
    this.reset();
    this.state = State.Lost;
  }

  private header(data: Uint8Array, off: number, ts: number): number {
    if (this.headLen === 0) {
      this.startTs = ts;
      if (this.hooks.wantsByte(data, off)) {
        this.type = BARE_BYTE;
        this.length = 1;
        this.hooks.message({ type: BARE_BYTE, body: data.subarray(off, off + 1), length: 1, truncated: false, startTs: ts, endTs: ts });
        this.counters.messages++;
        return off + 1;
      }
      // Fast path: the whole header (and maybe the body) is in this delivery.
      if (data.length - off >= 5) return this.begin(data, off, ts);
    }
    const need = 5 - this.headLen;
    const take = Math.min(need, data.length - off);
    this.head.set(data.subarray(off, off + take), this.headLen);
    this.headLen += take;
    if (this.headLen < 5) return off + take;
    const head = this.head;
    this.headLen = 0;
    // The header is complete in `head`: frame it, then continue in `data`.
    if (!this.frame(head, 0)) { this.lose(); return off + take; }
    this.openBody();
    // Untagged: `head` held the 4 length bytes and the first body byte.
    if (this.type === UNTAGGED) this.append(head.subarray(4, 5));
    if (this.remaining === 0) this.finish(ts);
    return off + take;
  }

  /** Reads type and length at `at` (5 bytes available); false when they are not valid. */
  private frame(b: Uint8Array, at: number): boolean {
    const first = b[at];
    if (first === 0) {
      const len = ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
      if (len < 8 || len > MAX_UNTAGGED_LENGTH || !this.hooks.validHeader(UNTAGGED, len - 4)) return false;
      this.type = UNTAGGED;
      this.length = len - 4;
      this.remaining = len - 4;
      return true;
    }
    const len = ((b[at + 1] << 24) | (b[at + 2] << 16) | (b[at + 3] << 8) | b[at + 4]) >>> 0;
    if (len < 4 || len > MAX_MESSAGE_LENGTH || !this.hooks.validHeader(first, len - 4)) return false;
    this.type = first;
    this.length = len - 4;
    this.remaining = len - 4;
    return true;
  }

  private begin(data: Uint8Array, off: number, ts: number): number {
    this.startTs = ts;
    if (!this.frame(data, off)) { this.lose(); return off + 1; }
    const bodyAt = off + (this.type === UNTAGGED ? 4 : 5);
    if (data.length - bodyAt >= this.length) {
      // Whole message here: a view, no copy.
      const end = bodyAt + this.length;
      this.remaining = 0;
      this.hooks.message({ type: this.type, body: data.subarray(bodyAt, end), length: this.length, truncated: false, startTs: ts, endTs: ts });
      this.counters.messages++;
      return end;
    }
    this.openBody();
    return this.body(data, bodyAt, ts);
  }

  private openBody(): void {
    const keep = Math.min(this.length, MAX_KEPT_MESSAGE_BYTES);
    if (this.length > MAX_KEPT_MESSAGE_BYTES) this.hooks.weird('postgres_message_size_limit');
    this.keepCap = keep;
    this.partial = new Uint8Array(0); // grown as bytes come (grow.ts), not sized from the header
    this.partialLen = 0;
    this.state = State.Body;
  }

  private append(bytes: Uint8Array): void {
    const room = this.keepCap - this.partialLen;
    if (room > 0) {
      const n = Math.min(room, bytes.length);
      const p = this.partial = growFor(this.partial!, this.partialLen, this.partialLen + n, this.keepCap);
      p.set(bytes.subarray(0, n), this.partialLen); // copy: the message spans deliveries
      this.partialLen += n;
    }
    this.remaining -= bytes.length;
  }

  private body(data: Uint8Array, off: number, ts: number): number {
    const take = Math.min(this.remaining, data.length - off);
    this.append(data.subarray(off, off + take));
    if (this.remaining === 0) this.finish(ts);
    return off + take;
  }

  private finish(ts: number): void {
    const truncated = this.partialLen < this.length;
    if (truncated) this.counters.truncatedMessages++;
    this.deliver(this.partial!.subarray(0, this.partialLen), truncated, ts);
    this.partial = null;
    this.partialLen = 0;
    this.state = State.Header;
  }

  private deliver(body: Uint8Array, truncated: boolean, ts: number): void {
    this.counters.messages++;
    this.hooks.message({ type: this.type, body, length: this.length, truncated, startTs: this.startTs, endTs: ts });
  }

  /** Out of sync: look for a plausible message start; drop what comes before it. */
  private scan(data: Uint8Array, off: number, ts: number): number {
    const tail = this.lostTail;
    const view = tail === null ? data.subarray(off) : concat(tail, data.subarray(off));
    const at = this.hooks.resync(view);
    if (at < 0) {
      const keep = Math.min(view.length, 8);
      this.counters.droppedBytes += view.length - keep; // the carried bytes were not counted yet
      this.lostTail = view.slice(view.length - keep); // copy: bytes that may begin a header
      return data.length;
    }
    this.counters.droppedBytes += at;
    this.lostTail = null;
    this.state = State.Header;
    if (tail === null) return off + at;
    // The accepted start lies in the carried bytes: replay from there.
    const replay = view.slice(at); // copy: a few carried bytes plus this delivery's rest (rare)
    this.push(replay, ts);
    return data.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
