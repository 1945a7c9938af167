/**
 * HTTP/2 binding (h2c with prior knowledge): one FrameReader and one HPACK
 * decoder per direction, streams paired into entries.
 *
 * 1. HEADERS (+ CONTINUATION) blocks are gathered per direction and decoded
 *    in order, whatever the stream: the HPACK table is per connection.
 * 2. A client HEADERS on a new stream opens it (request); a server HEADERS
 *    is the response (1xx ones are recorded as informational); a second
 *    block on a side is its trailers. PUSH_PROMISE opens the promised stream
 *    with its request already ended.
 * 3. DATA goes to the side's message (body kept up to maxBodyBytes, true size
 *    counted) and, for gRPC, to the message splitter.
 * 4. A stream is emitted as soon as both sides sent END_STREAM, or at
 *    RST_STREAM (recorded as `reset`), or when a GOAWAY says it was not
 *    processed; at close() what is left is emitted in stream order.
 * 5. After a gap or a mid-connection start, the HPACK table of that direction
 *    is unknown: header fields that cannot be resolved are left out and the
 *    message is marked `headersIncomplete` (entry flag 'gap'); bodies are
 *    still shown. Frames on streams already emitted are ignored.
 * The connection's server is `ctx.server` (SYN, or server SETTINGS at detection).
 */
import type { Entry } from '../../entries/types.js';
import type { ConnectionContext, DetectResult, StreamDissector, StreamDissectorSpec } from '../types.js';
import type { UpgradeTarget } from '../http1/index.js';
import {
  DEFAULT_MAX_FRAME_SIZE, FLAG_END_HEADERS, FLAG_END_STREAM, FLAG_PADDED, FLAG_PRIORITY, FrameType, PREFACE_BYTES,
  SETTINGS_HEADER_TABLE_SIZE, SETTINGS_MAX_FRAME_SIZE, errorName, type FrameHeader,
} from './frames.js';
import { HpackDecoder } from './hpack.js';
import { FrameReader, MAX_CONTROL_PAYLOAD_BYTES, type FrameSink } from './reader.js';
import { H2Stream, addData, newMessage } from './stream.js';
import { splitHeaders } from './headers.js';
import { GrpcSplitter, isGrpcContentType } from './grpc.js';
import { buildEntry } from './entry.js';

export type { Http2Entry, GrpcEntry, Http2DissectorEntry, GrpcMessage, ProtoField, Http2Request, Http2Response, GrpcRequest, GrpcResponse, Http2Reset } from './types.js';

/** Streams open at once per connection before the oldest is emitted as is. */
export const MAX_OPEN_STREAMS = 1024;
/** A header block (HEADERS/PUSH_PROMISE + CONTINUATION) gathered up to this; past it the block is dropped and HPACK state is lost. */
export const MAX_HEADER_BLOCK_BYTES = 256 * 1024;
/** Frames of one header block (HEADERS/PUSH_PROMISE + CONTINUATION) gathered; past it the block is dropped (empty CONTINUATIONs cost memory too). */
export const MAX_HEADER_BLOCK_FRAMES = 1024;
/** Interim (1xx) responses recorded per stream. */
export const MAX_INFORMATIONAL = 16;
/** Largest SETTINGS_MAX_FRAME_SIZE honoured when checking frame lengths (RFC 9113 allows up to 2^24-1). */
const MAX_FRAME_SIZE_CAP = 16_777_215;

interface Block { streamId: number; endStream: boolean; promised: number; chunks: Buffer[]; size: number; frames: number; over: boolean; ts: number }

class Direction implements FrameSink {
  readonly reader: FrameReader;
  readonly hpack = new HpackDecoder();
  /** Max frame size this direction may send (set by the peer's SETTINGS). */
  maxFrame = DEFAULT_MAX_FRAME_SIZE;
  block: Block | null = null;
  /** Bytes of the header block being gathered. */
  blockBytes = 0;
  sawFrame = false;
  gaps = 0;

