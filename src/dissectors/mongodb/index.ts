/**
 * MongoDB wire protocol: messages (framer.ts) decoded (wire.ts, bson.ts),
 * paired by responseTo into entries (entry.ts). This file is the binding:
 * a MessageReader per direction, the requests waiting for their reply by
 * requestID, and the output queue that emits entries in request order.
 *
 * Anomalies counted with ctx.weird():
 *   mongodb_violation        a header broke the grammar (the reader hunts)
 *   mongodb_resync_dropped   bytes skipped while hunting for a header
 *   mongodb_gap_message      a message partly lost in a gap (dropped)
 *   mongodb_malformed        a body that does not follow the grammar
 *   mongodb_truncated        a message decoded only in part (a limit, or cut)
 *   mongodb_not_decoded      OP_COMPRESSED with snappy/zstd, or bad zlib
 *   mongodb_unsolicited_reply  a reply whose responseTo names no request
 *   mongodb_duplicate_request_id  a requestID reused while its reply is awaited
 *   mongodb_pending_limit    MAX_OPEN_EXCHANGES reached: the oldest is emitted unanswered
 *   mongodb_partial_message_at_end  a direction ended inside a message
 */
import type { Entry, EntryFlag } from '../../entries/types.js';
import type { ConnectionContext, DetectResult, StreamDissector, StreamDissectorSpec } from '../types.js';
import { addFlag, buildMongodbEntry, type MongodbExchange, toRequest, toResponse } from './entry.js';
import { MessageReader } from './framer.js';
import { OP_DELETE, OP_INSERT, OP_KILL_CURSORS, OP_UPDATE, parseMessage, plausibleAt } from './wire.js';

export type { MongodbEntry, MongodbRequest, MongodbResponse, MongodbSequence, BsonDocument, BsonValue } from './entry.js';

/** Exchanges waiting to be emitted; beyond it the oldest unanswered is emitted as such. */
export const MAX_OPEN_EXCHANGES = 1024;
/** Legacy opcodes that never get a reply. */
const NO_REPLY_OPS = new Set([OP_UPDATE, OP_INSERT, OP_DELETE, OP_KILL_CURSORS]);

/** A plausible first message from this side (wire.ts plausibleAt). Never throws. */
export function detectMongodb(data: Uint8Array, isClient: boolean): DetectResult {
  const v = plausibleAt(data, 0, data.length, isClient);
  return v === 'yes' ? 'match' : v;
}

class MongodbDissector implements StreamDissector {
  /** Index 1: sent by ctx.client; index 0: by ctx.server. */
  private readonly readers: [MessageReader, MessageReader];
  private readonly waiting = new Map<number, MongodbExchange>();
  private readonly out: MongodbExchange[] = [];
  /** Client bytes were lost since the last request: an unmatched reply may answer a lost request. */
  private clientLost = false;
  /** Exchanges opened for an exhaust reply that may never come. */
  private readonly exhaustTails = new WeakSet<MongodbExchange>();

  constructor(private readonly ctx: ConnectionContext) {
    const sink = (side: number) => ({
      message: (bytes: Uint8Array, size: number, startTs: number, endTs: number) => this.message(side, bytes, size, startTs, endTs),
      violation: () => ctx.weird('mongodb_violation'),
      lost: () => { ctx.weird('mongodb_gap_message'); },
    });
    this.readers = [new MessageReader(sink(0), false), new MessageReader(sink(1), true)];
  }

  deliver(data: Uint8Array, isClient: boolean, ts: number): void {
    const r = this.readers[isClient ? 1 : 0];
    const hunted = r.counters.huntedBytes;
    r.push(data, ts);
    if (r.counters.huntedBytes > hunted) this.ctx.weird('mongodb_resync_dropped');
    this.flush();
  }

