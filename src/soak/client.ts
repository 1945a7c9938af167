/**
 * A counted client, run as a script inside a pod:
 *   node client.js --id c17 --pod soak/c17 --web IP:PORT --dns IP --redis IP:PORT --postgres IP:PORT --rate 8 [--count 60]
 * Connects to Redis and PostgreSQL, prints `ready`, then makes requests one
 * after another, `rate` a second, in a fixed mix (CYCLE), each with its own
 * request id (request-ids.ts). With --count it stops after that many; without,
 * on SIGTERM/SIGINT (the request in flight finishes first). Either way it
 * prints one line `report <ClientReport JSON>` and exits 0: its own count of
 * what it sent and what was answered, the ground truth the soak checks the
 * hub against. An answer is anything the server sent back for that request
 * (an HTTP status, NXDOMAIN, a Redis nil, a PostgreSQL error all count).
 */
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Resolver } from 'node:dns/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { KINDS, dnsName, httpPath, pgQuery, redisKey, requestId, type ClientReport, type Kind } from './request-ids.js';

/** The mix, repeated: 30% HTTP keep-alive, 10% HTTP new connections, 20% each DNS, Redis, PostgreSQL. */
export const CYCLE: readonly Kind[] = ['http', 'dns', 'redis', 'http', 'postgres', 'http-new', 'http', 'dns', 'redis', 'postgres'];
export const REQUEST_TIMEOUT_MS = 3_000;
/** Errors kept in the report (the rest are counted only). */
const MAX_ERRORS = 10;

const hostPort = (v: string): { host: string; port: number } => {
  const m = /^([\d.]+):(\d+)$/.exec(v);
  if (m === null) throw new Error(`expected ip:port, got "${v}"`);
  return { host: m[1]!, port: Number(m[2]) };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withTimeout<T>(p: Promise<T>, what: string, onTimeout: () => void = () => {}): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => { onTimeout(); reject(new Error(`${what}: timeout`)); }, REQUEST_TIMEOUT_MS); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** One RESP connection, one command at a time: enough for GET. */
class MiniRedis {
  private socket: Socket | null = null;
  private buf = Buffer.alloc(0);
  private waiting: ((reply: string) => void) | null = null;
  constructor(private readonly host: string, private readonly port: number) {}

  async connect(): Promise<void> {
    const s = connect({ host: this.host, port: this.port });
    await withTimeout(new Promise<void>((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); }), 'redis connect', () => s.destroy());
    s.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.check(); });
    s.on('error', () => {});
    s.on('close', () => { if (this.socket === s) this.socket = null; });
    this.socket = s;
    this.buf = Buffer.alloc(0);
  }

  /** A whole reply to GET is a line (`$-1`, `-ERR …`, `+…`) or `$n` plus n bytes and CRLF. */
  private check(): void {
    const nl = this.buf.indexOf('\r\n');
    if (nl < 0 || this.waiting === null) return;
    const head = this.buf.subarray(0, nl).toString('latin1');
    let end = nl + 2;
    if (head.startsWith('$') && Number(head.slice(1)) >= 0) end += Number(head.slice(1)) + 2;
    if (this.buf.length < end) return;
    this.buf = this.buf.subarray(end);
    const w = this.waiting;
    this.waiting = null;
    w(head);
  }

  async get(key: string): Promise<string> {
    if (this.socket === null) await this.connect();
    const s = this.socket!;
    const k = Buffer.from(key);
    const reply = new Promise<string>((resolve) => { this.waiting = resolve; });
    s.write(`*2\r\n$3\r\nGET\r\n$${k.length}\r\n${key}\r\n`);
    // A lost reply leaves the stream out of step: the connection is dropped and the next GET opens a new one.
    return withTimeout(reply, 'redis GET', () => { this.waiting = null; s.destroy(); this.socket = null; });
  }

  close(): void { this.socket?.end(); }
}