  constructor(private readonly conn: Http2Dissector, readonly isClient: boolean) {
    this.reader = new FrameReader(this, isClient);
  }

  maxFrameSize(): number { return this.maxFrame; }
  onPreface(): void { this.conn.preface(); }
  onFrame(h: FrameHeader, p: Uint8Array, ts: number): void { this.conn.frame(this, h, p, ts); }
  onData(id: number, d: Uint8Array, ts: number): void { this.conn.data(this, id, d, ts); }
  onDataEnd(h: FrameHeader, ts: number): void { this.conn.dataEnd(this, h, ts); }
  onDataLost(id: number, n: number, ts: number): void { this.conn.dataLost(this, id, n, ts); }
  onFrameLost(h: FrameHeader, ts: number): void { this.conn.frameLost(this, h, ts); }
  onDesync(reason: string, ts: number): void { this.conn.desync(this, reason, ts); }
}

export class Http2Dissector implements StreamDissector {
  private readonly client: Direction;
  private readonly server: Direction;
  private readonly streams = new Map<number, H2Stream>();
  /** Highest stream id seen per parity (0: even, 1: odd): lower unknown ids are closed streams. */
  private readonly highest = [0, 0];
  private goaway: { code: number; by: 'client' | 'server' } | null = null;

  constructor(readonly ctx: ConnectionContext) {
    this.client = new Direction(this, true);
    this.server = new Direction(this, false);
  }

  deliver(data: Uint8Array, isClient: boolean, ts: number): void {
    (isClient ? this.client : this.server).reader.feed(data, ts);
  }

  gap(length: number, isClient: boolean, ts: number): void {
    const d = isClient ? this.client : this.server;
    d.gaps++;
    d.reader.gap(length, ts);
  }

  end(_isClient: boolean, _ts: number): void {
    // Streams wait for close(): the other direction may still answer.
  }

  close(_ts: number): void {
    // Limits hit along the way, once per connection.
    for (const d of [this.client, this.server]) {
      if (d.reader.resyncDropped > 0) this.ctx.weird('http2_resync_dropped');
      if (d.hpack.capHits > 0) this.ctx.weird('http2_dynamic_table_limit');
      if (d.block !== null) { this.ctx.weird('http2_header_block_unfinished'); this.dropBlock(d); } // its stream still gets an entry
    }
    const left = [...this.streams.values()].sort((a, b) => a.id - b.id);
    this.streams.clear();
    for (const s of left) {
      if (this.goaway !== null && s.reset === undefined && !s.done) s.reset = { errorCode: errorName(this.goaway.code), by: this.goaway.by, frame: 'GOAWAY' };
      this.emit(s);
    }
  }

  /** Both directions are seen from the start (unless a gap came first): their HPACK tables are known. */
  preface(): void {
    if (this.client.gaps === 0) this.client.hpack.synced = true;
    if (this.server.gaps === 0 && !this.server.sawFrame && !this.server.reader.resyncing) this.server.hpack.synced = true;
  }

  // --- frames -------------------------------------------------------------

  frame(d: Direction, h: FrameHeader, p: Uint8Array, ts: number): void {
    if (d.block !== null && h.type !== FrameType.CONTINUATION) {
      this.ctx.weird('http2_continuation_missing');
      this.dropBlock(d);
    }
    d.sawFrame = true;
    switch (h.type) {
      case FrameType.HEADERS: this.headersFrame(d, h, p, ts); break;
      case FrameType.CONTINUATION: this.continuation(d, h, p, ts); break;
      case FrameType.PUSH_PROMISE: this.pushPromise(d, h, p, ts); break;
      case FrameType.SETTINGS: this.settings(d, h, p); break;
      case FrameType.RST_STREAM: this.rstStream(d, h, p, ts); break;
      case FrameType.GOAWAY: this.goAway(d, p, ts); break;
      default: break; // PRIORITY, PING, WINDOW_UPDATE, extensions: nothing for entries
    }
  }

