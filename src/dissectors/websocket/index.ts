/**
 * WebSocket binding (RFC 6455, RFC 7692). Reached only through the HTTP/1
 * hand-off: the http dissector emits the upgrade exchange (flag 'upgrade')
 * and, after the 101, the connection calls `websocketSpec.upgrade()` with the
 * heads (src/dissectors/http1/index.ts, UpgradeHandOff). `detect()` never
 * matches: frames alone are too weak a signature to claim a connection.
 *
 * Per direction:
 * 1. Frames are read by a FrameReader (unmasked pieces, views).
 * 2. Data frames (text, binary, continuation) are joined into one message;
 *    control frames may come between fragments and are messages of their own.
 * 3. Kept bytes are copied into the side's reusable storage (Builder): up
 *    to maxBodyBytes of plain payload, or up to MAX_COMPRESSED_BYTES of a
 *    compressed message, inflated when it is whole (Inflater: context
 *    takeover unless `<side>_no_context_takeover`). The entry takes its
 *    text or base64 from them at once, before the storage is reused.
 * 4. Each finished message is an entry at once; at a gap, a framing error or
 *    the end of the stream, a message in progress is emitted flagged 'gap',
 *    'violation' or 'truncated', and that direction stops.
 */
import type { Entry, EntryFlag } from '../../entries/types.js';
import type { UpgradeHandOff, UpgradeTarget } from '../http1/index.js';
import type { ConnectionContext, StreamDissector, StreamDissectorSpec } from '../types.js';
import { buildWebSocketEntry, type Collected } from './entry.js';
import { FrameReader, Opcode, type FrameHeader } from './frames.js';
import { Inflater, MAX_INFLATED_BYTES, parseExtensions, type DeflateParams } from './inflate.js';

export type { WebSocketEntry, WebSocketMessage } from './entry.js';

/** Compressed bytes of one message kept for inflating; a bigger message is counted, not decoded. */
export const MAX_COMPRESSED_BYTES = 1024 * 1024;

/** Storage up to this size goes back to the spare list after its message; a bigger buffer is let go. */
const RETAINED_BUILDER_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * Storage no message is using, shared by every side on this thread: a side
 * holds storage only while a message is in progress. Per side, it was an
 * allocation or two per connection (20,000 short connections: a tenth of a
 * WebSocket run in Buffer pool churn).
 */
const spare: Buffer[] = [];
/** Spare buffers kept (each at most RETAINED_BUILDER_BYTES). */
const MAX_SPARE_BUFFERS = 16;

/**
 * One message's kept payload bytes (up to `cap`), in storage taken from the
 * spare list and given back by `take()`: the view it hands out is valid
 * until any builder's next `add()` or `take()` (the entry reads it at once).
 * Why not a copy per piece: frames come in many small pieces and one
 * allocation per piece was a tenth of a WebSocket run in GC.
 */
class Builder {
  private buf: Buffer | null = null;
  private cap = 0;
  bytes = 0;
  dropped = 0;

  reset(cap: number): void {
    this.cap = cap;
    this.bytes = this.dropped = 0;
  }

  add(view: Uint8Array): void {
    const take = Math.min(view.length, this.cap - this.bytes);
    if (take > 0) {
      const b = this.room(take);
      b.set(take === view.length ? view : view.subarray(0, take), this.bytes); // copy: the view is the caller's (or the unmask scratch)
      this.bytes += take;
    }
    this.dropped += view.length - take;
  }

  /** The kept bytes followed by `tail` (the inflater's sync-flush marker) when given; the storage goes back to the spare list. */
  take(tail: Uint8Array | null = null): Buffer {
    if (tail !== null) this.room(tail.length).set(tail, this.bytes);
    const b = this.buf;
    if (b === null) return EMPTY;
    this.buf = null;
    if (b.length <= RETAINED_BUILDER_BYTES && spare.length < MAX_SPARE_BUFFERS) spare.push(b);
    return b.subarray(0, this.bytes + (tail?.length ?? 0));
  }

