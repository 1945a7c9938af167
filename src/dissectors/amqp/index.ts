/**
 * AMQP 0-9-1 (RabbitMQ): frames (frames.ts) to methods and content
 * (decode.ts), methods to entries (entry.ts). This file is the binding:
 * per direction a FrameReader and the content being assembled per channel;
 * per connection the exchanges waiting for a reply, and the output queue
 * that emits entries in the order their requests were seen.
 *
 * Anomalies counted with ctx.weird():
 *   amqp_violation            a frame broke the grammar (the reader resyncs)
 *   amqp_resync_dropped       bytes skipped while looking for the next frame
 *   amqp_frame_size_limit     a method or header frame past MAX_GATHERED_FRAME_BYTES was skipped
 *   amqp_bad_arguments        a method or header payload did not decode cleanly
 *   amqp_unknown_method       a class/method id the table does not know
 *   amqp_table_limit          MAX_TABLE_DEPTH / MAX_TABLE_ENTRIES hit
 *   amqp_content_incomplete   a method came before the content of the previous one ended
 *   amqp_unexpected_content   a header or body frame with no content method before it
 *   amqp_unsolicited_reply    a reply with no request waiting (capture started mid-way)
 *   amqp_pending_limit        MAX_OPEN_EXCHANGES reached: the oldest is emitted unanswered
 *   amqp_body_limit           a body was kept only up to maxBodyBytes
 *   amqp_version_rejected     the server answered with a protocol header
 */
import type { Entry, EntryFlag } from '../../entries/types.js';
import type { ConnectionContext, StreamDissector, StreamDissectorSpec } from '../types.js';
import { decodeContentHeader, decodeMethod } from './decode.js';
import { detectAmqp } from './detect.js';
import { addFlag, buildAmqpEntry, toBody, toMessage, type AmqpExchange, type AmqpMessage } from './entry.js';
import { FRAME_BODY, FRAME_HEADER, FRAME_METHOD, FrameReader } from './frames.js';

export type { AmqpEntry, AmqpMessage, AmqpBody, AmqpProperties, AmqpValue } from './entry.js';
export { detectAmqp } from './detect.js';

/** Exchanges waiting to be emitted (answered or not); beyond it the oldest is emitted unanswered. */
export const MAX_OPEN_EXCHANGES = 4096;

interface Assembly {
  x: AmqpExchange;
  msg: AmqpMessage;
  /** -1 until the content header arrives. */
  bodySize: number;
  received: number;
  kept: Uint8Array[];
  keptBytes: number;
}

class AmqpDissector implements StreamDissector {
  /** Index 1: sent by ctx.client; index 0: by ctx.server. */
  private readonly readers: [FrameReader, FrameReader];
  private readonly assemblies: [Map<number, Assembly>, Map<number, Assembly>] = [new Map(), new Map()];
  /** Requests waiting for a reply, by channel * 2 + (sent by client ? 1 : 0). */
  private readonly waiting = new Map<number, PendingExchange[]>();
  private readonly out: PendingExchange[] = [];
  private side = 0;
  private ts = 0;

  constructor(private readonly ctx: ConnectionContext) {
    const sink = (side: number) => ({
      frame: (type: number, channel: number, payload: Uint8Array) => this.frame(side, type, channel, payload),
      bodyPart: (channel: number, part: Uint8Array) => this.body(side, channel, part),
      protocolHeader: () => { if (side === 0) ctx.weird('amqp_version_rejected'); },
      violation: () => ctx.weird('amqp_violation'),
    });
    this.readers = [new FrameReader(sink(0), true), new FrameReader(sink(1), true)];
  }

  deliver(data: Uint8Array, isClient: boolean, ts: number): void {
    this.side = isClient ? 1 : 0;
    this.ts = ts;
    const r = this.readers[this.side];
    const hunted = r.counters.huntedBytes;
    const skipped = r.counters.skippedFrames;
    r.push(data);
    if (r.counters.huntedBytes > hunted) this.ctx.weird('amqp_resync_dropped');
    if (r.counters.skippedFrames > skipped) this.ctx.weird('amqp_frame_size_limit');
    this.flush();
  }

