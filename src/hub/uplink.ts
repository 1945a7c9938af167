/**
 * The worker's side of the worker → hub stream (see protocol.ts).
 *
 *   1. Entries are rendered as JSON by the same writer as `podtap read`
 *      (`JsonlWriter` into this ByteSink) and cut into batches of
 *      `batchEntries`, or every `flushMs`.
 *   2. Each batch is appended to a spool file (when `spoolDir` is set) before
 *      it is sent, so a worker that is killed loses nothing it had already
 *      batched: the next run finds the spool and sends it first. The hub
 *      drops what it already had by entry id.
 *   3. At most WINDOW batches are on the wire unacknowledged; a batch is
 *      forgotten (and its spool segment deleted once all of its batches are)
 *      only when the hub acknowledges it. On a reconnect all unacknowledged
 *      batches are sent again.
 *   4. What the hub sends is checked (protocol.ts `parseDownlink`): acks,
 *      packet requests, and `rules` (handed to `onRules`, as they come: the
 *      hub sends them after every hello, so a reconnect brings them again).
 *      A message that does not check is logged and ignored.
 *   5. With `tls` (an https:// URL), the stream is WSS: the hub's
 *      certificate must chain to the given CA alone and name the URL's host,
 *      and the worker presents its client certificate (tls.ts). A stream that
 *      cannot be opened is retried with backoff; each new reason is logged
 *      once, in one line with the fix (a wrong CA, a name the certificate
 *      lacks, plain HTTP against a TLS hub, a refused client certificate).
 *   6. Memory is bounded: past `maxBufferedEntries` waiting entries, new
 *      entries are dropped and counted (`dropped`); a spool larger than
 *      `maxSpoolBytes` stops growing the same way.
 */
import { WebSocket } from 'ws';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ByteSink } from '../output/types.js';
import { WINDOW, MAX_BATCH_ENTRIES, ProtocolError, encodePacketsAnswer, parseDownlink, type DownlinkMessage, type WorkerState } from './protocol.js';
import type { FlowQuery } from '../worker/packet-ring.js';
import type { TargetRules } from '../cluster/rules.js';
import { explainConnectError, workerClientOptions, type TlsMaterial } from './tls.js';

export interface UplinkOptions {
  /** Hub base URL (http://host:port, or https:// with `tls`); the stream goes to ws(s)://host:port/api/ingest. */
  url: string;
  /** The CA, client certificate and key for an https:// hub (mutual TLS). */
  tls?: TlsMaterial;
  token: string;
  node: string;
  runId: string;
  version?: string;
  batchEntries?: number;
  flushMs?: number;
  maxBufferedEntries?: number;
  spoolDir?: string;
  maxSpoolBytes?: number;
  /** The worker's counters and targets, sent every `stateMs`. */
  state?: () => WorkerState;
  stateMs?: number;
  /** Answers the hub's requests for raw packets (pcapng export); none: answered empty. */
  packets?: (flows: FlowQuery[]) => { data: Buffer; count: number; truncated: boolean };
  /** Targeting rules sent by the hub (checked); none: ignored. */
  onRules?: (rules: TargetRules) => void;
  log?: (line: string) => void;
}

export const DEFAULT_BATCH_ENTRIES = 500;
export const DEFAULT_FLUSH_MS = 100;
export const DEFAULT_MAX_BUFFERED_ENTRIES = 500_000;
export const DEFAULT_MAX_SPOOL_BYTES = 1024 ** 3;
const RECONNECT_MIN_MS = 200;
const RECONNECT_MAX_MS = 5000;
/** Batches per spool segment before a new segment starts. */
const SEGMENT_BATCHES = 256;
/** Largest spool segment (bytes). */
const SEGMENT_MAX_BYTES = 16 * 1024 * 1024;
/** An open segment whose batches are all acknowledged is closed once it is this old. */
const SEGMENT_MAX_AGE_MS = 5000;
/** The stream is pinged this often; without a pong for HEARTBEAT_TIMEOUT_MS it is dropped and reopened. */
export const HEARTBEAT_MS = 10_000;
export const HEARTBEAT_TIMEOUT_MS = 45_000;

interface Segment { path: string; fd: number | null; unacked: number; bytes: number; batches: number; openedAt: number }

interface Batch {
  seq: number;
  /** The JSON array of entries. */
  body: Buffer;
  count: number;
  sent: boolean;
  segment: Segment | null;
}

export interface UplinkCounters {
  batches: number;
  entries: number;
  acked: number;
  resent: number;
  dropped: number;
  reconnects: number;
  /** Entries recovered from an earlier run's spool. */
  recovered: number;
  /** Messages from the hub that did not follow the protocol (logged, ignored). */
  badMessages: number;
  /** Attempts to open the stream that failed (TLS, refused, unreachable). */
  connectFailures: number;
}

