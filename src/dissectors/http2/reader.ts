/**
 * One direction of an HTTP/2 connection cut into frames.
 *
 * 1. The client direction starts with the preface; bytes that are not the
 *    preface start a resynchronisation (the capture began mid-connection).
 * 2. Frame headers are read in place when whole in the view, else gathered
 *    in a 9-byte buffer.
 * 3. DATA payloads are never gathered: each piece goes to `onData` as a view
 *    (padding removed), then `onDataEnd`. Other frames are handed over whole:
 *    a view when the frame sits in one delivery, else a copy gathered up to
 *    MAX_CONTROL_PAYLOAD_BYTES (past it the frame is skipped and reported lost).
 * 4. A gap inside a DATA frame is body loss (`onDataLost`), inside another
 *    frame that frame is lost (`onFrameLost`); a gap past the frame's end,
 *    a frame longer than allowed or bad padding loses the frame boundary
 *    (`onDesync`) and starts a resynchronisation.
 * 5. Resynchronisation keeps up to RESYNC_WINDOW_BYTES and looks for an
 *    offset where two frame headers chain plausibly (frames.ts); bytes it
 *    gives up on are counted (`resyncDropped`).
 */
import {
  DEFAULT_MAX_FRAME_SIZE, FLAG_PADDED, FRAME_HEADER_BYTES, FrameType, PREFACE_BYTES, plausibleChain, readFrameHeader,
  type FrameHeader,
} from './frames.js';

/** Largest non-DATA frame gathered (header blocks, settings, …); larger ones are skipped. */
export const MAX_CONTROL_PAYLOAD_BYTES = 1024 * 1024;
/** A gathering buffer up to this size is kept for the next split frame; a larger one is let go after its frame. */
const KEPT_PAYLOAD_BUFFER_BYTES = 64 * 1024;
/** Bytes kept while looking for a frame boundary. */
export const RESYNC_WINDOW_BYTES = 64 * 1024;

export interface FrameSink {
  /** A whole non-DATA frame; `payload` is valid during the call only. */
  onFrame(h: FrameHeader, payload: Uint8Array, ts: number): void;
  /** A piece of a DATA frame's data (padding removed); a view. */
  onData(streamId: number, data: Uint8Array, ts: number): void;
  /** End of a DATA frame (END_STREAM is in `h.flags`). */
  onDataEnd(h: FrameHeader, ts: number): void;
  /** `n` bytes of a DATA frame's data were never captured. */
  onDataLost(streamId: number, n: number, ts: number): void;
  /** A non-DATA frame was cut by a gap or skipped for size: its content is unknown. */
  onFrameLost(h: FrameHeader, ts: number): void;
  /** The frame boundary is lost ('gap', 'no-preface', 'frame-size', 'padding'). */
  onDesync(reason: string, ts: number): void;
  /** The client preface was seen whole: the connection is seen from its start. */
  onPreface(): void;
  /** Largest frame this direction may send (the peer's SETTINGS_MAX_FRAME_SIZE, or the default). */
  maxFrameSize(): number;
}

const enum S { Preface, Header, Payload, PadLength, Data, Padding, Skip, Resync }

export class FrameReader {
  private state: S;
  private prefaceAt = 0;
  private readonly hdr = new Uint8Array(FRAME_HEADER_BYTES);
  private hdrFill = 0;
  private readonly h: FrameHeader = { length: 0, type: 0, flags: 0, streamId: 0 };
  /** Payload gathered for a non-DATA frame split across deliveries (a copy). */
  private payload: Buffer | null = null;
  private payloadFill = 0;
  private left = 0;
  private padLeft = 0;
  /** Resynchronisation window (a copy of the bytes searched). */
  private rs: Buffer | null = null;
  private rsFill = 0;
  private rsScan = 0;
  /** Bytes given up while resynchronising. */
  resyncDropped = 0;
  /** Frames skipped for MAX_CONTROL_PAYLOAD_BYTES. */
  oversized = 0;

  constructor(private readonly sink: FrameSink, expectPreface: boolean) {
    this.state = expectPreface ? S.Preface : S.Header;
  }

  /** Is the reader looking for a frame boundary? */
  get resyncing(): boolean {
    return this.state === S.Resync;
  }

