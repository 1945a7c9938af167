/**
 * `podtap hub`: receives entries from workers, stores them and serves the API
 * on one port (fastify; WebSockets through @fastify/websocket).
 *
 * Every route but `/healthz` and `/login` needs the token (see auth.ts). Bad
 * input is answered with `{ "error": "…" }` (and `column` for a filter) and a
 * 4xx status; the hub keeps serving everyone else.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import type { WebSocket } from 'ws';
import type { AddressInfo, Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { Entry } from '../entries/types.js';
import { EntryStore, prepareRows, type StoreOptions } from './store.js';
import { StoreWriter } from './store-writer.js';
import { LiveFanout, MAX_STREAM_CLIENTS } from './live.js';
import { WorkerRegistry } from './workers.js';
import { createHubMetrics } from './metrics.js';
import { TokenCheck, TOKEN_COOKIE } from './auth.js';
import { Redactor, DEFAULT_REDACT, type RedactOptions } from './redact.js';
import { MAX_MESSAGE_BYTES, ProtocolError, checkEntry, decodePacketsAnswer, parseUplink, type DownlinkMessage } from './protocol.js';
import { buildPcapng, flowsByNode } from './export-pcapng.js';
import type { FlowQuery } from '../worker/packet-ring.js';
import { compileHubFilter, HubFilterError, type HubFilter } from './filter.js';
import { computeStats } from './stats.js';
import { exportHar } from './export-har.js';
import { bucketRange, computeTimeseries, timeseriesParams, TimeseriesParamError, type TimeseriesParams } from './timeseries.js';
import { fieldsAnswer, ValuesCache, ValuesError } from './values.js';
import { checkRules, HubRules, rulesOfWorkers } from './rules.js';
import { RuleError } from '../cluster/model.js';
import type { TargetRules } from '../cluster/rules.js';
import { isPublicUiPath, registerUi, SECURITY_HEADERS } from './ui-routes.js';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { clientCertProblem, guardPlainHttp, hubServerOptions, type TlsMaterial } from './tls.js';

export interface HubOptions {
  host: string;
  port: number;
  token: string;
  store?: StoreOptions;
  redact?: RedactOptions;
  /** How long a live client may leave its socket full before it is cut off (default STALL_MS). */
  streamStallMs?: number;
  log?: (line: string) => void;
  /** Serve HTTPS/WSS; /api/ingest then also needs a client certificate chained to the CA (tls.ts). */
  tls?: TlsMaterial;
}

/** Default window of `/api/stats` (ms) and the most entries it reads. */
export const STATS_WINDOW_MS = 5 * 60_000;
export const STATS_MAX_ENTRIES = 200_000;
/** Entries stored per turn of the event loop (one transaction). */
export const INGEST_ENTRIES_PER_TURN = 1000;
/** How long an export waits for a worker's packets. */
export const PACKETS_TIMEOUT_MS = 10_000;

export class Hub {
  readonly store: EntryStore;
  private readonly writer: StoreWriter | null = null;
  readonly live: LiveFanout;
  readonly workers = new WorkerRegistry();
  readonly ingest = { batches: 0, rejected: 0, protocolErrors: 0, authFailures: 0 };
  /** Targeting rules set with PUT /api/rules, pushed to every worker. */
  readonly rules: HubRules;
  private readonly values: ValuesCache;
  private readonly redactor: Redactor;
  private readonly auth: TokenCheck;
  private readonly log: (line: string) => void;
  readonly app: FastifyInstance;
  private readonly ingestSockets = new Set<WebSocket>();
  /** The current stream of each connected node (packet requests go there). */
  private readonly nodeSockets = new Map<string, WebSocket>();
  private readonly packetWaits = new Map<number, (answer: { records: Buffer; truncated: boolean } | null) => void>();
  private nextPacketsId = 1;
  url = '';