  gap(_length: number, isClient: boolean, ts: number): void {
    const side = isClient ? 1 : 0;
    this.readers[side].gap();
    for (const a of [...this.assemblies[side].values()]) this.finishContent(side, a, ts, ['gap', 'truncated']);
    // Replies this side owed may have been in the lost bytes.
    for (const [key, list] of this.waiting) if ((key & 1) !== side) for (const x of list) addFlag(x.flags, 'gap');
    this.flush();
  }

  end(isClient: boolean, ts: number): void {
    const side = isClient ? 1 : 0;
    for (const a of [...this.assemblies[side].values()]) this.finishContent(side, a, ts, ['truncated']);
    this.flush();
  }

  close(ts: number): void {
    this.end(true, ts);
    this.end(false, ts);
    for (const x of this.out) if (!x.ready) this.giveUp(x);
    this.flush();
  }

  private frame(side: number, type: number, channel: number, payload: Uint8Array): void {
    if (type === FRAME_METHOD) this.method(side, channel, payload);
    else if (type === FRAME_HEADER) this.header(side, channel, payload);
    else if (type === FRAME_BODY) this.body(side, channel, payload);
    // Heartbeats carry nothing.
  }

  private method(side: number, channel: number, payload: Uint8Array): void {
    const open = this.assemblies[side].get(channel);
    if (open !== undefined) {
      this.ctx.weird('amqp_content_incomplete');
      this.finishContent(side, open, this.ts, ['truncated', 'violation']);
    }
    const d = decodeMethod(payload);
    const flags: EntryFlag[] = [];
    if (d.spec === undefined) this.ctx.weird('amqp_unknown_method');
    if (d.short || d.badType) { this.ctx.weird('amqp_bad_arguments'); flags.push('violation'); }
    if (d.limited) this.ctx.weird('amqp_table_limit');
    const msg = toMessage(d.name, d.arguments);
    const isClient = side === 1;

    // A reply to a request from the other side on this channel?
    const key = channel * 2 + (1 - side);
    const list = this.waiting.get(key);
    const i = list?.findIndex((x) => x.replyClass === d.classId && x.replies.includes(d.methodId)) ?? -1;
    if (list !== undefined && i >= 0) {
      const x = list[i];
      list.splice(i, 1);
      if (list.length === 0) this.waiting.delete(key);
      x.response = msg;
      for (const f of flags) addFlag(x.flags, f);
      this.afterMessage(side, channel, x, msg, d.spec?.content === true);
      return;
    }
    const isReply = d.spec !== undefined && (/-ok$/.test(d.spec.name) || d.spec.name === 'basic.get-empty');
    const x: PendingExchange = {
      channel, fromClient: isReply ? !isClient : isClient, ts: this.ts, endTs: this.ts,
      request: isReply ? null : msg, response: isReply ? msg : null, flags, ready: false,
      replyClass: d.classId, replies: [],
    };
    if (isReply) { this.ctx.weird('amqp_unsolicited_reply'); addFlag(flags, 'no-request'); }
    this.out.push(x);
    if (this.out.length > MAX_OPEN_EXCHANGES) {
      this.ctx.weird('amqp_pending_limit');
      const head = this.out.find((o) => !o.ready);
      if (head !== undefined) this.giveUp(head);
    }
    const noWait = d.spec?.noWait !== undefined && d.arguments[d.spec.noWait] === true;
    if (!isReply && d.spec !== undefined && d.spec.replies.length > 0 && !noWait) {
      x.replies = d.spec.replies;
      const k = channel * 2 + side;
      const w = this.waiting.get(k);
      if (w === undefined) this.waiting.set(k, [x]); else w.push(x);
      return;
    }
    this.afterMessage(side, channel, x, msg, d.spec?.content === true);
  }