  feed(b: Uint8Array, ts: number): void {
    let i = 0;
    const n = b.length;
    while (i < n) {
      switch (this.state) {
        case S.Preface: {
          while (i < n && this.prefaceAt < PREFACE_BYTES.length && b[i] === PREFACE_BYTES[this.prefaceAt]) { i++; this.prefaceAt++; }
          if (this.prefaceAt === PREFACE_BYTES.length) { this.state = S.Header; this.sink.onPreface(); break; }
          if (i < n) {
            // Not the preface: the capture began mid-connection (keep the bytes seen).
            const seen = PREFACE_BYTES.subarray(0, this.prefaceAt);
            this.sink.onDesync('no-preface', ts);
            this.state = S.Resync;
            this.resyncAppend(seen, ts);
          }
          break;
        }
        case S.Header: {
          const inPlace = this.hdrFill === 0 && n - i >= FRAME_HEADER_BYTES;
          if (inPlace) {
            readFrameHeader(b, i, this.h);
            i += FRAME_HEADER_BYTES;
          } else {
            while (i < n && this.hdrFill < FRAME_HEADER_BYTES) this.hdr[this.hdrFill++] = b[i++];
            if (this.hdrFill < FRAME_HEADER_BYTES) break;
            readFrameHeader(this.hdr, 0, this.h);
            this.hdrFill = 0;
          }
          if (!this.begin(ts)) {
            // Search again from just after the header's first byte.
            this.state = S.Resync;
            if (inPlace) i -= FRAME_HEADER_BYTES - 1;
            else this.resyncAppend(this.headerBytes().subarray(1), ts);
          }
          break;
        }
        case S.Payload: {
          const take = Math.min(n - i, this.left);
          const len = this.h.length;
          if (this.payloadFill === 0 && take === len) {
            this.state = S.Header;
            this.sink.onFrame(this.h, b.subarray(i, i + take), ts);
            i += take;
            break;
          }
          const need = this.payloadFill + take;
          if (this.payload === null || this.payload.length < need) {
            // Grown with the bytes that came, not sized from the header: a 9-byte header may claim a megabyte.
            const nb = Buffer.allocUnsafeSlow(Math.min(len, Math.max(need, 2 * (this.payload?.length ?? 0), 256)));
            if (this.payload !== null) this.payload.copy(nb, 0, 0, this.payloadFill);
            this.payload = nb;
          }
          this.payload.set(b.subarray(i, i + take), this.payloadFill); // copy: the frame spans deliveries
          this.payloadFill += take;
          this.left -= take;
          i += take;
          if (this.left === 0) {
            this.state = S.Header;
            this.payloadFill = 0;
            this.sink.onFrame(this.h, this.payload.subarray(0, len), ts);
            if (this.payload.length > KEPT_PAYLOAD_BUFFER_BYTES) this.payload = null; // an idle connection keeps no large buffer
          }
          break;
        }
        case S.PadLength: {
          const pad = b[i++];
          if (pad > this.h.length - 1) {
            this.sink.onDesync('padding', ts);
            this.state = S.Resync;
            break;
          }
          this.left = this.h.length - 1 - pad;
          this.padLeft = pad;
          this.afterData(ts);
          break;
        }
        case S.Data: {
          const take = Math.min(n - i, this.left);
          this.sink.onData(this.h.streamId, b.subarray(i, i + take), ts);
          i += take;
          this.left -= take;
          if (this.left === 0) this.afterData(ts);
          break;
        }
        case S.Padding: {
          const take = Math.min(n - i, this.padLeft);
          i += take;
          this.padLeft -= take;
          if (this.padLeft === 0) { this.state = S.Header; this.sink.onDataEnd(this.h, ts); }
          break;
        }
        case S.Skip: {
          const take = Math.min(n - i, this.left);
          i += take;
          this.left -= take;
          if (this.left === 0) this.state = S.Header;
          break;
        }
        case S.Resync: {
          i = this.resyncFeed(b, i, ts);
          break;
        }
      }
    }
  }