  constructor(private readonly opts: HubOptions) {
    this.store = new EntryStore(opts.store);
    // On disk, writes go to a thread of their own; the hub's connection reads.
    if (opts.store?.dir !== undefined) this.writer = new StoreWriter(opts.store, (c) => Object.assign(this.store.counters, c));
    this.live = new LiveFanout(Date.now, opts.streamStallMs);
    this.redactor = new Redactor(opts.redact ?? DEFAULT_REDACT);
    this.auth = new TokenCheck(opts.token);
    const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
    // Peers' text (node names, rules, protocol errors) reaches the log; the token never does.
    this.log = opts.token === '' ? log : (l) => log(l.split(opts.token).join('[REDACTED]'));
    this.rules = new HubRules(opts.store?.dir, this.log);
    this.values = new ValuesCache(this.store.db);
    this.app = Fastify({
      logger: false, bodyLimit: 1024 * 1024, routerOptions: { maxParamLength: 512 },
      // A URL the router cannot decode, a parameter over maxParamLength, a request the HTTP parser refuses:
      // the same JSON error and security headers as every other answer.
      frameworkErrors: (err, _req, reply: FastifyReply) => { void reply.code(err.statusCode ?? 400).headers(SECURITY_HEADERS).send({ error: err.message }); },
      clientErrorHandler: clientError,
      ...(opts.tls === undefined ? {} : { https: hubServerOptions(opts.tls) }),
    });
    if (opts.tls !== undefined) guardPlainHttp(this.app.server as unknown as TlsServer);
    this.routes();
  }