  gap(length: number, isClient: boolean): void {
    this.readers[isClient ? 1 : 0].gap(length);
    if (isClient) this.clientLost = true;
    else for (const x of this.waiting.values()) addFlag(x.flags, 'gap'); // their replies may have been lost
  }

  end(isClient: boolean): void {
    if (this.readers[isClient ? 1 : 0].pending()) this.ctx.weird('mongodb_partial_message_at_end');
  }

  close(): void {
    for (const x of this.out) if (!x.ready) this.giveUp(x);
    this.flush();
  }

  private message(side: number, bytes: Uint8Array, size: number, startTs: number, endTs: number): void {
    const m = parseMessage(bytes, size);
    const f: EntryFlag[] = [];
    if (m.malformed) { this.ctx.weird('mongodb_malformed'); f.push('violation'); }
    if (m.truncated) { this.ctx.weird('mongodb_truncated'); f.push('truncated'); }
    if (m.notDecoded) { this.ctx.weird('mongodb_not_decoded'); f.push('body-decode-error'); }
    if (side === 1) {
      const x: MongodbExchange = { ts: startTs, endTs, request: toRequest(m), response: null, flags: f, ready: true };
      this.clientLost = false;
      const noReply = m.notDecoded ? false : m.moreToCome || NO_REPLY_OPS.has(m.opCode);
      if (!noReply) {
        const old = this.waiting.get(m.header.requestId);
        if (old !== undefined) { this.ctx.weird('mongodb_duplicate_request_id'); this.giveUp(old); }
        x.ready = false;
        this.waiting.set(m.header.requestId, x);
      }
      this.push(x);
      return;
    }
    const response = toResponse(m);
    const x = this.waiting.get(m.header.responseTo);
    if (x !== undefined) {
      this.waiting.delete(m.header.responseTo);
      x.response = response;
      x.endTs = endTs;
      x.ready = true;
      for (const g of f) addFlag(x.flags, g);
    } else {
      this.ctx.weird('mongodb_unsolicited_reply');
      f.push('no-request');
      if (this.clientLost) f.push('gap');
      this.push({ ts: startTs, endTs, request: null, response, flags: f, ready: true });
    }
    // An exhaust reply: the server sends more replies, each answering the previous one.
    if (m.moreToCome && (m.header.opCode !== 1)) {
      const next: MongodbExchange = { ts: endTs, endTs, request: x?.request ?? null, response: null, flags: [], ready: false };
      this.exhaustTails.add(next);
      this.waiting.set(m.header.requestId, next);
      this.push(next);
    }
  }

  private push(x: MongodbExchange): void {
    this.out.push(x);
    if (this.out.length > MAX_OPEN_EXCHANGES) {
      this.ctx.weird('mongodb_pending_limit');
      const head = this.out.find((o) => !o.ready);
      if (head !== undefined) this.giveUp(head);
    }
  }

  private giveUp(x: MongodbExchange): void {
    for (const [id, w] of this.waiting) if (w === x) { this.waiting.delete(id); break; }
    addFlag(x.flags, 'no-response');
    x.ready = true;
  }

  private flush(): void {
    let n = 0;
    while (n < this.out.length && this.out[n].ready) {
      const x = this.out[n];
      n++;
      // An exhaust follow-up that never came (the stream ended) is no entry.
      if (x.response === null && x.request !== null && x.flags.length === 1 && x.flags[0] === 'no-response' && this.isExhaustTail(x)) continue;
      // The entry type joins the shared Entry union when registered (src/entries/types.ts).
      this.ctx.emit(buildMongodbEntry(this.ctx, x));
    }
    if (n > 0) this.out.splice(0, n);
  }

  private isExhaustTail(x: MongodbExchange): boolean {
    return this.exhaustTails.has(x);
  }
}

export const mongodbSpec: StreamDissectorSpec = {
  name: 'mongodb',
  transport: 'tcp',
  ports: [27017, 27018, 27019],
  detect: detectMongodb,
  create: (ctx) => new MongodbDissector(ctx),
};