  /** `n` bytes of this direction were lost. */
  gap(n: number, ts: number): void {
    switch (this.state) {
      case S.Data:
        if (n <= this.left) {
          this.sink.onDataLost(this.h.streamId, n, ts);
          this.left -= n;
          if (this.left === 0) this.afterData(ts);
          return;
        }
        this.sink.onDataLost(this.h.streamId, this.left, ts);
        if (n <= this.left + this.padLeft) {
          this.padLeft -= n - this.left;
          this.left = 0;
          this.afterData(ts);
          return;
        }
        break;
      case S.Padding:
        if (n <= this.padLeft) { this.padLeft -= n; if (this.padLeft === 0) { this.state = S.Header; this.sink.onDataEnd(this.h, ts); } return; }
        break;
      case S.Payload:
      case S.Skip:
        if (this.state === S.Payload) { this.sink.onFrameLost(this.h, ts); this.payloadFill = 0; }
        if (n < this.left) { this.left -= n; this.state = S.Skip; return; }
        if (n === this.left) { this.state = S.Header; return; }
        break;
      default:
        break;
    }
    this.hdrFill = 0;
    this.payloadFill = 0;
    this.rsFill = 0;
    this.rsScan = 0;
    this.state = S.Resync;
    this.sink.onDesync('gap', ts);
  }

  private headerBytes(): Uint8Array {
    const h = this.h;
    const b = this.hdr;
    b[0] = h.length >>> 16; b[1] = h.length >>> 8; b[2] = h.length;
    b[3] = h.type; b[4] = h.flags;
    b[5] = (h.streamId / 0x1000000) & 0x7f; b[6] = h.streamId >>> 16; b[7] = h.streamId >>> 8; b[8] = h.streamId;
    return b;
  }

  /** A header was read: pick the payload state. False when the frame is too long to be one. */
  private begin(ts: number): boolean {
    const h = this.h;
    if (h.length > this.sink.maxFrameSize()) {
      this.sink.onDesync('frame-size', ts);
      return false;
    }
    if (h.type === FrameType.DATA) {
      if ((h.flags & FLAG_PADDED) !== 0) {
        if (h.length === 0) { this.sink.onDesync('padding', ts); return false; }
        this.state = S.PadLength;
      } else {
        this.left = h.length;
        this.padLeft = 0;
        this.afterData(ts);
      }
      return true;
    }
    this.left = h.length;
    if (h.length > MAX_CONTROL_PAYLOAD_BYTES) {
      this.oversized++;
      this.sink.onFrameLost(h, ts);
      this.state = S.Skip;
    } else if (h.length === 0) {
      this.state = S.Header;
      this.sink.onFrame(h, EMPTY, ts);
    } else {
      this.state = S.Payload;
    }
    return true;
  }

  private afterData(ts: number): void {
    if (this.left > 0) { this.state = S.Data; return; }
    if (this.padLeft > 0) { this.state = S.Padding; return; }
    this.state = S.Header;
    this.sink.onDataEnd(this.h, ts);
  }

  /** Copy `b[i..]` into the window (as much as fits), scan; returns how far `b` was consumed. */
  private resyncFeed(b: Uint8Array, i: number, ts: number): number {
    const room = RESYNC_WINDOW_BYTES - this.rsFill;
    const take = Math.min(room, b.length - i);
    this.resyncAppend(b.subarray(i, i + take), ts);
    return i + take;
  }

  private resyncAppend(part: Uint8Array, ts: number): void {
    if (this.rs === null) this.rs = Buffer.allocUnsafe(RESYNC_WINDOW_BYTES);
    if (part.length > 0) { this.rs.set(part, this.rsFill); this.rsFill += part.length; } // copy: searched across deliveries
    const view = this.rs.subarray(0, this.rsFill);
    const max = this.sink.maxFrameSize();
    let at = this.rsScan;
    while (at + FRAME_HEADER_BYTES <= this.rsFill) {
      const r = plausibleChain(view, at, max);
      if (r === 'yes') {
        const rest = Buffer.from(view.subarray(at)); // copy: the window is reused by the feed below
        this.rsFill = 0;
        this.rsScan = 0;
        this.state = S.Header;
        this.feed(rest, ts);
        return;
      }
      if (r === 'more') break;
      at++;
    }
    if (this.rsFill === RESYNC_WINDOW_BYTES) {
      // Full without a boundary: drop what was searched (or everything when one candidate holds it all).
      const drop = Math.max(at, 1);
      this.rs.copyWithin(0, drop, this.rsFill);
      this.rsFill -= drop;
      this.resyncDropped += drop;
      this.rsScan = 0;
      return;
    }
    this.rsScan = at;
  }
}

const EMPTY = new Uint8Array(0);
