/**
 * `podtap demo` end to end (root, Linux, the demo's tools): start it, wait
 * until the hub holds HTTP, gRPC, Redis, PostgreSQL, DNS and MQTT entries
 * named on both ends and some errors; check one worker per node, each
 * packet processed once (no connection captured twice); stop it and check
 * that no namespace, child process or temp dir is left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Entry } from '../entries/types.js';
import type { WorkerRecord } from '../hub/workers.js';
import { listNamespaces } from '../lab/cluster/lab.js';
import { sleep } from '../lab/proc.js';
import { startDemo } from './demo.js';
import { demoProblem } from './preflight.js';

const PROTOCOLS = ['http', 'grpc', 'redis', 'postgres', 'dns', 'mqtt'] as const;
/** Longest wait for every protocol and an error to show up in the hub. */
const ENTRIES_TIMEOUT_MS = 30_000;
const POLL_MS = 500;
const SAMPLE = 300;
const START_BUDGET_MS = 20_000;

const named = (e: Entry): boolean => Boolean(e.src.name) && Boolean(e.dst.name);

/** Processes whose parent is this one, or whose command line mentions `text`. */
function strays(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (ppid === process.pid || cmd.includes(text)) found.push(`${pid} ${cmd.slice(0, 120)}`);
    } catch { /* gone meanwhile */ }
  }
  return found;
}

test('podtap demo: every protocol captured once, named, with errors; nothing left after stop', { timeout: 90_000 }, async (t) => {
  const skip = demoProblem();
  if (skip !== undefined) { t.skip(skip); return; }
  const started = Date.now();
  const log: string[] = [];
  const demo = await startDemo({ port: 0, rate: 40, log: (l) => log.push(l) });
  const startMs = Date.now() - started;
  let stopped = false;
  try {
    assert.ok(startMs < START_BUDGET_MS, `started in ${startMs} ms`);
    assert.match(demo.loginUrl, /^http:\/\/127\.0\.0\.1:\d+\/login\?token=[\w%-]+$/);
    assert.equal(demo.postgresStandIn, false, `PostgreSQL did not start:\n${log.join('\n')}`);
    const get = async <T>(path: string): Promise<T> => {
      const r = await fetch(`${demo.url}${path}`, { headers: { authorization: `Bearer ${demo.token}` } });
      assert.equal(r.status, 200, `${path}: ${await r.clone().text()}`);
      return (await r.json()) as T;
    };
    const entries = async (q: string): Promise<Entry[]> => (await get<{ entries: Entry[] }>(`/api/entries?limit=${SAMPLE}&q=${encodeURIComponent(q)}`)).entries;

    const byProtocol = new Map<string, Entry[]>();
    let errors: Entry[] = [];
    const deadline = Date.now() + ENTRIES_TIMEOUT_MS;
    for (;;) {
      for (const p of PROTOCOLS) byProtocol.set(p, await entries(`protocol == "${p}"`));
      errors = await entries('http and response.status >= 400');
      const missing = PROTOCOLS.filter((p) => !byProtocol.get(p)!.some(named));
      if ((missing.length === 0 && errors.some((e) => e.protocol === 'http' && (e.response?.status ?? 0) >= 500)) || Date.now() > deadline) {
        assert.deepEqual(missing, [], 'protocols without a named entry');
        break;
      }
      await sleep(POLL_MS);
    }
    const waitedMs = Date.now() - started - startMs;
    assert.ok(errors.some((e) => e.protocol === 'http' && (e.response?.status ?? 0) >= 500), 'an HTTP 5xx');
    assert.ok(errors.some((e) => e.protocol === 'http' && (e.response?.status ?? 0) < 500), 'an HTTP 4xx');
    const all = [...byProtocol.values()].flat();
    const unnamed = all.filter((e) => !named(e));
    assert.ok(unnamed.length <= all.length * 0.02, `${unnamed.length} of ${all.length} entries lack a name: ${JSON.stringify(unnamed[0]?.src)} → ${JSON.stringify(unnamed[0]?.dst)}`);

    // Each packet once: no id twice, and no TCP connection (its client address and port) captured by two points.
    const ids = new Set(all.map((e) => e.id));
    assert.equal(ids.size, all.length, 'an entry id appears twice');
    const conns = new Map<string, Set<string>>();
    for (const e of all.filter((x) => x.transport === 'tcp')) {
      const key = `${e.src.ip}:${e.src.port}`;
      conns.set(key, (conns.get(key) ?? new Set()).add(e.connectionId));
    }
    const twice = [...conns].filter(([, s]) => s.size > 1);
    assert.deepEqual(twice.slice(0, 3).map(([k, s]) => `${k}: ${[...s].join(', ')}`), [], 'TCP connections seen by more than one capture point');

    const { workers } = await get<{ workers: WorkerRecord[] }>('/api/workers');
    assert.deepEqual(workers.map((w) => w.node), demo.nodes, 'one worker per node');
    for (const w of workers) {
      const c = w.state?.counters;
      assert.ok(w.connected && c !== undefined, `${w.node}: connected with counters`);
      assert.ok(c.processed > 0 && c.processed <= c.captured, `${w.node}: processed ${c.processed} of ${c.captured} captured`);
      assert.ok(c.duplicate <= c.captured * 0.01, `${w.node}: ${c.duplicate} duplicates of ${c.captured}`);
      t.diagnostic(`${w.node}: captured ${c.captured}, processed ${c.processed}, duplicate ${c.duplicate}, untargeted ${c.untargeted}, drops ${c.kernelDrops}`);
    }
    t.diagnostic(`started in ${startMs} ms, all protocols after ${waitedMs} ms more; sample: ${PROTOCOLS.map((p) => `${p} ${byProtocol.get(p)!.length}`).join(', ')}`);

    const stopFrom = Date.now();
    await demo.stop();
    stopped = true;
    t.diagnostic(`stopped in ${Date.now() - stopFrom} ms`);
    assert.deepEqual(await listNamespaces(demo.nsPrefix), [], 'namespaces left');
    assert.equal(existsSync(demo.workDir), false, 'temp dir left');
    assert.deepEqual(strays(demo.workDir), [], 'processes left');
    await assert.rejects(fetch(`${demo.url}/healthz`), 'the hub still answers');
  } finally {
    if (!stopped) await demo.stop();
  }
});
