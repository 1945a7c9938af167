/**
 * The well-behaved traffic every adversarial run carries alongside the
 * attack: a few HTTP/1, HTTP/2 and Redis connections between 10.99.0.x
 * clients and 10.99.1.x servers. Their frames are spread over the whole
 * attack (handshakes before it, exchanges during it, teardowns after), so
 * they are open while the attack fills tables and buffers: a limit that
 * evicts or corrupts a bystander shows up as a missing or flagged entry.
 */
import type { Entry } from '../entries/types.js';
import { tcpConversation } from '../testing/packets.js';
import { TestEncoder, exchange } from '../dissectors/http2/test-support.js';
import { cmd } from '../dissectors/redis/test-support.js';

/** Addresses of the normal connections start with this; attack traffic never uses it. */
export const NORMAL_PREFIX = '10.99.';

export interface NormalConnection {
  client: string;
  protocol: 'http' | 'http2' | 'redis';
  /** Entries the connection must produce, each complete (response present, no flags). */
  exchanges: number;
  frames: Buffer[];
}

function http1(i: number): NormalConnection {
  const client = `10.99.0.${10 + i}`;
  const exchanges: Array<[string, string]> = [];
  for (let j = 0; j < 3; j++) {
    const body = `normal ${i}/${j} ${'x'.repeat(200 + 50 * j)}`;
    exchanges.push([
      `GET /normal/${i}/${j} HTTP/1.1\r\nHost: normal-${i}.test\r\nUser-Agent: podtap-adversarial\r\n\r\n`,
      `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    ]);
  }
  return { client, protocol: 'http', exchanges: exchanges.length, frames: tcpConversation({ client, server: `10.99.1.${10 + i}`, cport: 41_000 + i, sport: 80, exchanges }) };
}

function http2(i: number): NormalConnection {
  const client = `10.99.0.${30 + i}`;
  const ce = new TestEncoder();
  const se = new TestEncoder();
  const a = exchange(ce, se, 1, { path: `/h2/${i}/a`, resBody: 'hello', first: true });
  const b = exchange(ce, se, 3, { method: 'POST', path: `/h2/${i}/b`, reqBody: '{"n":1}', resBody: 'world' });
  const exchanges: Array<[Buffer, Buffer]> = [[a.client, a.server], [b.client, b.server]];
  return { client, protocol: 'http2', exchanges: 2, frames: tcpConversation({ client, server: `10.99.1.${30 + i}`, cport: 42_000 + i, sport: 50051, exchanges }) };
}

function redis(i: number): NormalConnection {
  const client = `10.99.0.${50 + i}`;
  const exchanges: Array<[string, string]> = [[cmd('SET', `k${i}`, 'v'), '+OK\r\n'], [cmd('GET', `k${i}`), '$1\r\nv\r\n']];
  return { client, protocol: 'redis', exchanges: 2, frames: tcpConversation({ client, server: `10.99.1.${50 + i}`, cport: 43_000 + i, sport: 6379, exchanges }) };
}

/** Three HTTP/1 connections, one HTTP/2 and one Redis. */
export function normalConnections(): NormalConnection[] {
  return [http1(0), http1(1), http1(2), http2(0), redis(0)];
}

/**
 * The normal frames in the order they go out: round-robin over the
 * connections, so every one of them is open for the length of the attack.
 */
export function roundRobin(conns: readonly NormalConnection[]): Buffer[] {
  const out: Buffer[] = [];
  const longest = Math.max(...conns.map((c) => c.frames.length));
  for (let k = 0; k < longest; k++) for (const c of conns) if (k < c.frames.length) out.push(c.frames[k]!);
  return out;
}

/** What went wrong with the normal connections' entries; empty when every one is complete. */
export function normalProblems(conns: readonly NormalConnection[], entries: readonly Entry[]): string[] {
  const problems: string[] = [];
  for (const c of conns) {
    const mine = entries.filter((e) => e.src.ip === c.client);
    if (mine.length !== c.exchanges) problems.push(`${c.protocol} ${c.client}: ${mine.length} entries, expected ${c.exchanges}`);
    for (const e of mine) {
      if (e.protocol !== c.protocol) problems.push(`${c.client}: protocol ${e.protocol}, expected ${c.protocol}`);
      if (e.flags.length > 0) problems.push(`${c.client} ${e.id}: flags ${e.flags.join(',')}`);
      if (!('response' in e) || e.response === null) problems.push(`${c.client} ${e.id}: no response`);
    }
  }
  return problems;
}
