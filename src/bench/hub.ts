/**
 * `npm run bench -- --hub [--quick]`: the hub under load, as a separate
 * process (`podtap hub`), fed by simulated workers over the real stream.
 *
 *   1. Fill: --fill entries (default 1,000,000) as fast as the hub takes them.
 *   2. Sustained: --rate entries/s (default 20,000) from 4 workers for
 *      --seconds (default 60), while one API client asks a filtered
 *      `/api/entries?limit=100` page every 100 ms; per-second stored rate
 *      and the latency percentiles of those requests.
 *   3. Retention: a fresh hub with --max-bytes (default 256m) takes 2.5× that
 *      in entries; the database files must stay within 5% of the limit.
 * At the end every entry sent must be stored exactly once (sent == stored).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { podtapBin } from '../lab/podtap-cli.js';
import { Uplink } from '../hub/uplink.js';
import { JsonlWriter } from '../output/jsonl.js';
import { benchEntry, Rng } from './hub-entries.js';

const TOKEN = 'bench-token-0123456789abcdef';
const WORKERS = 4;
/** The API client's pace: about what a few people with the UI open ask for. */
const QUERY_INTERVAL_MS = 100;
const log = (line: string): void => void process.stdout.write(line + '\n');

/** The filters the API client cycles through: indexed, JSON-path, string-helper and negated ones. */
export const BENCH_FILTERS = [
  'http and response.status >= 500',
  'dst.name == "cart" and elapsedTime > 250',
  'request.path.startsWith("/api")',
  'request.headers["user-agent"].contains("curl")',
  'dns and request.questions[0].name == r".*\\.svc\\..*"',
  '!(src.namespace == "kube-system")',
  'timestamp > now() - minutes(5)',
];

interface HubProc { child: ChildProcess; url: string; dir: string }

