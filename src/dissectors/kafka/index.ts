/**
 * Kafka (port 9092): the binding. Each direction is split into frames
 * (framer.ts); client frames are requests (parser.ts), server frames are
 * responses, paired by correlation id. Responses name no API, so the api key
 * and version of each request wait in a bounded pending map until its
 * response comes; Produce with acks=0 gets no response and is emitted at once.
 *
 * Anomalies are counted with ctx.weird():
 *   kafka_bad_request_header   a client frame too short for a request header (dropped)
 *   kafka_short_body           a body that ended before its decoder (entry flagged `violation`, or `truncated` when the frame was cut)
 *   kafka_array_limit          an array or string longer than the reader keeps
 *   kafka_frame_truncated      a frame over MAX_KEPT_FRAME_BYTES or cut by the end of its direction
 *   kafka_resync_dropped       bytes dropped while looking for a frame start (after a gap or a bad size)
 *   kafka_bad_frame_size       a size prefix out of range
 *   kafka_gap                  bytes lost; a partial frame was dropped
 *   kafka_unmatched_response   a response to no pending request (entry flagged `no-request`)
 *   kafka_duplicate_correlation_id  a request reused a pending correlation id (the older one is emitted unanswered)
 *   kafka_pending_limit        MAX_PENDING_REQUESTS reached: the oldest is emitted unanswered
 */
import type { Entry, EntryFlag } from '../../entries/types.js';
import type { ConnectionContext, StreamDissector, StreamDissectorSpec } from '../types.js';
import { apiName, errorName } from './apis.js';
import { detectKafka, MIN_REQUEST_FRAME, MIN_RESPONSE_FRAME, REQUEST_HEADER_PROBE, requestStartsAt } from './detect.js';
import { buildKafkaEntry, type KafkaRequest, type SeenRequest, type SeenResponse } from './entry.js';
import { type Frame, KafkaFramer } from './framer.js';
import { parseRequestBody, parseRequestHeader, parseResponseBody } from './parser.js';

export type { KafkaEntry, KafkaRequest, KafkaResponse, KafkaTopic, KafkaPartition, KafkaBroker, KafkaApiRange } from './entry.js';
export { apiName, errorName } from './apis.js';

export const KAFKA_PORT = 9092;
/** Requests waiting for a response on one connection; beyond it the oldest is emitted unanswered. */
export const MAX_PENDING_REQUESTS = 1024;
/** Largest jump in correlation id accepted when resyncing the client side (requests lost in a gap). */
export const MAX_CORRELATION_STEP = 4096;
/** Client bytes dropped while resyncing after which the correlation id rule is dropped. */
export const CORRELATION_RELAX_BYTES = 64 * 1024;
/** Bytes a response start needs for resync: size + correlation id. */
const RESPONSE_PROBE = 8;

class KafkaDissector implements StreamDissector {
  /** correlation id → request, in arrival order (Map keeps insertion order). */
  private readonly pending = new Map<number, SeenRequest>();
  private readonly framers: [KafkaFramer, KafkaFramer];
  private readonly gapPending = [false, false];
  private readonly dropped = [0, 0];
  private lastTs = 0;
  /** Correlation id of the last request seen; -1 before the first. */
  private lastCorrelationId = -1;
  /** Client bytes dropped before the current resync began. */
  private resyncMark = 0;

  constructor(private readonly ctx: ConnectionContext) {
    // Both framers start by looking for a frame start: a stream may begin mid-way (the first bytes then count as resync drops).
    const server = new KafkaFramer((f) => this.response(f), (b, at) => this.responseStartsAt(b, at), MIN_RESPONSE_FRAME, RESPONSE_PROBE, true);
    const client = new KafkaFramer((f) => this.request(f), (b, at) => this.requestStartsAt(b, at), MIN_REQUEST_FRAME, REQUEST_HEADER_PROBE, true);
    this.framers = [server, client];
  }

  deliver(data: Uint8Array, isClient: boolean, ts: number): void {
    const side = isClient ? 1 : 0;
    this.lastTs = ts;
    const framer = this.framers[side];
    const bad = framer.counters.badSizes;
    framer.push(data, ts);
    if (framer.counters.badSizes > bad) this.ctx.weird('kafka_bad_frame_size');
    this.noteDropped(side);
  }

  gap(_length: number, isClient: boolean): void {
    const side = isClient ? 1 : 0;
    if (side === 1) this.resyncMark = this.framers[1].counters.droppedBytes;
    if (this.framers[side].gap()) this.ctx.weird('kafka_gap');
    this.gapPending[side] = true;
  }

  end(isClient: boolean): void {
    const framer = this.framers[isClient ? 1 : 0];
    if (framer.inFrame && framer.flush()) this.ctx.weird('kafka_frame_truncated');
  }

