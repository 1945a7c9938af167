/**
 * AMQP entries: one method (with its content, when it carries one) and the
 * method that answers it. Synchronous methods (queue.declare …) are paired
 * with their -ok reply; asynchronous ones (basic.publish, basic.deliver,
 * basic.ack …) are entries without a response. `src` is the side that sent
 * the request: the server for basic.deliver, connection.start, a server's
 * channel.close.
 */
import type { EntryBase, EntryFlag } from '../../entries/types.js';
import { elapsedMs } from '../../entries/time.js';
import type { ConnectionContext } from '../types.js';
import type { AmqpProperties } from './decode.js';
import type { AmqpValue } from './wire.js';

export type { AmqpProperties } from './decode.js';
export type { AmqpValue } from './wire.js';

export interface AmqpBody {
  /** Body size announced by the content header (the true size even when truncated). */
  size: number;
  /** Kept bytes as UTF-8 text, or base64 when they are not valid UTF-8. */
  content: string;
  encoding: 'text' | 'base64';
  /** Only the first maxBodyBytes were kept, or the body was cut by a gap or the end. */
  truncated: boolean;
}

export interface AmqpMessage {
  /** "class.method", e.g. "basic.publish", "queue.declare-ok". */
  method: string;
  /** Every argument of the method (reserved fields dropped; SASL responses as "<n bytes>"). */
  arguments: Record<string, AmqpValue>;
  exchange?: string;
  routingKey?: string;
  queue?: string;
  consumerTag?: string;
  deliveryTag?: number;
  /** Content header properties (basic.publish, deliver, return, get-ok). */
  properties?: AmqpProperties;
  /** Content body, bounded by maxBodyBytes. */
  body?: AmqpBody;
}

export interface AmqpEntry extends EntryBase {
  protocol: 'amqp';
  transport: 'tcp';
  /** Channel number of the exchange (0: the connection itself). */
  channel: number;
  request: AmqpMessage | null;
  response: AmqpMessage | null;
}

/** One method seen on the wire and what answers it, kept until it can be emitted. */
export interface AmqpExchange {
  channel: number;
  /** Did ctx.client send the request (or, without a request, not send the response)? */
  fromClient: boolean;
  ts: number;
  endTs: number;
  request: AmqpMessage | null;
  response: AmqpMessage | null;
  flags: EntryFlag[];
  /** Complete: answered, asynchronous and whole, or given up. */
  ready: boolean;
}

export function addFlag(flags: EntryFlag[], flag: EntryFlag): void {
  if (!flags.includes(flag)) flags.push(flag);
}

/** Method arguments promoted to top-level message fields. */
export function toMessage(method: string, args: Record<string, AmqpValue>): AmqpMessage {
  const m: AmqpMessage = { method, arguments: args };
  if (typeof args.exchange === 'string') m.exchange = args.exchange;
  else if (typeof args.source === 'string') m.exchange = args.source;
  if (typeof args.routingKey === 'string') m.routingKey = args.routingKey;
  if (typeof args.queue === 'string') m.queue = args.queue;
  if (typeof args.consumerTag === 'string') m.consumerTag = args.consumerTag;
  if (typeof args.deliveryTag === 'number') m.deliveryTag = args.deliveryTag;
  return m;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function toBody(size: number, kept: Uint8Array, truncated: boolean): AmqpBody {
  try {
    return { size, content: utf8.decode(kept), encoding: 'text', truncated };
  } catch {
    return { size, content: Buffer.from(kept.buffer, kept.byteOffset, kept.length).toString('base64'), encoding: 'base64', truncated };
  }
}

export function buildAmqpEntry(ctx: ConnectionContext, x: AmqpExchange): AmqpEntry {
  return {
    id: ctx.nextEntryId(),
    protocol: 'amqp',
    transport: 'tcp',
    timestamp: x.ts,
    elapsedTime: x.request !== null && x.response !== null ? elapsedMs(x.ts, x.endTs) : 0,
    src: x.fromClient ? ctx.client : ctx.server,
    dst: x.fromClient ? ctx.server : ctx.client,
    connectionId: ctx.id,
    flags: x.flags,
    channel: x.channel,
    request: x.request,
    response: x.response,
  };
}