  /** The message is complete unless content (header and body frames) follows. */
  private afterMessage(side: number, channel: number, x: AmqpExchange, msg: AmqpMessage, content: boolean): void {
    x.endTs = this.ts;
    if (!content) { x.ready = true; return; }
    this.assemblies[side].set(channel, { x, msg, bodySize: -1, received: 0, kept: [], keptBytes: 0 });
  }

  private header(side: number, channel: number, payload: Uint8Array): void {
    const a = this.assemblies[side].get(channel);
    if (a === undefined || a.bodySize >= 0) { this.ctx.weird('amqp_unexpected_content'); return; }
    const h = decodeContentHeader(payload);
    if (h.short || h.badType) { this.ctx.weird('amqp_bad_arguments'); addFlag(a.x.flags, 'violation'); }
    if (h.limited) this.ctx.weird('amqp_table_limit');
    a.msg.properties = h.properties;
    a.bodySize = h.bodySize;
    if (h.bodySize === 0) this.finishContent(side, a, this.ts, []);
  }

  private body(side: number, channel: number, payload: Uint8Array): void {
    const a = this.assemblies[side].get(channel);
    if (a === undefined || a.bodySize < 0) { this.ctx.weird('amqp_unexpected_content'); return; }
    const room = this.ctx.options.maxBodyBytes - a.keptBytes;
    if (room > 0 && payload.length > 0) {
      const part = payload.slice(0, room); // copy: the body outlives this frame's bytes
      a.kept.push(part);
      a.keptBytes += part.length;
    }
    a.received += payload.length;
    if (a.received >= a.bodySize) {
      const extra: EntryFlag[] = a.received > a.bodySize ? ['violation'] : [];
      this.finishContent(side, a, this.ts, extra);
    }
  }

  private finishContent(side: number, a: Assembly, ts: number, extra: EntryFlag[]): void {
    this.assemblies[side].delete(a.x.channel);
    const size = a.bodySize >= 0 ? a.bodySize : a.received;
    const cut = a.received < size || extra.includes('truncated');
    const limited = a.keptBytes < Math.min(a.received, size);
    if (limited) { this.ctx.weird('amqp_body_limit'); addFlag(a.x.flags, 'body-truncated'); }
    const kept = a.kept.length === 1 ? a.kept[0] : Buffer.concat(a.kept);
    a.msg.body = toBody(size, kept.subarray(0, Math.min(kept.length, size)), cut || limited);
    for (const f of extra) addFlag(a.x.flags, f);
    a.x.endTs = ts;
    a.x.ready = true;
  }

  /** Emit `x` unanswered: drop it from the waiting lists and open assemblies. */
  private giveUp(x: AmqpExchange): void {
    for (const [key, list] of this.waiting) {
      const i = list.indexOf(x as PendingExchange);
      if (i >= 0) { list.splice(i, 1); if (list.length === 0) this.waiting.delete(key); addFlag(x.flags, 'no-response'); }
    }
    for (const side of [0, 1]) for (const a of [...this.assemblies[side].values()]) if (a.x === x) this.finishContent(side, a, x.endTs, ['truncated']);
    x.ready = true;
  }

  private flush(): void {
    let n = 0;
    while (n < this.out.length && this.out[n].ready) {
      this.ctx.emit(buildAmqpEntry(this.ctx, this.out[n]));
      n++;
    }
    if (n > 0) this.out.splice(0, n);
  }
}

interface PendingExchange extends AmqpExchange {
  /** Class and method ids of the replies it waits for. */
  replyClass: number;
  replies: readonly number[];
}

export const amqpSpec: StreamDissectorSpec = {
  name: 'amqp',
  transport: 'tcp',
  ports: [5672],
  detect: detectAmqp,
  create: (ctx) => new AmqpDissector(ctx),
};