async function main(): Promise<void> {
  const { values: f } = parseArgs({
    options: {
      id: { type: 'string' }, pod: { type: 'string', default: '' }, web: { type: 'string' }, dns: { type: 'string' },
      redis: { type: 'string' }, postgres: { type: 'string' }, rate: { type: 'string', default: '5' }, count: { type: 'string', default: '0' },
    },
    strict: true,
  });
  const id = f.id ?? '';
  if (!/^[a-z][a-z0-9]*$/.test(id)) throw new Error('--id: lower-case letters and digits, starting with a letter');
  const web = hostPort(f.web ?? ''), redisAt = hostPort(f.redis ?? ''), pgAt = hostPort(f.postgres ?? '');
  const rate = Number(f.rate), count = Number(f.count);
  const report: ClientReport = {
    client: id, pod: f.pod ?? '', startedAt: Date.now(), endedAt: 0, errors: [],
    kinds: Object.fromEntries(KINDS.map((k) => [k, { sent: 0, answered: 0, unanswered: [] }])) as unknown as ClientReport['kinds'],
  };
  const noteError = (msg: string): void => { if (report.errors.length < MAX_ERRORS) report.errors.push(msg); };

  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const resolver = new Resolver({ timeout: REQUEST_TIMEOUT_MS, tries: 1 });
  resolver.setServers([f.dns ?? '']);
  const redis = new MiniRedis(redisAt.host, redisAt.port);
  let db: pg.Client | null = null;
  const pgConnect = async (): Promise<pg.Client> => {
    const c = new pg.Client({ host: pgAt.host, port: pgAt.port, user: 'postgres', database: 'shop', application_name: `soak-${id}`, query_timeout: REQUEST_TIMEOUT_MS, connectionTimeoutMillis: REQUEST_TIMEOUT_MS });
    c.on('error', () => { if (db === c) db = null; });
    await c.connect();
    return c;
  };
  await redis.connect();
  db = await pgConnect();
  process.stdout.write(`ready ${id}\n`);

  const http = (path: string, keepAlive: boolean, rid: string): Promise<void> => new Promise((resolve, reject) => {
    const req = request({
      host: web.host, port: web.port, path, agent: keepAlive ? agent : false, timeout: REQUEST_TIMEOUT_MS,
      headers: { 'x-request-id': rid, ...(keepAlive ? {} : { connection: 'close' }) },
    }, (res) => { res.resume(); res.on('end', resolve); res.on('error', reject); });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });

  const once = async (kind: Kind, rid: string): Promise<void> => {
    switch (kind) {
      case 'http': return http(httpPath(rid), true, rid);
      case 'http-new': return http(httpPath(rid), false, rid);
      case 'dns':
        try { await resolver.resolve4(dnsName(rid)); } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'ENOTFOUND' && code !== 'ENODATA') throw err; // NXDOMAIN / no data: answered
        }
        return;
      case 'redis': await redis.get(redisKey(rid)); return;
      case 'postgres':
        db ??= await pgConnect();
        try { await db.query(pgQuery(rid)); } catch (err) {
          if (!(err instanceof pg.DatabaseError)) { const c = db; db = null; void c?.end().catch(() => {}); throw err; } // an ErrorResponse is an answer
        }
    }
  };

  let stopping = false;
  const stop = (): void => { stopping = true; };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const interval = 1000 / rate;
  const started = Date.now();
  for (let i = 0; !stopping && (count === 0 || i < count); i++) {
    const wait = started + i * interval - Date.now();
    if (wait > 0) await sleep(wait);
    if (stopping) break;
    const kind = CYCLE[i % CYCLE.length]!;
    const c = report.kinds[kind];
    const seq = ++c.sent;
    const rid = requestId(id, kind, seq);
    try {
      await once(kind, rid);
      c.answered++;
    } catch (err) {
      c.unanswered.push(seq);
      noteError(`${rid}: ${(err as Error).message}`);
    }
  }
  agent.destroy();
  redis.close();
  await db?.end().catch(() => {});
  report.endedAt = Date.now();
  process.stdout.write(`report ${JSON.stringify(report)}\n`);
  process.exit(0);
}

main().catch((err: Error) => {
  process.stderr.write(`soak client: ${err.message}\n`);
  process.exit(2);
});