  private room(n: number): Buffer {
    const need = this.bytes + n;
    let b = this.buf;
    if (b === null && spare.length > 0) this.buf = b = spare.pop()!;
    if (b === null || b.length < need) {
      const next = Buffer.allocUnsafe(Math.max(need, 256, b === null ? 0 : b.length * 2));
      if (b !== null) b.copy(next, 0, 0, this.bytes);
      this.buf = b = next;
    }
    return b;
  }
}

interface Current extends Collected { body: Builder }

/** The sync-flush marker a permessage-deflate sender strips from each message (RFC 7692 §7.2.2). */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

class Side {
  readonly reader: FrameReader;
  readonly inflater: Inflater | null;
  msg: Current | null = null;
  ctl: Current | null = null;
  /** Storage of the data message and of the control frame in progress (they may interleave). */
  readonly dataBody = new Builder();
  readonly ctlBody = new Builder();
  inControl = false;
  /** FIN of the current data frame. */
  fin = false;

  constructor(readonly isClient: boolean, d: WebSocketDissector, deflate: DeflateParams) {
    this.reader = new FrameReader({
      frame: (h, ts) => d.frame(this, h, ts),
      payload: (v, ts) => d.payload(this, v, ts),
      frameEnd: (ts) => d.frameEnd(this, ts),
      lost: (reason) => d.lost(this, reason),
    }, deflate.enabled);
    this.inflater = deflate.enabled
      ? new Inflater(!(isClient ? deflate.clientNoContextTakeover : deflate.serverNoContextTakeover))
      : null;
  }
}

function addFlag(flags: EntryFlag[], f: EntryFlag): void {
  if (!flags.includes(f)) flags.push(f);
}

export class WebSocketDissector implements StreamDissector {
  private readonly client: Side;
  private readonly server: Side;
  private closed = false;

  constructor(private readonly ctx: ConnectionContext, readonly deflate: DeflateParams) {
    this.client = new Side(true, this, deflate);
    this.server = new Side(false, this, deflate);
  }

  deliver(data: Uint8Array, isClient: boolean, ts: number): void {
    (isClient ? this.client : this.server).reader.feed(data, ts);
  }

  gap(length: number, isClient: boolean, _ts: number): void {
    const side = isClient ? this.client : this.server;
    if (side.reader.dead) return side.reader.gap(length);
    side.reader.gap(length);
    this.ctx.weird('websocket_gap');
    side.inflater?.lose();
    this.abandon(side, 'gap');
  }

  end(isClient: boolean, _ts: number): void {
    this.abandon(isClient ? this.client : this.server, 'truncated');
  }

  close(_ts: number): void {
    if (this.closed) return;
    this.closed = true;
    this.abandon(this.client, 'truncated');
    this.abandon(this.server, 'truncated');
    this.client.inflater?.close();
    this.server.inflater?.close();
  }

  /** @internal FrameReader callback. */
  frame(side: Side, h: FrameHeader, ts: number): void {
    const start = (opcode: number, cap: number): Current => {
      const body = opcode >= 8 ? side.ctlBody : side.dataBody;
      body.reset(cap);
      return { opcode, frames: 1, masked: h.masked, compressed: h.rsv1, size: 0, wireSize: 0, kept: EMPTY, startTs: ts, lastTs: ts, flags: [], body };
    };
    if (side.isClient !== h.masked) this.ctx.weird(side.isClient ? 'websocket_unmasked_client_frame' : 'websocket_masked_server_frame');
    if (h.opcode >= 8) {
      side.inControl = true;
      side.ctl = start(h.opcode, 125);
      return;
    }
    side.inControl = false;
    side.fin = h.fin;
    const cap = h.rsv1 ? MAX_COMPRESSED_BYTES : this.ctx.options.maxBodyBytes;
    if (h.opcode === Opcode.Continuation) {
      if (side.msg === null) {
        this.ctx.weird('websocket_orphan_continuation');
        side.msg = start(Opcode.Continuation, cap);
        side.msg.flags.push('violation');
      } else {
        side.msg.frames++;
        side.msg.lastTs = ts;
      }
      return;
    }
    if (side.msg !== null) {
      this.ctx.weird('websocket_unfinished_message');
      this.abandon(side, 'violation');
    }
    side.msg = start(h.opcode, cap);
  }