  /** Where a HEADERS or PUSH_PROMISE payload's content lies once its padding is removed; null (a violation recorded) when the pad length is impossible. */
  private unpadded(d: Direction, h: FrameHeader, p: Uint8Array): { s: number; e: number } | null {
    if ((h.flags & FLAG_PADDED) === 0) return { s: 0, e: p.length };
    if (p.length < 1 || p[0] >= p.length) { this.violation(d, h.streamId, 'http2_bad_padding'); d.hpack.lose(); return null; }
    return { s: 1, e: p.length - p[0] };
  }

  private headersFrame(d: Direction, h: FrameHeader, p: Uint8Array, ts: number): void {
    const span = this.unpadded(d, h, p);
    if (span === null) return;
    let { s } = span;
    const { e } = span;
    if ((h.flags & FLAG_PRIORITY) !== 0) s += 5;
    if (s > e || h.streamId === 0) { this.violation(d, h.streamId, 'http2_bad_headers'); d.hpack.lose(); return; }
    this.startBlock(d, h, h.streamId, 0, p.subarray(s, e), ts);
  }

  private pushPromise(d: Direction, h: FrameHeader, p: Uint8Array, ts: number): void {
    const span = this.unpadded(d, h, p);
    if (span === null) return;
    const { s, e } = span;
    if (s + 4 > e) { this.violation(d, h.streamId, 'http2_bad_push_promise'); d.hpack.lose(); return; }
    const promised = ((p[s] & 0x7f) * 0x1000000) + ((p[s + 1] << 16) | (p[s + 2] << 8) | p[s + 3]);
    this.startBlock(d, h, h.streamId, promised, p.subarray(s + 4, e), ts);
  }

  private startBlock(d: Direction, h: FrameHeader, streamId: number, promised: number, frag: Uint8Array, ts: number): void {
    const endStream = h.type === FrameType.HEADERS && (h.flags & FLAG_END_STREAM) !== 0;
    if ((h.flags & FLAG_END_HEADERS) !== 0) {
      this.block(d, streamId, promised, endStream, frag, frag.length, ts);
      return;
    }
    // copy: the block continues in later frames
    d.block = { streamId, endStream, promised, chunks: [Buffer.from(frag)], size: frag.length, frames: 1, over: false, ts };
  }

  private continuation(d: Direction, h: FrameHeader, p: Uint8Array, ts: number): void {
    const b = d.block;
    if (b === null || b.streamId !== h.streamId) {
      this.violation(d, h.streamId, 'http2_unexpected_continuation');
      d.hpack.lose();
      return;
    }
    if (!b.over) {
      if (b.size + p.length > MAX_HEADER_BLOCK_BYTES) { b.over = true; b.chunks = []; this.ctx.weird('http2_header_block_limit'); }
      else if (++b.frames > MAX_HEADER_BLOCK_FRAMES) { b.over = true; b.chunks = []; this.ctx.weird('http2_header_block_frames_limit'); }
      else if (p.length > 0) b.chunks.push(Buffer.from(p)); // copy: gathered across frames
    }
    b.size += p.length;
    if ((h.flags & FLAG_END_HEADERS) === 0) return;
    d.block = null;
    if (b.over) { d.hpack.lose(); this.applyBlock(d, b.streamId, b.promised, b.endStream, null, b.size, b.ts); return; }
    const all = b.chunks.length === 1 ? b.chunks[0]! : Buffer.concat(b.chunks);
    this.block(d, b.streamId, b.promised, b.endStream, all, b.size, b.ts);
  }

  private dropBlock(d: Direction): void {
    const b = d.block!;
    d.block = null;
    d.hpack.lose();
    this.applyBlock(d, b.streamId, b.promised, b.endStream, null, b.size, b.ts);
  }

  private block(d: Direction, streamId: number, promised: number, endStream: boolean, bytes: Uint8Array, size: number, ts: number): void {
    this.applyBlock(d, streamId, promised, endStream, bytes, size, ts);
  }

