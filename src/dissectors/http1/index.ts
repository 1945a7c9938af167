/**
 * HTTP/1.x binding: one request parser (client bytes) and one response parser
 * (server bytes) per connection, paired FIFO into entries.
 *
 * 1. A request joins the queue when its head is parsed, so a response (or a
 *    100 Continue) can pair with it while its body is still arriving.
 * 2. A final response pairs with the oldest request still without one; 1xx
 *    responses other than 101 are recorded on that exchange as informational.
 *    A response with no request waiting becomes an entry flagged 'no-request'.
 * 3. An exchange is emitted, in queue order, once both its messages are whole.
 * 4. After a CONNECT or Upgrade request the client parser holds later bytes
 *    until the response decides: 101 ('upgrade') or 2xx to CONNECT ('tunnel')
 *    stops both parsers and sets `upgradedTo` (the hand-off point for a
 *    WebSocket or tunnel dissector); any other status resumes parsing.
 * 5. At close(), requests still waiting become entries flagged 'no-response'.
 * 6. Hand-off: after a 101 the dissector sets `handOff` (the Upgrade token,
 *    both heads, and the server bytes that followed the 101 in the same
 *    segment); the TCP connection then gives the rest of the stream to the
 *    spec registered under that token, if any (src/tcp/connection.ts).
 */
import type { ConnectionContext, DetectResult, StreamDissector, StreamDissectorSpec } from '../types.js';
import { MAX_PAUSED_BYTES } from './parser.js';
import { buildHttpEntry, type Exchange } from './entry.js';
import type { HttpMessage } from './message.js';
import { MessageParser } from './parser.js';
import { httpSlashPrefix, strictRequestPrefix } from './start-line.js';

/** Requests waiting for a response (pipelining depth) before the oldest is given up. */
export const MAX_PENDING_EXCHANGES = 1024;

/** What an HTTP/1 connection hands over after 101 Switching Protocols. */
export interface UpgradeHandOff {
  /** Lower-cased Upgrade token of the response (else the request): 'websocket', 'h2c', … */
  protocol: string;
  /** Heads of the upgrade exchange (the request's is empty when it was not captured). */
  requestHeaders: Readonly<Record<string, string>>;
  responseHeaders: Readonly<Record<string, string>>;
  /** Bytes of each direction already past the switch (copies). */
  client: Uint8Array;
  server: Uint8Array;
}

/** A spec that can take a connection over after an HTTP/1 upgrade (see UpgradeHandOff). */
export interface UpgradeTarget {
  upgrade(ctx: ConnectionContext, handOff: UpgradeHandOff): StreamDissector;
  /** Upgrade tokens this spec takes besides its own name (HTTP/2: "h2c"). */
  upgradeTokens?: readonly string[];
}

interface Pending extends Exchange {
  requestDone: boolean;
  responseDone: boolean;
}

export class Http1Dissector implements StreamDissector {
  /**
   * What the connection switched to after this dissector stopped: the Upgrade
   * token of a 101 ('websocket', 'h2c', …), 'tunnel' after a CONNECT, or null.
   */
  upgradedTo: string | null = null;
  /** Set once by a 101: read (and cleared) by the connection after deliver(). */
  handOff: UpgradeHandOff | null = null;
  /** Client bytes delivered while the request parser was paused (copy, up to MAX_PAUSED_BYTES): frames sent before the 101. */
  private heldClient: Uint8Array[] = [];
  private heldClientBytes = 0;
  readonly requests: MessageParser;
  readonly responses: MessageParser;
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  private sawResponse = false;

  constructor(private readonly ctx: ConnectionContext) {
    const max = ctx.options.maxBodyBytes;
    const weird = (name: string): void => ctx.weird(name);
    this.requests = new MessageParser(true, {
      head: (m) => this.requestHead(m),
      message: (m) => this.requestDone(m),
      weird,
      simpleResponseAllowed: () => false,
    }, max);
    this.responses = new MessageParser(false, {
      head: (m) => this.responseHead(m),
      message: (m) => this.responseDone(m),
      weird,
      simpleResponseAllowed: () => this.simpleResponseAllowed(),
    }, max);
  }

  deliver(data: Uint8Array, isClient: boolean, ts: number): void {
    if (isClient && this.requests.paused && this.heldClientBytes + data.length <= MAX_PAUSED_BYTES) {
      this.heldClient.push(Uint8Array.prototype.slice.call(data)); // copy: kept until the response decides
      this.heldClientBytes += data.length;
    }
    if (isClient || this.upgradedTo !== null) { (isClient ? this.requests : this.responses).feed(data, ts); return; }
    // A stopped parser counts the bytes it ignores: those that follow the 101 in this segment belong to the new protocol.
    const before = this.responses.counters.ignoredBytes;
    this.responses.feed(data, ts);
    if (this.handOff !== null) {
      const rest = this.responses.counters.ignoredBytes - before;
      this.handOff.server = Uint8Array.prototype.slice.call(data, data.length - rest); // copy: outlives this call
    }
  }

  gap(length: number, isClient: boolean, ts: number): void {
    (isClient ? this.requests : this.responses).gap(length, ts);
  }