async function startHubProcess(maxBytes: string): Promise<HubProc> {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-bench-'));
  const child = spawn(process.execPath, [podtapBin(), 'hub', '--listen', '127.0.0.1:0', '--data', dir, '--token', TOKEN, '--max-bytes', maxBytes, '--max-age', '3650d'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const end = Date.now() + 20_000;
  for (;;) {
    const m = /serving on (http:\/\/[\d.]+:\d+)/.exec(err);
    if (m !== null) return { child, url: m[1]!, dir };
    if (child.exitCode !== null || Date.now() > end) throw new Error(`podtap hub did not start: ${err}`);
    await sleep(50);
  }
}

async function stopHub(h: HubProc): Promise<void> {
  h.child.kill('SIGTERM');
  await new Promise((r) => h.child.once('exit', r));
  rmSync(h.dir, { recursive: true, force: true });
}

async function storedCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const m = /^podtap_hub_entries_stored_total (\d+)/m.exec(text);
  return m === null ? 0 : Number(m[1]);
}

class Workers {
  readonly ups: Uplink[];
  private readonly writers: JsonlWriter[];
  private readonly rng = new Rng(12345);
  sent = 0;
  constructor(url: string) {
    this.ups = Array.from({ length: WORKERS }, (_, i) => new Uplink({ url, token: TOKEN, node: `node-${i}`, runId: 'bench', log: () => {} }));
    this.writers = this.ups.map((u) => new JsonlWriter(u));
  }
  emit(n: number): void {
    const now = Date.now();
    for (let k = 0; k < n; k++) {
      const w = this.sent % WORKERS;
      const up = this.ups[w]!;
      if (!up.admit()) continue;
      this.writers[w]!.write(benchEntry(this.sent, `node-${w}.bench.`, this.rng, now));
      up.written();
      this.sent++;
    }
  }
  get buffered(): number { return this.ups.reduce((a, u) => a + u.bufferedEntries, 0); }
  get dropped(): number { return this.ups.reduce((a, u) => a + u.counters.dropped, 0); }
  async drain(): Promise<boolean> { return (await Promise.all(this.ups.map((u) => u.drain(120_000)))).every(Boolean); }
  close(): void { for (const u of this.ups) u.close(); }
}

function pct(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

export async function runHubBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    hub: { type: 'boolean' }, quick: { type: 'boolean', default: false },
    fill: { type: 'string' }, rate: { type: 'string', default: '20000' }, seconds: { type: 'string' }, 'max-bytes': { type: 'string' },
  }, strict: false });
  const quick = values.quick === true;
  const fill = Number(values.fill ?? (quick ? 100_000 : 1_000_000));
  const rate = Number(values.rate);
  const seconds = Number(values.seconds ?? (quick ? 10 : 60));
  const retentionLimit = String(values['max-bytes'] ?? (quick ? '32m' : '256m'));
  log(`hub bench: fill ${fill}, then ${rate} entries/s for ${seconds} s with filtered queries; retention at ${retentionLimit}`);

  // 1. Fill.
  const h = await startHubProcess('64g');
  const workers = new Workers(h.url);
  let t0 = Date.now();
  while (workers.sent < fill) {
    if (workers.buffered < 40_000) workers.emit(Math.min(5000, fill - workers.sent));
    else await sleep(5);
  }
  await workers.drain();
  const fillS = (Date.now() - t0) / 1000;
  log(`fill: ${fill} entries stored in ${fillS.toFixed(1)} s (${Math.round(fill / fillS)} entries/s)`);

  // 2. Sustained ingest with queries.
  const perSecond: number[] = [];
  const latencies: number[] = [];
  const byFilter = new Map<string, number[]>();
  let stop = false;
  const queries = (async () => {
    let i = 0;
    while (!stop) {
      await sleep(QUERY_INTERVAL_MS);
      const q = BENCH_FILTERS[i++ % BENCH_FILTERS.length]!;
      const s = performance.now();
      const r = await fetch(`${h.url}/api/entries?limit=100&q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = (await r.json()) as { entries?: unknown[] };
      const ms = performance.now() - s;
      if (r.status !== 200 || !Array.isArray(body.entries)) throw new Error(`query ${q}: HTTP ${r.status}`);
      latencies.push(ms);
      (byFilter.get(q) ?? byFilter.set(q, []).get(q)!).push(ms);
    }
  })();
  const startStored = await storedCount(h.url);
  const startSent = workers.sent;
  t0 = Date.now();
  let last = startStored;
  let nextSecond = t0 + 1000;
  const tickMs = 10;
  while (Date.now() - t0 < seconds * 1000) {
    const due = Math.floor(((Date.now() - t0) / 1000) * rate) - (workers.sent - startSent);
    if (due > 0) workers.emit(due);
    if (Date.now() >= nextSecond) {
      nextSecond += 1000;
      const now = await storedCount(h.url);
      perSecond.push(now - last);
      last = now;
    }
    await sleep(tickMs);
  }
  const offered = workers.sent - startSent;
  const drained = await workers.drain();
  stop = true;
  await queries;
  const elapsedS = (Date.now() - t0) / 1000;
  const total = await storedCount(h.url);
  const sorted = [...latencies].sort((a, b) => a - b);
  const p99 = pct(sorted, 0.99);
  // What counts is what was stored: the entries offered over the time until the last one was stored.
  const sustained = offered / elapsedS;
  const minSecond = Math.min(...perSecond.slice(1));
  log(`sustained: offered ${offered} entries in ${seconds} s (${Math.round(offered / seconds)}/s); all stored after ${elapsedS.toFixed(1)} s (${drained}): ${Math.round(sustained)} entries/s stored; per second: min ${minSecond}, median ${pct([...perSecond].sort((a, b) => a - b), 0.5)}`);
  log(`queries: ${latencies.length} filtered /api/entries?limit=100 over ${total.toLocaleString('en-US')} stored entries: p50 ${pct(sorted, 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${sorted[sorted.length - 1]?.toFixed(1)} ms`);
  for (const [q, l] of byFilter) {
    const s = [...l].sort((a, b) => a - b);
    log(`  ${q.padEnd(56)} p50 ${pct(s, 0.5).toFixed(1).padStart(6)} ms  p99 ${pct(s, 0.99).toFixed(1).padStart(6)} ms  (${l.length})`);
  }
  const exact = total === workers.sent && workers.dropped === 0;
  log(`exactly once: sent ${workers.sent}, stored ${total}, dropped by uplinks ${workers.dropped}: ${exact ? 'PASS' : 'FAIL'}`);
  workers.close();
  await stopHub(h);

  // 3. Retention.
  const r = await startHubProcess(retentionLimit);
  const rw = new Workers(r.url);
  const limitBytes = parseLimit(retentionLimit);
  const target = Math.ceil((limitBytes * 2.5) / 700); // ~700 bytes per stored entry
  while (rw.sent < target) {
    if (rw.buffered < 40_000) rw.emit(Math.min(5000, target - rw.sent));
    else await sleep(5);
  }
  await rw.drain();
  const size = dbFilesSize(r.dir);
  const within = size <= limitBytes * 1.05;
  log(`retention: ${rw.sent} entries into a ${retentionLimit} limit: database files ${(size / 2 ** 20).toFixed(1)} MiB = ${((size / limitBytes) * 100).toFixed(1)}% of the limit: ${within ? 'PASS' : 'FAIL'}`);
  rw.close();
  await stopHub(r);

  // A quick run stores fewer than 1,000,000 entries and is 10 s long: it checks everything but the size and duration.
  const pass = sustained >= 20_000 * 0.98 && drained && p99 < 100 && exact && within && (quick || total >= 1_000_000);
  log(`hub bench${quick ? ' (quick: fewer entries, 10 s)' : ''}: ${pass ? 'PASS' : 'FAIL'} (targets: ≥ 20,000 entries/s sustained for 60 s, p99 < 100 ms over ≥ 1,000,000 entries, every entry once, retention within 5%)`);
  return pass ? 0 : 1;
}

function parseLimit(s: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(s)!;
  return Number(m[1]) * ({ '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as Record<string, number>)[m[2]!.toLowerCase()]!;
}

/** The database, its WAL and shared-memory files. */
function dbFilesSize(dir: string): number {
  return readdirSync(dir).filter((f) => f.startsWith('entries.db')).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
}