  /** A whole header block; `bytes` null when it was lost (fields unknown). */
  private applyBlock(d: Direction, streamId: number, promised: number, endStream: boolean, bytes: Uint8Array | null, size: number, ts: number): void {
    const dec = bytes === null ? null : d.hpack.decode(bytes);
    const incomplete = dec === null || dec.incomplete;
    if (dec !== null && dec.violation) { this.ctx.weird('http2_hpack_error'); d.hpack.lose(); }
    if (dec !== null && dec.dropped > 0) this.ctx.weird('http2_header_list_limit');
    const hs = splitHeaders(dec === null ? [] : dec.fields);
    if (hs.violation) this.ctx.weird('http2_bad_header_field');
    const bad = (dec !== null && dec.violation) || hs.violation;

    if (promised !== 0) {
      // PUSH_PROMISE: a request made by the server, on a new even stream.
      const s = this.open(promised, ts);
      if (s === null) return;
      s.req = newMessage(true, ts);
      this.fillRequest(s, hs, size, incomplete, bad);
      s.reqEnded = true;
      s.promisedOn = streamId;
      return;
    }
    const s = this.streamFor(d, streamId, ts, true);
    if (s === null) return;
    if (d.isClient) {
      if (s.req === null || (s.reqIncomplete && s.req.headersSize === 0 && s.req.bodySize === 0)) {
        s.req = newMessage(true, ts);
        s.reqIncomplete = false;
        this.fillRequest(s, hs, size, incomplete, bad);
      } else {
        this.trailers(s.req, hs, bad, incomplete, s, true);
      }
      if (endStream) s.reqEnded = true;
    } else {
      const status = Number(hs.status);
      if (s.res === null && hs.status !== '' && status >= 100 && status < 200) {
        if ((s.informational ??= []).length < MAX_INFORMATIONAL) s.informational.push(status);
        else this.ctx.weird('http2_informational_limit');
        return;
      }
      if (s.res === null || (s.resIncomplete && s.res.headersSize === 0 && s.res.bodySize === 0)) {
        const m = s.res = newMessage(false, ts);
        s.resIncomplete = incomplete;
        m.status = hs.status === '' ? 0 : status;
        m.headers = hs.record;
        m.headersSize = size;
        if (bad) m.flag('violation');
        if (s.resGrpc === null && (s.reqGrpc !== null || isGrpcContentType(mediaOf(hs.record['content-type'])))) s.resGrpc = new GrpcSplitter(this.ctx.options.maxBodyBytes);
      } else {
        this.trailers(s.res, hs, bad, incomplete, s, false);
      }
      if (endStream) s.resEnded = true;
    }
    this.maybeEmit(s);
  }

  private fillRequest(s: H2Stream, hs: ReturnType<typeof splitHeaders>, size: number, incomplete: boolean, bad: boolean): void {
    const m = s.req!;
    m.method = hs.method;
    m.target = hs.path;
    m.headers = hs.record;
    m.headersSize = size;
    s.scheme = hs.scheme;
    s.authority = hs.authority;
    s.reqIncomplete = incomplete;
    if (bad) m.flag('violation');
    if (isGrpcContentType(mediaOf(hs.record['content-type']))) s.reqGrpc = new GrpcSplitter(this.ctx.options.maxBodyBytes);
  }

  private trailers(m: import('../http1/message.js').HttpMessage, hs: ReturnType<typeof splitHeaders>, bad: boolean, incomplete: boolean, s: H2Stream, isClient: boolean): void {
    // One trailer block per side (RFC 9113 §8.1); more are counted and dropped (bounded memory).
    if (m.trailers !== null) { this.ctx.weird('http2_extra_header_block'); m.flag('violation'); return; }
    m.trailers = hs.record;
    if (bad) m.flag('violation');
    if (incomplete) { if (isClient) s.reqIncomplete = true; else s.resIncomplete = true; }
  }

