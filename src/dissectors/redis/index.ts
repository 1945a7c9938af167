/**
 * Redis (RESP2 and RESP3) over TCP. The binding: each direction's bytes go
 * through a streaming RespReader (parser.ts); client messages become
 * requests and server messages replies, paired in order (exchanges.ts).
 *
 * Anomalies are counted with ctx.weird():
 *   redis_<reason>             a grammar error (bad-type, bad-length, line-too-long,
 *                              bad-bulk-end, too-deep, inline-after-multibulk); the
 *                              reader skips to the next line and resyncs
 *   redis_client_gap / redis_server_gap   bytes lost in one direction
 *   redis_partial_message_at_end          a message cut by the end of its direction
 *   redis_inline_unknown       an inline line that names no known command (dropped
 *                              before the first request, kept after it)
 *   redis_empty_command, redis_bad_request, redis_reply_without_request,
 *   redis_pending_limit        (exchanges.ts)
 */
import type { ConnectionContext, StreamDissector, StreamDissectorSpec } from '../types.js';
import { detectRedis } from './detect.js';
import { RedisExchanges } from './exchanges.js';
import { RespReader } from './parser.js';

export type { RedisEntry, RedisRequest, RedisResponse, RedisValueType } from './entry.js';
export { RespReader } from './parser.js';
export type { RespMessage, RespValue, RespType } from './parser.js';

class RedisStreamDissector implements StreamDissector {
  private readonly exchanges: RedisExchanges;
  /** Index 1: bytes sent by ctx.client; index 0: by ctx.server. */
  private readonly readers: [RespReader, RespReader];
  private readonly ended = [false, false];

  constructor(private readonly ctx: ConnectionContext) {
    const ex = new RedisExchanges(ctx);
    this.exchanges = ex;
    const weird = (reason: string): void => ctx.weird(`redis_${reason.replace(/-/g, '_')}`);
    this.readers = [
      new RespReader(false, { message: (m) => ex.serverMessage(m), error: weird }),
      new RespReader(true, { message: (m) => ex.clientMessage(m), error: weird }),
    ];
  }

  deliver(data: Uint8Array, isClient: boolean, ts: number): void {
    this.readers[isClient ? 1 : 0].push(data, ts);
  }

  gap(length: number, isClient: boolean): void {
    this.ctx.weird(isClient ? 'redis_client_gap' : 'redis_server_gap');
    // Inside a bulk payload the framing survives: only that message is marked.
    if (this.readers[isClient ? 1 : 0].gap(length)) return;
    if (isClient) {
      this.exchanges.clientGap();
    } else {
      this.exchanges.serverGap();
    }
  }

  end(isClient: boolean): void {
    const side = isClient ? 1 : 0;
    if (this.ended[side]) return;
    this.ended[side] = true;
    if (this.readers[side].partial) this.ctx.weird('redis_partial_message_at_end');
  }

  close(ts: number): void {
    this.end(true);
    this.end(false);
    this.exchanges.close(this.readers[0].partial);
    void ts;
  }
}

export const redisSpec: StreamDissectorSpec = {
  name: 'redis',
  transport: 'tcp',
  ports: [6379],
  detect: detectRedis,
  create: (ctx) => new RedisStreamDissector(ctx),
};