/** Most of a refusal's body read for the log line. */
const MAX_REFUSAL_BODY = 2048;

const OPEN = Buffer.from('[');
const COMMA = 0x2c, NEWLINE = 0x0a;

export class Uplink implements ByteSink {
  readonly counters: UplinkCounters = { batches: 0, entries: 0, acked: 0, resent: 0, dropped: 0, reconnects: 0, recovered: 0, badMessages: 0, connectFailures: 0 };
  private readonly pending: Batch[] = [];
  private buffered = 0;
  private nextSeq = 1;
  private inFlight = 0;
  /** Rendered JSON lines of the batch being filled. */
  private chunks: Buffer[] = [];
  private count = 0;
  private dropping = false;
  private ws: WebSocket | null = null;
  private connected = false;
  private closed = false;
  private backoff = RECONNECT_MIN_MS;
  private readonly timers: NodeJS.Timeout[] = [];
  private reconnectTimer: NodeJS.Timeout | null = null;
  private segment: Segment | null = null;
  private segmentNo = 0;
  private spoolBytes = 0;
  private readonly waiters: Array<() => void> = [];
  /** The last reason the stream could not be opened: a reason is logged when it changes. */
  private lastFailure: string | null = null;
  private readonly log: (line: string) => void;
  private readonly batchEntries: number;
  private readonly maxBuffered: number;
  /** A segment is closed at this size too: a small part of the spool limit. */
  private readonly segmentBytes: number;

  constructor(private readonly o: UplinkOptions) {
    this.log = o.log ?? ((l) => process.stderr.write(`${l}\n`));
    this.batchEntries = Math.min(MAX_BATCH_ENTRIES, o.batchEntries ?? DEFAULT_BATCH_ENTRIES);
    this.maxBuffered = o.maxBufferedEntries ?? DEFAULT_MAX_BUFFERED_ENTRIES;
    this.segmentBytes = Math.min(SEGMENT_MAX_BYTES, (o.maxSpoolBytes ?? DEFAULT_MAX_SPOOL_BYTES) / 8);
    if (o.spoolDir !== undefined) this.recoverSpool(o.spoolDir);
    this.timers.push(setInterval(() => this.cut(), o.flushMs ?? DEFAULT_FLUSH_MS));
    if (o.state !== undefined) this.timers.push(setInterval(() => this.sendState(), o.stateMs ?? 2000));
    for (const t of this.timers) t.unref();
    this.connect();
  }

  /** Entries waiting for the hub's acknowledgement (including the batch being filled). */
  get bufferedEntries(): number { return this.buffered + this.count; }
  get isConnected(): boolean { return this.connected; }

  // ByteSink: the JsonlWriter writes one line per entry.
  write(text: string): void { if (!this.dropping) this.chunks.push(Buffer.from(text)); }
  writeBytes(bytes: Uint8Array, start: number, end: number): void { if (!this.dropping) this.chunks.push(Buffer.from(bytes.subarray(start, end))); }
  flush(): void { this.cut(); }
  end(): void { this.cut(); }

  /**
   * Call before the writer renders an entry: false when the buffer is full
   * (the entry is dropped and counted; the caller skips the write).
   */
  admit(): boolean {
    if (this.buffered + this.count >= this.maxBuffered || this.spoolFull()) {
      this.counters.dropped++;
      if (!this.dropping) this.log(`podtap worker: hub uplink buffer full (${this.maxBuffered} entries); dropping new entries until the hub catches up`);
      this.dropping = true;
      return false;
    }
    if (this.dropping) { this.dropping = false; this.log('podtap worker: hub uplink buffer has room again'); }
    return true;
  }

  /** Call after the writer rendered an admitted entry. */
  written(): void {
    this.count++;
    this.counters.entries++;
    if (this.count >= this.batchEntries) this.cut();
  }

  private spoolFull(): boolean {
    return this.o.spoolDir !== undefined && this.spoolBytes >= (this.o.maxSpoolBytes ?? DEFAULT_MAX_SPOOL_BYTES);
  }

  /** Close the batch being filled and queue it. */
  private cut(): void {
    if (this.count === 0) return;
    const body = Buffer.concat([OPEN, ...this.chunks]);
    // JSON text has no raw newline: the newlines are exactly the separators.
    for (let i = 0; i < body.length; i++) if (body[i] === NEWLINE) body[i] = COMMA;
    body[body.length - 1] = 0x5d; // the last separator becomes "]"
    this.enqueue(body, this.count, this.spool(body));
    this.chunks = [];
    this.count = 0;
  }