  private settings(d: Direction, h: FrameHeader, p: Uint8Array): void {
    if ((h.flags & 1) !== 0) return; // ACK
    const other = d === this.client ? this.server : this.client;
    for (let i = 0; i + 6 <= p.length; i += 6) {
      const id = (p[i] << 8) | p[i + 1];
      const v = ((p[i + 2] << 24) >>> 0) + ((p[i + 3] << 16) | (p[i + 4] << 8) | p[i + 5]);
      // The sender of SETTINGS limits what the other direction may send.
      if (id === SETTINGS_HEADER_TABLE_SIZE) other.hpack.setAdvertised(v);
      else if (id === SETTINGS_MAX_FRAME_SIZE && v >= DEFAULT_MAX_FRAME_SIZE) other.maxFrame = Math.min(v, MAX_FRAME_SIZE_CAP);
    }
  }

  private rstStream(d: Direction, h: FrameHeader, p: Uint8Array, _ts: number): void {
    const s = this.streams.get(h.streamId);
    if (s === undefined || p.length < 4) return;
    const code = ((p[0] << 24) >>> 0) + ((p[1] << 16) | (p[2] << 8) | p[3]);
    s.reset = { errorCode: errorName(code), by: d.isClient ? 'client' : 'server', frame: 'RST_STREAM' };
    this.ctx.weird('http2_rst_stream');
    this.streams.delete(s.id);
    this.emit(s);
  }

  private goAway(d: Direction, p: Uint8Array, _ts: number): void {
    if (p.length < 8) return;
    const last = ((p[0] & 0x7f) * 0x1000000) + ((p[1] << 16) | (p[2] << 8) | p[3]);
    const code = ((p[4] << 24) >>> 0) + ((p[5] << 16) | (p[6] << 8) | p[7]);
    const by = d.isClient ? 'client' : 'server';
    this.goaway = { code, by };
    this.ctx.weird('http2_goaway');
    // Streams the receiver opened past `last` were not processed and never will be.
    const receiverParity = d.isClient ? 0 : 1;
    for (const s of [...this.streams.values()].sort((a, b) => a.id - b.id)) {
      if (s.id > last && (s.id & 1) === receiverParity) {
        s.reset = { errorCode: errorName(code), by, frame: 'GOAWAY' };
        this.streams.delete(s.id);
        this.emit(s);
      }
    }
  }

  // --- DATA ---------------------------------------------------------------

  data(d: Direction, id: number, data: Uint8Array, ts: number): void {
    const s = this.streamFor(d, id, ts, true);
    if (s === null) return;
    const m = s.side(d.isClient, ts);
    addData(m, data, this.ctx.options.maxBodyBytes, ts);
    const g = s.splitter(d.isClient);
    if (g !== null) g.feed(data);
  }

  dataEnd(d: Direction, h: FrameHeader, ts: number): void {
    if ((h.flags & FLAG_END_STREAM) === 0) return;
    const s = this.streamFor(d, h.streamId, ts, true);
    if (s === null) return;
    const m = s.side(d.isClient, ts);
    m.lastTs = ts;
    if (d.isClient) s.reqEnded = true; else s.resEnded = true;
    this.maybeEmit(s);
  }

  dataLost(d: Direction, id: number, n: number, ts: number): void {
    const s = this.streams.get(id);
    if (s === undefined) return;
    s.side(d.isClient, ts).addGap(n);
    s.flag('gap');
    s.splitter(d.isClient)?.lost(n);
  }

  frameLost(d: Direction, h: FrameHeader, ts: number): void {
    if (h.length > MAX_CONTROL_PAYLOAD_BYTES) this.ctx.weird('http2_control_frame_limit');
    if (h.type === FrameType.HEADERS || h.type === FrameType.CONTINUATION || h.type === FrameType.PUSH_PROMISE) {
      d.hpack.lose();
      d.block = null;
      const s = this.streams.get(h.streamId);
      if (s !== undefined) { s.flag('gap'); if (d.isClient) s.reqIncomplete = true; else s.resIncomplete = true; }
    }
    void ts;
  }

