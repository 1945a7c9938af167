/**
 * Rules set on the hub (PUT /api/rules) reach running workers without a
 * restart, in the simulated cluster: a real Hub and two real Workers in this
 * process. node1's worker (rules from flags) follows them: its targets, its
 * reported rules and the traffic it captures change. node2's worker has a
 * --rules file, which stays the source of truth: it ignores them, once logged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClusterLab, clusterLabSkipReason } from '../lab/cluster/lab.js';
import { defaultClusterSpec } from '../lab/cluster/spec.js';
import { runHttpClient, startHttpServer } from '../lab/cluster/workloads.js';
import { pcapAddonSkipReason } from '../live/native.js';
import { Hub } from '../hub/server.js';
import type { WorkerRecord } from '../hub/workers.js';
import type { Entry } from '../entries/types.js';
import { Worker } from './worker.js';

const TOKEN = 'hub-rules-test-token-0123456789';
/** Workers report their state every 2 s: a change shows within two reports. */
const REPORT_MS = 6000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, get: () => Promise<T | undefined>, ms = REPORT_MS): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('PUT /api/rules retargets a running worker; a worker with a rules file ignores it', { timeout: 90_000 }, async (t) => {
  const skip = clusterLabSkipReason() ?? pcapAddonSkipReason();
  if (skip) { t.skip(skip); return; }
  const lab = await buildClusterLab(defaultClusterSpec());
  const server = await startHttpServer(lab, 'default/web-1', { port: 8080 });
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-rules-e2e-'));
  const inventory = join(dir, 'inventory.json');
  await lab.writeInventory(inventory);
  const rulesFile = join(dir, 'rules.yaml');
  writeFileSync(rulesFile, 'selector: app=api\n');
  const hub = new Hub({ host: '127.0.0.1', port: 0, token: TOKEN, store: { dir: join(dir, 'hub'), maxAgeMs: Infinity }, log: () => {} });
  await hub.start();
  const logs: Record<string, string[]> = { node1: [], node2: [] };
  const worker = (node: 'node1' | 'node2', rules: { rules: { selector: string } } | { rulesFile: string }) => new Worker({
    node, inventory, ...rules, hub: { url: hub.url, token: TOKEN }, netns: lab.nsOf(node), log: (l) => logs[node]!.push(l),
  });
  const w1 = worker('node1', { rules: { selector: 'app=api' } });
  const w2 = worker('node2', { rulesFile });
  try {
    await w1.start();
    await w2.start();
    const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
      const r = await fetch(`${hub.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' } });
      assert.equal(r.status, 200, path);
      return (await r.json()) as T;
    };
    const workers = async () => new Map((await api<{ workers: WorkerRecord[] }>('/api/workers')).workers.map((w) => [w.node, w]));
    const pods = (w: WorkerRecord | undefined) => (w?.state?.targets ?? []).map((x) => x.pod);

    // The first state goes out on connect, before the first reconcile: wait for one after it.
    const before = await until('both workers to report their targets', async () => {
      const m = await workers();
      return m.get('node1')?.state && pods(m.get('node2')).length > 0 ? m : undefined;
    });
    assert.deepEqual(pods(before.get('node1')), [], 'app=api: nothing on node1');
    assert.equal(before.get('node1')!.state!.rules, 'selector "app=api"');
    assert.deepEqual(pods(before.get('node2')), ['default/api-1']);
    assert.equal((await runHttpClient(lab, 'default/client', { target: `${lab.pod('web-1').ip}:8080`, count: 3, path: '/before' })).ok, 3);

    const putAt = Date.now();
    const put = await api<{ pushed: number }>('/api/rules', { method: 'PUT', body: JSON.stringify({ rules: { selector: 'app in (web, api)' } }) });
    assert.equal(put.pushed, 2);
    const after = await until('node1 to follow the hub\'s rules', async () => {
      const m = await workers();
      return pods(m.get('node1')).includes('default/web-1') ? m : undefined;
    });
    t.diagnostic(`PUT → node1 reports web-1 as a target: ${Date.now() - putAt} ms (state every 2 s)`);
    const n1 = after.get('node1')!;
    assert.equal(n1.runId, before.get('node1')!.runId, 'same run: no restart');
    assert.equal(n1.connected, true);
    assert.equal(n1.state!.rules, 'hub: selector "app in (web, api)"');
    assert.deepEqual(n1.state!.targetRules, { selector: 'app in (web, api)', includeHostNetwork: false });
    assert.match(logs.node1!.join('\n'), /rules changed \(hub\): selector "app in \(web, api\)"/);

    // The new capture really captures.
    assert.equal((await runHttpClient(lab, 'default/client', { target: `${lab.pod('web-1').ip}:8080`, count: 3, path: '/after' })).ok, 3);
    const paths = await until('entries from web-1', async () => {
      const { entries } = await api<{ entries: Entry[] }>(`/api/entries?q=${encodeURIComponent('http')}&limit=100`);
      const got = entries.map((e) => (e.protocol === 'http' ? e.request?.path ?? '' : ''));
      return got.filter((p) => p.startsWith('/after')).length >= 3 ? got : undefined;
    });
    assert.equal(paths.filter((p) => p.startsWith('/before')).length, 0, 'nothing from before the change');

    // node2 keeps its file: same targets, the push counted and logged once.
    await api('/api/rules', { method: 'PUT', body: JSON.stringify({ rules: { selector: 'app=nothing' } }) });
    const n2 = await until('node2 to report the ignored rules', async () => {
      const w = (await workers()).get('node2');
      return w?.state?.rules.includes('ignored 2 times') ? w : undefined;
    });
    assert.equal(n2.state!.rules, `file ${rulesFile} (rules from the hub ignored 2 times)`);
    assert.deepEqual(pods(n2), ['default/api-1']);
    assert.equal(w2.hubRulesIgnored, 2);
    assert.equal(logs.node2!.filter((l) => /rules from the hub ignored/.test(l)).length, 1, 'logged once');
    assert.deepEqual(await api('/api/rules'), { rules: { selector: 'app=nothing', includeHostNetwork: false }, source: 'hub' });
  } finally {
    await w1.stop();
    await w2.stop();
    await hub.stop();
    await server.stop().catch(() => {});
    await lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
});