  /** @internal FrameReader callback. */
  payload(side: Side, view: Uint8Array, ts: number): void {
    const m = side.inControl ? side.ctl : side.msg;
    if (m === null) return;
    m.wireSize += view.length;
    m.lastTs = ts;
    m.body.add(view);
  }

  /** @internal FrameReader callback: the frame is whole; a FIN data frame or a control frame ends a message. */
  frameEnd(side: Side, ts: number): void {
    if (side.inControl) {
      const c = side.ctl!;
      side.ctl = null;
      side.inControl = false;
      c.lastTs = ts;
      this.finish(side, c);
      return;
    }
    if (side.fin && side.msg !== null) {
      const m = side.msg!;
      side.msg = null;
      m.lastTs = ts;
      this.finish(side, m);
    }
  }

  /** @internal FrameReader callback. */
  lost(side: Side, reason: string): void {
    this.ctx.weird(reason);
    side.inflater?.lose();
    if (side.msg === null && side.ctl === null) {
      // Nothing in progress carries the flag: an empty entry would be noise, the weird counts it.
      return;
    }
    this.abandon(side, 'violation');
  }

  /** Emit whatever is in progress on this side, flagged. */
  private abandon(side: Side, flag: EntryFlag): void {
    for (const m of [side.ctl, side.msg]) {
      if (m === null) continue;
      addFlag(m.flags, flag);
      if (m.compressed) side.inflater?.lose();
      this.finish(side, m, false);
    }
    side.ctl = side.msg = null;
    side.inControl = false;
  }

  private finish(side: Side, m: Current, whole = true): void {
    const dropped = m.body.dropped;
    if (m.compressed && m.opcode < 8) {
      const withTail = m.body.take(TAIL);
      const out = whole && dropped === 0 ? side.inflater?.inflate(withTail) ?? null : null;
      if (out === null) {
        if (whole) {
          this.ctx.weird(dropped > 0 ? 'websocket_message_limit' : side.inflater?.limited === true ? 'websocket_inflate_streams_limit' : 'websocket_inflate_error');
          addFlag(m.flags, 'body-decode-error');
          if (dropped > 0) side.inflater?.lose();
        }
        m.size = m.wireSize;
        m.kept = withTail.subarray(0, Math.min(withTail.length - TAIL.length, this.ctx.options.maxBodyBytes));
      } else {
        m.size = out.length;
        if (out.length >= MAX_INFLATED_BYTES) this.ctx.weird('websocket_inflate_limit');
        m.kept = out.subarray(0, this.ctx.options.maxBodyBytes);
      }
    } else {
      if (dropped > 0 && m.opcode < 8) this.ctx.weird('websocket_body_limit');
      m.size = m.wireSize;
      m.kept = m.body.take();
    }
    // The cast goes when WebSocketEntry joins the Entry union in src/entries/types.ts (merged by the owner).
    this.ctx.emit(buildWebSocketEntry(this.ctx, m, side.isClient));
  }
}

export const websocketSpec: StreamDissectorSpec & UpgradeTarget = {
  name: 'websocket',
  ports: [],
  transport: 'tcp',
  detect: () => 'no',
  create: (ctx) => new WebSocketDissector(ctx, parseExtensions(undefined)),
  upgrade: (ctx: ConnectionContext, h: UpgradeHandOff) => new WebSocketDissector(ctx, parseExtensions(h.responseHeaders['sec-websocket-extensions'])),
};