  end(isClient: boolean, ts: number): void {
    (isClient ? this.requests : this.responses).end(ts);
    this.flush(false);
  }

  close(ts: number): void {
    this.requests.end(ts);
    this.responses.end(ts);
    this.flush(true);
  }

  private requestHead(m: HttpMessage): void {
    const ex: Pending = { request: m, response: null, informational: null, flags: [], requestDone: false, responseDone: false };
    this.current = ex;
    this.queue.push(ex);
    if (this.queue.length > MAX_PENDING_EXCHANGES) {
      this.ctx.weird('http_pending_limit');
      const old = this.queue.shift()!;
      if (old.response === null) old.flags.push('no-response');
      this.ctx.emit(buildHttpEntry(this.ctx, old));
    }
  }

  private requestDone(m: HttpMessage): void {
    const ex = this.current;
    if (ex === null || ex.request !== m) return;
    this.current = null;
    ex.requestDone = true;
    if (m.version !== 'HTTP/0.9' && (m.method === 'CONNECT' || wantsUpgrade(m))) this.requests.pause();
    this.flush(false);
  }

  private awaiting(): Pending | null {
    for (const ex of this.queue) if (ex.response === null && ex.request !== null) return ex;
    return null;
  }

  private simpleResponseAllowed(): boolean {
    const ex = this.awaiting();
    return ex !== null && (ex.request!.version === 'HTTP/0.9' || !this.sawResponse);
  }

  private responseHead(m: HttpMessage): void {
    this.sawResponse = true;
    const ex = this.awaiting();
    if (m.status >= 100 && m.status < 200 && m.status !== 101) {
      if (ex !== null) (ex.informational ??= []).push(m.status);
      else this.ctx.weird('http_unsolicited_1xx');
      return;
    }
    if (ex === null) {
      this.queue.push({ request: null, response: m, informational: null, flags: ['no-request'], requestDone: true, responseDone: false });
      return;
    }
    ex.response = m;
    const method = ex.request!.method;
    if (method === 'HEAD') m.bodyless = true;
    else if (method === 'CONNECT' && m.status >= 200 && m.status < 300) m.bodyless = true;
  }

  private responseDone(m: HttpMessage): void {
    if (m.status >= 100 && m.status < 200 && m.status !== 101) return;
    let ex: Pending | null = null;
    for (const e of this.queue) if (e.response === m) { ex = e; break; }
    if (ex === null) return;
    ex.responseDone = true;
    const req = ex.request;
    if (m.status === 101) { // also without its request (capture started mid-way): the switch happened all the same
      const to = (m.headers.upgrade ?? req?.headers.upgrade ?? 'unknown').toLowerCase();
      const client = this.requests.paused ? Buffer.concat(this.heldClient) : new Uint8Array(0);
      this.switchTo(ex, 'upgrade', to);
      this.handOff = { protocol: to, requestHeaders: req?.headers ?? {}, responseHeaders: m.headers, client, server: new Uint8Array(0) };
      this.heldClient = [];
    } else if (req !== null && req.method === 'CONNECT' && m.status >= 200 && m.status < 300) {
      this.switchTo(ex, 'tunnel', 'tunnel');
    } else if (this.requests.paused) {
      this.heldClient = [];
      this.heldClientBytes = 0;
      this.requests.resume(m.lastTs);
    }
    this.flush(false);
  }

  private switchTo(ex: Pending, flag: 'upgrade' | 'tunnel', to: string): void {
    ex.flags.push(flag);
    ex.requestDone = true;
    this.upgradedTo = to;
    this.requests.stop();
    this.responses.stop();
    this.ctx.weird(flag === 'upgrade' ? 'http_upgrade' : 'http_tunnel');
  }

  /** Emit finished exchanges in queue order; at close, all of them. */
  private flush(all: boolean): void {
    const q = this.queue;
    while (q.length > 0) {
      const ex = q[0];
      if (!all && !(ex.requestDone && ex.responseDone)) break;
      q.shift();
      if (ex.response === null) ex.flags.push('no-response');
      this.ctx.emit(buildHttpEntry(this.ctx, ex));
    }
  }
}

/** Does this request ask to switch protocols (RFC 9110 §7.8)? */
function wantsUpgrade(m: HttpMessage): boolean {
  const up = m.headers.upgrade;
  const conn = m.headers.connection;
  return typeof up === 'string' && typeof conn === 'string' && conn.toLowerCase().includes('upgrade');
}

/**
 * Client bytes: a request line that is plainly HTTP (see strictRequestPrefix).
 * Server bytes: "HTTP/". 'more' while the bytes could still become either.
 */
export function detectHttp1(data: Uint8Array, isClient: boolean): DetectResult {
  return isClient ? strictRequestPrefix(data, 0, data.length) : httpSlashPrefix(data, 0, data.length);
}

export const http1Spec: StreamDissectorSpec = {
  name: 'http',
  ports: [80, 8080, 8000, 3000, 5000, 8008, 8888],
  transport: 'tcp',
  detect: detectHttp1,
  create: (ctx) => new Http1Dissector(ctx),
};