  desync(d: Direction, reason: string, _ts: number): void {
    this.ctx.weird(`http2_desync_${reason.replace('-', '_')}`);
    d.hpack.lose();
    d.block = null;
    if (reason === 'gap') for (const s of this.streams.values()) if (!(d.isClient ? s.reqEnded : s.resEnded)) s.flag('gap');
  }

  // --- streams ------------------------------------------------------------

  /** The stream for a frame, opened when new; null for a stream already emitted. */
  private streamFor(d: Direction, id: number, ts: number, create: boolean): H2Stream | null {
    const s = this.streams.get(id);
    if (s !== undefined) return s;
    if (!create || id === 0) return null;
    if (id <= this.highest[id & 1]!) return null; // closed: emitted already
    const opened = this.open(id, ts);
    if (opened !== null && !d.isClient && (id & 1) === 1) opened.flag('no-request');
    return opened;
  }

  private open(id: number, _ts: number): H2Stream | null {
    if (this.streams.has(id) || id <= this.highest[id & 1]!) return this.streams.get(id) ?? null;
    this.highest[id & 1] = id;
    const s = new H2Stream(id);
    this.streams.set(id, s);
    if (this.streams.size > MAX_OPEN_STREAMS) {
      this.ctx.weird('http2_open_streams_limit');
      const oldest = this.streams.values().next().value as H2Stream;
      this.streams.delete(oldest.id);
      this.emit(oldest);
    }
    return s;
  }

  private maybeEmit(s: H2Stream): void {
    if (!s.done) return;
    this.streams.delete(s.id);
    this.emit(s);
  }

  private emit(s: H2Stream): void {
    this.ctx.emit(buildEntry(this.ctx, s));
  }

  private violation(_d: Direction, id: number, name: string): void {
    this.ctx.weird(name);
    const s = this.streams.get(id);
    if (s !== undefined) s.flag('violation');
  }
}

function mediaOf(ct: string | undefined): string | undefined {
  if (ct === undefined) return undefined;
  const semi = ct.indexOf(';');
  return (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase();
}

/**
 * Client bytes: the connection preface (its first 4 bytes suffice; 'more' before).
 * Server bytes: the server preface, a non-ACK SETTINGS frame on stream 0.
 */
/** Bytes of the preface that make a match. */
const PREFACE_MATCH_BYTES = 4;

export function detectHttp2(data: Uint8Array, isClient: boolean): DetectResult {
  if (isClient) {
    const n = Math.min(data.length, PREFACE_BYTES.length);
    for (let i = 0; i < n; i++) if (data[i] !== PREFACE_BYTES[i]) return 'no';
    // "PRI " is enough: RFC 9113 §3.4 reserved the method for the preface, and HTTP/1's
    // detection takes "PRI *" for a request of an unknown method one byte later.
    return n >= PREFACE_MATCH_BYTES ? 'match' : 'more';
  }
  const want = [0, -1, -1, FrameType.SETTINGS, 0, 0, 0, 0, 0];
  const n = Math.min(data.length, 9);
  for (let i = 0; i < n; i++) if (want[i]! >= 0 && data[i] !== want[i]) return 'no';
  if (n < 9) return 'more';
  const len = (data[1] << 8) | data[2];
  return len % 6 === 0 && len <= 6 * 64 ? 'match' : 'no';
}

export const http2Spec: StreamDissectorSpec & UpgradeTarget = {
  name: 'http2',
  ports: [80, 8080, 50051],
  transport: 'tcp',
  detect: detectHttp2,
  create: (ctx) => new Http2Dissector(ctx),
  // HTTP/1.1 `Upgrade: h2c`: after the 101 the client sends the preface and both sides speak HTTP/2.
  // Stream 1's request was the HTTP/1.1 request (already an http entry); its answer comes on stream 1.
  upgradeTokens: ['h2c'],
  upgrade: (ctx) => new Http2Dissector(ctx),
};