  private enqueue(body: Buffer, count: number, segment: Segment | null): void {
    this.pending.push({ seq: this.nextSeq++, body, count, sent: false, segment });
    this.buffered += count;
    this.counters.batches++;
    this.pump();
  }

  private spool(body: Buffer): Segment | null {
    const dir = this.o.spoolDir;
    if (dir === undefined) return null;
    if (this.segment === null || this.segment.fd === null) {
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `${this.o.runId}.${++this.segmentNo}.spool`);
      this.segment = { path, fd: openSync(path, 'a'), unacked: 0, bytes: 0, batches: 0, openedAt: Date.now() };
    }
    const s = this.segment;
    writeSync(s.fd!, body);
    writeSync(s.fd!, '\n');
    s.unacked++;
    s.bytes += body.length + 1;
    this.spoolBytes += body.length + 1;
    // A segment is closed after SEGMENT_BATCHES batches written (and deleted once all are
    // acknowledged), so the spool holds about one segment beyond what the hub has not acknowledged.
    if (++s.batches >= SEGMENT_BATCHES || s.bytes >= this.segmentBytes) this.sealSegment(s);
    return s;
  }

  private sealSegment(s: Segment): void {
    if (s.fd !== null) { closeSync(s.fd); s.fd = null; }
    if (this.segment === s) this.segment = null;
    this.maybeDelete(s);
  }

  private maybeDelete(s: Segment): void {
    if (s.fd !== null || s.unacked > 0) return;
    try { unlinkSync(s.path); } catch { /* already gone */ }
    this.spoolBytes -= s.bytes;
  }

  /** Batches an earlier run spooled and the hub may not have: sent first (the hub drops what it has). */
  private recoverSpool(dir: string): void {
    let names: string[] = [];
    try { names = readdirSync(dir).filter((n) => n.endsWith('.spool')).sort(); } catch { return; }
    for (const name of names) {
      const path = join(dir, name);
      const seg: Segment = { path, fd: null, unacked: 0, bytes: 0, batches: 0, openedAt: 0 };
      let text: Buffer;
      try { text = readFileSync(path); } catch { continue; }
      let start = 0;
      for (let i = 0; i < text.length; i++) {
        if (text[i] !== NEWLINE) continue;
        const body = text.subarray(start, i);
        start = i + 1;
        if (body.length < 2 || body[0] !== 0x5b || body[body.length - 1] !== 0x5d) continue; // a line cut by the kill
        let count = 0;
        try { count = (JSON.parse(body.toString('utf8')) as unknown[]).length; } catch { continue; }
        seg.unacked++;
        seg.bytes += body.length + 1;
        this.counters.recovered += count;
        this.enqueue(Buffer.from(body), count, seg);
      }
      seg.bytes = text.length;
      this.spoolBytes += text.length;
      this.maybeDelete(seg);
    }
    if (this.counters.recovered > 0) this.log(`podtap worker: ${this.counters.recovered} entries from an earlier run's spool will be sent to the hub first`);
  }

  private connect(): void {
    if (this.closed) return;
    const url = `${this.o.url.replace(/^http/, 'ws').replace(/\/+$/, '')}/api/ingest`;
    const tls = this.o.tls === undefined ? {} : workerClientOptions(this.o.tls);
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${this.o.token}` }, perMessageDeflate: true, handshakeTimeout: 5000, ...tls });
    this.ws = ws;
    let lastPong = Date.now();
    ws.on('pong', () => { lastPong = Date.now(); });
    const beat = setInterval(() => {
      // A hub that vanished without closing (network cut, host gone): TCP alone would
      // take many minutes to notice. Reconnecting resends what was not acknowledged.
      if (Date.now() - lastPong > HEARTBEAT_TIMEOUT_MS) { this.log('podtap worker: the hub stopped answering; reconnecting'); ws.terminate(); return; }
      if (ws.readyState === ws.OPEN) ws.ping();
    }, HEARTBEAT_MS);
    beat.unref();
    let refused = false;
    ws.on('open', () => {
      lastPong = Date.now();
      this.lastFailure = null;
      this.connected = true;
      this.backoff = RECONNECT_MIN_MS;
      this.log(`podtap worker: connected to hub ${this.o.url}`);
      ws.send(JSON.stringify({ type: 'hello', node: this.o.node, runId: this.o.runId, version: this.o.version ?? '' }));
      this.sendState();
      this.pump();
    });
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('unexpected-response', (req, res) => {
      // The hub's JSON error says why (token, client certificate, plain HTTP on a TLS port).
      refused = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { if (body.length < MAX_REFUSAL_BODY) body += d; });
      const done = () => {
        let why = '';
        try { why = String((JSON.parse(body) as { error?: unknown }).error ?? ''); } catch { /* not JSON */ }
        const hint = res.statusCode === 401 ? ' (wrong or missing token)' : '';
        this.failed(`the hub refused the stream: HTTP ${res.statusCode}${hint}${why === '' ? '' : `: ${why.slice(0, 300)}`}`);
        req.destroy(new Error(`HTTP ${res.statusCode}`)); // 'error' and 'close' follow: retried with backoff
      };
      res.on('end', done);
      res.on('error', done);
    });
    ws.on('error', (err: Error & { code?: string }) => {
      // 'close' follows and retries; the reason is logged here when it is a new one.
      if (!refused && !this.connected) this.failed(`cannot open the stream to ${this.o.url}: ${explainConnectError(err, this.o.url, this.o.tls?.files.ca)}`);
    });
    ws.on('close', () => {
      clearInterval(beat);
      const was = this.connected;
      this.connected = false;
      this.ws = null;
      this.inFlight = 0;
      for (const b of this.pending) if (b.sent) { b.sent = false; this.counters.resent += b.count; }
      if (this.closed) return;
      if (was) this.log(`podtap worker: lost the hub; ${this.bufferedEntries} entries buffered, reconnecting`);
      this.counters.reconnects++;
      this.reconnectTimer = setTimeout(() => this.connect(), this.backoff);
      this.backoff = Math.min(RECONNECT_MAX_MS, this.backoff * 2);
    });
  }

  /** A failed attempt to open the stream: counted, and logged when the reason is new. */
  private failed(reason: string): void {
    this.counters.connectFailures++;
    if (reason === this.lastFailure) return;
    this.lastFailure = reason;
    this.log(`podtap worker: ${reason}; retrying`);
  }

  private onMessage(text: string): void {
    let m: DownlinkMessage;
    try { m = parseDownlink(text); } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.counters.badMessages++;
      this.log(`podtap worker: ignored a message from the hub: ${err.message}`);
      return;
    }
    if (m.type === 'error') { this.log(`podtap worker: hub: ${m.message}`); return; }
    if (m.type === 'packets-request') { this.answerPackets(m.id, m.flows); return; }
    if (m.type === 'rules') { this.o.onRules?.(m.rules); return; }
    const i = this.pending.findIndex((b) => b.seq === m.seq);
    if (i < 0) return;
    const [b] = this.pending.splice(i, 1) as [Batch];
    if (b.sent) this.inFlight--;
    this.buffered -= b.count;
    this.counters.acked += b.count;
    if (b.segment !== null) {
      const seg = b.segment;
      seg.unacked--;
      // The open segment, all acknowledged and old enough: closed (and so deleted) now, so a
      // quiet worker's spool does not keep what the hub already has.
      if (seg === this.segment && seg.unacked === 0 && Date.now() - seg.openedAt >= SEGMENT_MAX_AGE_MS) this.sealSegment(seg);
      else this.maybeDelete(seg);
    }
    this.pump();
    if (this.pending.length === 0 && this.count === 0) for (const w of this.waiters.splice(0)) w();
  }

  private answerPackets(id: number, flows: FlowQuery[]): void {
    const found = this.o.packets?.(flows) ?? { data: Buffer.alloc(0), count: 0, truncated: false };
    this.ws?.send(encodePacketsAnswer({ type: 'packets', id, count: found.count, truncated: found.truncated }, found.data), { binary: true });
  }

  private pump(): void {
    const ws = this.ws;
    if (!this.connected || ws === null) return;
    for (const b of this.pending) {
      if (this.inFlight >= WINDOW) return;
      if (b.sent) continue;
      b.sent = true;
      this.inFlight++;
      ws.send(Buffer.concat([Buffer.from(`{"type":"batch","seq":${b.seq},"entries":`), b.body, Buffer.from('}')]), { binary: false });
    }
  }

  private sendState(): void {
    if (!this.connected || this.ws === null || this.o.state === undefined) return;
    this.ws.send(JSON.stringify({ type: 'state', state: this.o.state() }));
  }

  /** Resolves when every entry so far is acknowledged, or false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    this.cut();
    if (this.pending.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => { clearTimeout(t); resolve(true); });
    });
  }

  /** Stop sending. Unacknowledged batches stay in the spool for the next run. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.ws?.close(1000, 'worker stopping');
    if (this.segment !== null) this.sealSegment(this.segment);
  }
}