  async start(): Promise<string> {
    await this.app.listen({ host: this.opts.host, port: this.opts.port });
    const a = this.app.server.address() as AddressInfo;
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    this.url = `${this.opts.tls === undefined ? 'http' : 'https'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${a.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.live.close();
    for (const s of this.ingestSockets) s.terminate();
    for (const s of this.app.websocketServer?.clients ?? []) s.terminate(); // stream clients that stopped reading
    await this.app.close();
    await this.writer?.close();
    this.store.close();
  }

  /** Store entries from a worker (or a test): checked, redacted, stored, pushed live. */
  async accept(raw: unknown[], node = ''): Promise<{ stored: number; duplicates: number; rejected: number }> {
    return (await this.acceptMany([{ entries: raw, node }]))[0]!;
  }

  /**
   * Several batches in one transaction (one commit, the main cost of small
   * transactions), each with its own counts for its acknowledgement.
   */
  async acceptMany(batches: Array<{ entries: unknown[]; node: string }>): Promise<Array<{ stored: number; duplicates: number; rejected: number }>> {
    const good: Entry[] = [];
    const nodes: string[] = [];
    const spans: Array<{ from: number; to: number; rejected: number }> = [];
    for (const { entries: raw, node } of batches) {
      const from = good.length;
      let rejected = 0;
      for (const e of raw) {
        if (checkEntry(e) !== null) { rejected++; continue; }
        let clean: Entry;
        // An entry whose parts the redactor cannot read (headers: null, …) is rejected, never stored unmasked
        // nor allowed to fail the whole transaction (every worker's batches of this turn).
        try { clean = this.redactor.redact(e as Entry); } catch { rejected++; continue; }
        good.push(clean);
        nodes.push(node);
      }
      this.ingest.rejected += rejected;
      spans.push({ from, to: good.length, rejected });
    }
    const fresh = this.writer !== null ? await this.writer.write(prepareRows(good, nodes)) : this.store.insertFlags(good, nodes);
    this.live.publish(good.filter((_, i) => fresh[i])); // only entries new to the store go live: a resend never shows twice
    return spans.map(({ from, to, rejected }) => {
      let stored = 0;
      for (let i = from; i < to; i++) if (fresh[i]) stored++;
      return { stored, duplicates: to - from - stored, rejected };
    });
  }

  /** Batches received and not yet stored; stored together on the next turn of the event loop. */
  private queued: Array<{ entries: unknown[]; node: string; socket: WebSocket; done: (r: { stored: number; duplicates: number; rejected: number }) => void }> = [];

  private enqueue(entries: unknown[], node: string, socket: WebSocket, done: (r: { stored: number; duplicates: number; rejected: number }) => void): void {
    if (this.queued.length === 0) setImmediate(() => this.drainQueue());
    this.queued.push({ entries, node, socket, done });
  }

  private drainQueue(): void {
    // One transaction per turn of the event loop, of at most INGEST_ENTRIES_PER_TURN entries
    // (at least one batch): preparing rows (and, in memory, storing them) stays short, so
    // API requests never wait long.
    let n = 0, k = 0;
    while (k < this.queued.length && (k === 0 || n + this.queued[k]!.entries.length <= INGEST_ENTRIES_PER_TURN)) n += this.queued[k++]!.entries.length;
    const q = this.queued.splice(0, k);
    if (this.queued.length > 0) setImmediate(() => this.drainQueue());
    if (q.length === 0) return;
    // Writes are answered in order, so acknowledgements keep each stream's order.
    this.acceptMany(q).then((results) => q.forEach((x, i) => x.done(results[i]!)), (err: Error) => {
      // A store that cannot write (disk full): no acknowledgement; the workers' streams are
      // closed so that they reconnect and resend what they still hold.
      this.log(`podtap hub: storing ${q.length} batches failed: ${err.message}`);
      for (const x of q) x.socket.close(1011, 'the hub could not store the batch');
    });
  }

  private filter(q: unknown, reply: FastifyReply): HubFilter | null | undefined {
    if (q !== undefined && typeof q !== 'string') { void reply.code(400).send({ error: 'q must be one filter string' }); return undefined; }
    try {
      return q === undefined || q.trim() === '' ? null : compileHubFilter(q, Date.now());
    } catch (err: unknown) {
      if (err instanceof HubFilterError) { void reply.code(400).send({ error: err.message, column: err.column }); return undefined; }
      throw err;
    }
  }

  private routes(): void {
    const app = this.app;
    void app.register(websocket, { options: { maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: true } });
    app.addHook('onRequest', async (req, reply) => {
      const path = req.url.split('?')[0];
      if (path === '/healthz' || path === '/login' || (req.method === 'GET' && isPublicUiPath(path))) return;
      if (!this.auth.allows(req.headers)) {
        this.ingest.authFailures++;
        await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or wrong token: send Authorization: Bearer <token> (or log in with /login?token=…)' });
      } else if (req.headers.authorization === undefined && !sameOrigin(req.headers.origin, req.headers.host)) {
        // The cookie also comes with requests that other pages of the same site (another port of localhost)
        // make, and a WebSocket has no CORS to stop them reading: the browser's Origin must be this hub.
        this.ingest.authFailures++;
        await reply.code(403).send({ error: 'cross-origin request with the hub\'s cookie refused; send Authorization: Bearer <token>' });
      }
    });
    app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
      const code = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
      if (code === 500) this.log(`podtap hub: ${err.message}`);
      void reply.code(code).send({ error: code === 500 ? 'internal error' : err.message });
    });
    app.setNotFoundHandler((req, reply) => { void reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` }); });

    app.get('/healthz', async () => ({ ok: true }));

    app.get('/login', async (req: FastifyRequest<{ Querystring: { token?: string } }>, reply) => {
      const t = req.query.token;
      if (typeof t !== 'string' || !this.auth.matches(t)) { this.ingest.authFailures++; return reply.code(401).send({ error: 'wrong token' }); }
      // Secure when the hub serves HTTPS: the browser then never sends the token over plain HTTP.
      const secure = this.opts.tls === undefined ? '' : '; Secure';
      return reply.header('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(t)}; HttpOnly; SameSite=Strict; Path=/${secure}`).redirect('/');
    });

    registerUi(app);

    app.get('/api/entries', async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
      const f = this.filter(req.query.q, reply);
      if (f === undefined) return reply;
      const limit = intParam(req.query.limit, 100);
      const before = req.query.before === undefined ? undefined : intParam(req.query.before, 0);
      if (limit === null || before === null) return reply.code(400).send({ error: 'limit and before must be positive integers' });
      const rows = this.store.pageDocs(f?.sql ?? null, limit, before);
      const last = rows[rows.length - 1];
      // The stored JSON goes out as it is: no parse and re-serialisation per entry.
      return reply.header('content-type', 'application/json; charset=utf-8')
        .send(`{"entries":[${rows.map((r) => r.doc).join(',')}],"next":${last === undefined ? 'null' : last.seq}}`);
    });

    app.get('/api/entries/:id', async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const e = this.store.get(req.params.id);
      return e === undefined ? reply.code(404).send({ error: `no entry ${JSON.stringify(req.params.id.slice(0, 100))}` }) : e;
    });

    app.get('/api/stats', async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
      const f = this.filter(req.query.q, reply);
      if (f === undefined) return reply;
      const windowS = req.query.window === undefined ? STATS_WINDOW_MS / 1000 : intParam(req.query.window, 0);
      if (windowS === null || windowS < 1) return reply.code(400).send({ error: 'window must be a positive number of seconds' });
      const since = Date.now() - windowS * 1000;
      const docs = this.store.recentDocs(f?.sql ?? null, since, STATS_MAX_ENTRIES);
      return computeStats(docs, windowS * 1000, docs.length >= STATS_MAX_ENTRIES);
    });

    app.get('/api/timeseries', async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
      const f = this.filter(req.query.q, reply);
      if (f === undefined) return reply;
      let p: TimeseriesParams;
      try { p = timeseriesParams(req.query); } catch (err) {
        if (err instanceof TimeseriesParamError) return reply.code(400).send({ error: err.message });
        throw err;
      }
      const now = Date.now();
      const docs = this.store.recentDocs(f?.sql ?? null, bucketRange(p, now).start, STATS_MAX_ENTRIES);
      return computeTimeseries(docs, p, now, docs.length >= STATS_MAX_ENTRIES);
    });

    app.get('/api/values', async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
      try { return this.values.answer(req.query); } catch (err) {
        if (err instanceof ValuesError) return reply.code(400).send({ error: err.message });
        throw err;
      }
    });

    app.get('/api/fields', async () => fieldsAnswer());

    app.get('/api/rules', async () => {
      const rules = this.rules.get();
      return rules !== null ? { rules, source: 'hub' } : { rules: rulesOfWorkers(this.workers.list()), source: 'workers' };
    });

    app.put('/api/rules', async (req: FastifyRequest<{ Body: unknown }>, reply) => {
      const body = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body) || !('rules' in body)) {
        return reply.code(400).send({ error: 'send a JSON body {"rules": {…}} with podRegex, namespaces, excludedNamespaces, selector, includeHostNetwork' });
      }
      let rules: TargetRules;
      try { rules = checkRules(body.rules, 'rules'); } catch (err) {
        if (err instanceof RuleError) return reply.code(400).send({ error: err.message });
        throw err;
      }
      try { this.rules.set(rules); } catch (err) {
        this.log(`podtap hub: could not save the rules: ${(err as Error).message}`);
        return reply.code(500).send({ error: `the rules could not be saved in the data directory: ${(err as Error).message}` });
      }
      const pushed = this.pushRules(rules);
      this.log(`podtap hub: rules set (${JSON.stringify(rules)}); sent to ${pushed} workers`);
      return { rules, source: 'hub', pushed };
    });

    app.get('/api/workers', async () => ({ workers: this.workers.list() }));

    const metrics = createHubMetrics(this);
    app.get('/metrics', async (_req, reply) => reply.header('content-type', metrics.contentType).send(await metrics.metrics()));

    app.get('/api/export.pcapng', async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
      const f = this.filter(req.query.q, reply);
      if (f === undefined) return reply;
      const { byNode, truncated } = flowsByNode(this.store.scan(f?.sql ?? null));
      const answers = await Promise.all([...byNode].map(async ([node, flows]) => ({ node, answer: await this.requestPackets(node, flows) })));
      const missing = answers.filter((a) => a.answer === null).map((a) => a.node);
      const cut = truncated || answers.some((a) => a.answer?.truncated === true);
      const { file, redaction } = buildPcapng(answers.flatMap((a) => (a.answer === null ? [] : [{ node: a.node, records: a.answer.records }])), this.redactor);
      return reply.header('content-type', 'application/x-pcapng').header('content-disposition', 'attachment; filename="podtap.pcapng"')
        .header('x-podtap-connections', String([...byNode.values()].reduce((n, l) => n + l.length, 0)))
        .header('x-podtap-missing-nodes', missing.join(','))
        .header('x-podtap-truncated', cut ? '1' : '0')
        .header('x-podtap-redacted', `${redaction.values} values in ${redaction.packets} packets`)
        .send(file);
    });

    app.get('/api/export.har', async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
      const f = this.filter(req.query.q, reply);
      if (f === undefined) return reply;
      reply.header('content-type', 'application/json').header('content-disposition', 'attachment; filename="podtap.har"');
      return reply.send(exportHar(this.store.scan(f?.sql ?? null)));
    });

    void app.register(async (scoped) => {
      scoped.get('/api/stream', { websocket: true }, (socket, req) => this.streamClient(socket, req as FastifyRequest<{ Querystring: Record<string, unknown> }>));
      scoped.get('/api/ingest', {
        websocket: true,
        // With TLS the stream also needs a client certificate that chains to the CA (tls.ts); the token was checked above.
        onRequest: async (req, reply) => {
          const why = this.opts.tls === undefined ? null : clientCertProblem(req.raw.socket as TLSSocket);
          if (why !== null) { this.ingest.authFailures++; await reply.code(403).send({ error: why }); }
        },
      }, (socket) => this.ingestClient(socket));
    });
  }

  private streamClient(socket: WebSocket, req: FastifyRequest<{ Querystring: Record<string, unknown> }>): void {
    const q = req.query.q;
    if (this.live.size >= MAX_STREAM_CLIENTS) { socket.close(1013, 'too many stream clients'); return; }
    let f: HubFilter | null;
    try {
      if (q !== undefined && typeof q !== 'string') throw new HubFilterError('q must be one filter string', 0);
      f = q === undefined || q.trim() === '' ? null : compileHubFilter(q, Date.now());
    } catch (err: unknown) {
      if (!(err instanceof HubFilterError)) throw err;
      socket.send(JSON.stringify({ type: 'error', error: err.message, column: err.column }));
      socket.close(1008, 'invalid filter');
      return;
    }
    const remove = this.live.add(socket, f?.text ?? '', f?.match ?? (() => true));
    socket.on('close', remove);
    socket.on('error', remove);
    socket.on('message', () => { /* clients have nothing to say; ignored */ });
  }

  /** Send rules to every connected worker; how many it went to. */
  private pushRules(rules: TargetRules): number {
    let n = 0;
    for (const socket of this.nodeSockets.values()) {
      if (socket.readyState !== socket.OPEN) continue;
      socket.send(JSON.stringify({ type: 'rules', rules } satisfies DownlinkMessage));
      n++;
    }
    return n;
  }

  /** Ask a node's worker for the packets of some connections; null when it is not connected or does not answer in time. */
  private requestPackets(node: string, flows: FlowQuery[]): Promise<{ records: Buffer; truncated: boolean } | null> {
    const socket = this.nodeSockets.get(node);
    if (socket === undefined || socket.readyState !== socket.OPEN) return Promise.resolve(null);
    const id = this.nextPacketsId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.packetWaits.delete(id); resolve(null); }, PACKETS_TIMEOUT_MS);
      this.packetWaits.set(id, (a) => { clearTimeout(timer); this.packetWaits.delete(id); resolve(a); });
      socket.send(JSON.stringify({ type: 'packets-request', id, flows } satisfies DownlinkMessage));
    });
  }

  private ingestClient(socket: WebSocket): void {
    this.ingestSockets.add(socket);
    let hello: { node: string; runId: string } | null = null;
    const send = (m: DownlinkMessage): void => { if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m)); };
    const fail = (message: string): void => {
      this.ingest.protocolErrors++;
      this.log(`podtap hub: ${hello?.node ?? 'worker'}: ${message}; connection closed`);
      send({ type: 'error', message });
      socket.close(1008, message.slice(0, 120));
    };
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        try {
          const { header, records } = decodePacketsAnswer(Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]));
          this.packetWaits.get(header.id)?.({ records, truncated: header.truncated });
        } catch (err) {
          if (err instanceof ProtocolError) fail(err.message); else throw err;
        }
        return;
      }
      let m;
      try { m = parseUplink(data.toString()); } catch (err) {
        if (err instanceof ProtocolError) { fail(err.message); return; }
        throw err;
      }
      if (m.type === 'hello') {
        hello = { node: m.node, runId: m.runId };
        this.nodeSockets.set(m.node, socket);
        this.workers.hello(m.node, m.runId, m.version);
        this.log(`podtap hub: worker ${m.node} connected (run ${m.runId})`);
        const rules = this.rules.get();
        if (rules !== null) send({ type: 'rules', rules }); // a worker that connects later gets them right after its hello
        return;
      }
      if (hello === null) { fail(`"${m.type}" before "hello"`); return; }
      if (m.type === 'state') { this.workers.state(hello.node, m.state); return; }
      this.ingest.batches++;
      const node = hello.node, seq = m.seq, n = m.entries.length;
      this.enqueue(m.entries, node, socket, (r) => {
        this.workers.batch(node, n);
        send({ type: 'ack', seq, ...r });
      });
    });
    socket.on('close', () => {
      this.ingestSockets.delete(socket);
      if (hello !== null && this.nodeSockets.get(hello.node) === socket) this.nodeSockets.delete(hello.node);
      if (hello !== null) { this.workers.disconnected(hello.node, hello.runId); this.log(`podtap hub: worker ${hello.node} disconnected`); }
    });
    socket.on('error', () => { /* close follows */ });
  }
}

/** Is a browser's Origin this hub (the Host it reached)? No Origin: not a cross-origin browser request. */
function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try { return host !== undefined && new URL(origin).host === host.toLowerCase(); } catch { return false; }
}

/** What fastify's default does for a request the HTTP parser refuses (431, 408, 400), with the security headers. */
function clientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({ error: STATUS_CODES[status] });
  const head = { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close', ...SECURITY_HEADERS };
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${Object.entries(head).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`);
  socket.destroy(err);
}

/** A non-negative integer query parameter, `dflt` when absent; null when malformed. */
function intParam(v: unknown, dflt: number): number | null {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !/^\d{1,15}$/.test(v)) return null;
  return Number(v);
}