  close(): void {
    this.end(true);
    this.end(false);
    for (const req of this.pending.values()) this.emit(req, null, ['no-response']);
    this.pending.clear();
  }

  private noteDropped(side: number): void {
    const d = this.framers[side].counters.droppedBytes;
    if (d > this.dropped[side]!) { this.ctx.weird('kafka_resync_dropped'); this.dropped[side] = d; }
  }

  /**
   * A request start for resync: a plausible header whose correlation id
   * follows the last one seen (clients number requests upwards on a
   * connection), so that bytes inside a request are not taken for a header.
   */
  private requestStartsAt(b: Uint8Array, at: number): boolean {
    if (!requestStartsAt(b, at)) return false;
    if (this.lastCorrelationId < 0) return true;
    // Many requests lost (or ids wrapped): after CORRELATION_RELAX_BYTES dropped, any plausible header will do.
    if (this.framers[1].counters.droppedBytes - this.resyncMark > CORRELATION_RELAX_BYTES) return true;
    const corr = (b[at + 8]! << 24) | (b[at + 9]! << 16) | (b[at + 10]! << 8) | b[at + 11]!;
    return corr > this.lastCorrelationId && corr - this.lastCorrelationId <= MAX_CORRELATION_STEP;
  }

  private responseStartsAt(b: Uint8Array, at: number): boolean {
    const size = (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
    if (size < MIN_RESPONSE_FRAME) return false;
    const corr = (b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!;
    return this.pending.has(corr);
  }

  private takeGapFlag(side: number, flags: EntryFlag[]): void {
    if (this.gapPending[side]) { flags.push('gap'); this.gapPending[side] = false; }
  }

  private request(f: Frame): void {
    const h = parseRequestHeader(f.bytes);
    if (h === null) { this.ctx.weird('kafka_bad_request_header'); return; }
    const flags: EntryFlag[] = [];
    this.takeGapFlag(1, flags);
    const d = parseRequestBody(f.bytes, h);
    this.bodyFlags(f, d.short, d.limited, flags);
    const request: KafkaRequest = {
      apiKey: h.apiKey, apiName: apiName(h.apiKey), apiVersion: h.apiVersion, correlationId: h.correlationId, clientId: h.clientId, size: f.size, ...d.body,
    };
    const seen: SeenRequest = { request, ts: f.startTs, flags };
    this.lastCorrelationId = h.correlationId;
    if (h.apiKey === 0 && d.body.acks === 0 && !d.short) { this.emit(seen, null); return; } // Produce acks=0: no response
    const older = this.pending.get(h.correlationId);
    if (older !== undefined) {
      this.ctx.weird('kafka_duplicate_correlation_id');
      this.pending.delete(h.correlationId);
      this.emit(older, null, ['no-response']);
    }
    if (this.pending.size >= MAX_PENDING_REQUESTS) {
      this.ctx.weird('kafka_pending_limit');
      const [oldestId, oldest] = this.pending.entries().next().value as [number, SeenRequest];
      this.pending.delete(oldestId);
      this.emit(oldest, null, ['no-response']);
    }
    this.pending.set(h.correlationId, seen);
  }

  private response(f: Frame): void {
    const flags: EntryFlag[] = [];
    this.takeGapFlag(0, flags);
    const correlationId = f.bytes.length >= 4 ? new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getInt32(0) : -1;
    const req = this.pending.get(correlationId);
    if (req === undefined) {
      this.ctx.weird('kafka_unmatched_response');
      this.emit(null, { response: { correlationId, size: f.size, errorCode: 0, errorName: 'NONE' }, ts: this.lastTs, flags }, ['no-request']);
      return;
    }
    this.pending.delete(correlationId);
    // Responses before this one that never came (Kafka answers in order on a connection) stay pending until close.
    const d = parseResponseBody(f.bytes, req.request.apiKey, req.request.apiVersion);
    this.bodyFlags(f, d.short, d.limited, flags);
    const response = { correlationId, size: f.size, ...d.body, errorName: errorName(d.body.errorCode) };
    this.emit(req, { response, ts: this.lastTs, flags });
  }

  private bodyFlags(f: Frame, short: boolean, limited: boolean, flags: EntryFlag[]): void {
    if (f.truncated) { this.ctx.weird('kafka_frame_truncated'); flags.push('truncated'); }
    if (short && !f.truncated) { this.ctx.weird('kafka_short_body'); flags.push('violation'); }
    if (limited) this.ctx.weird('kafka_array_limit');
  }

  private emit(req: SeenRequest | null, res: SeenResponse | null, extra: EntryFlag[] = []): void {
    this.ctx.emit(buildKafkaEntry(this.ctx, req, res, extra));
  }
}

export const kafkaSpec: StreamDissectorSpec = {
  name: 'kafka',
  transport: 'tcp',
  ports: [KAFKA_PORT],
  detect: detectKafka,
  create: (ctx) => new KafkaDissector(ctx),
};
