/**
 * The worker with its metadata from the Kubernetes API (the test API server
 * speaking the real protocol), capturing in the simulated cluster: a pod
 * deleted and replaced by a new pod with the same IP shows up in the watch,
 * in the captures and in the entries' names; while the API is away the
 * worker keeps capturing with the last metadata and says so; one list and
 * one watch per resource type for the whole run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClusterLab, clusterLabSkipReason } from '../lab/cluster/lab.js';
import { defaultClusterSpec } from '../lab/cluster/spec.js';
import { runHttpClient, startHttpServer } from '../lab/cluster/workloads.js';
import { pcapAddonSkipReason } from '../live/native.js';
import { startKubeApiServer, type KubeObject } from '../testing/kube-api/index.js';
import type { HttpEntry } from '../entries/types.js';
import { Worker, WORKER_TICK_MS } from './worker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FLUSH_MS = WORKER_TICK_MS + 300;

function entries(file: string, prefix: string): HttpEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as HttpEntry)
    .filter((e) => e.protocol === 'http' && e.request?.path.startsWith(`${prefix}/`));
}

async function waitForLine(lines: string[], re: RegExp, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!lines.some((l) => re.test(l))) {
    if (Date.now() > end) assert.fail(`no log line ${re}; got:\n${lines.join('\n')}`);
    await sleep(20);
  }
}

test('worker on the Kubernetes API in the lab: IP reuse named right, API outage survived, one list+watch per type', { timeout: 120_000 }, async (t) => {
  const skip = clusterLabSkipReason() ?? pcapAddonSkipReason();
  if (skip) { t.skip(skip); return; }
  const lab = await buildClusterLab(defaultClusterSpec());
  const api = await startKubeApiServer();
  const dir = mkdtempSync(join(tmpdir(), 'podtap-kube-lab-'));
  const servers = [await startHttpServer(lab, 'default/web-1', { port: 8080 })];
  t.after(async () => {
    for (const s of servers) await s.stop().catch(() => {});
    await api.close();
    await lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  });
  // The lab's pods, services and nodes, as the API server would have them.
  for (const item of lab.inventory().items) api.upsert(item as unknown as KubeObject);
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, api.kubeConfigYaml());
  const log: string[] = [];
  const out = join(dir, 'entries.jsonl');
  const w = new Worker({ node: 'node1', kube: { kubeconfig }, rules: { podRegex: '^web' }, out, netns: lab.nsOf('node1'), log: (l) => log.push(l) });
  await w.start();
  const web = `${lab.pod('web-1').ip}:8080`;
  const veth = lab.pod('web-1').hostVeth;
  try {
    assert.deepEqual(w.interfaces, [veth]);
    assert.equal((await runHttpClient(lab, 'default/client', { target: web, count: 6, path: '/k1' })).ok, 6);
    await sleep(FLUSH_MS);

    // web-1 is deleted; web-2 (a new pod, new uid) gets the same IP.
    const old = api.get('Pod', 'default', 'web-1')!;
    api.remove('Pod', 'default', 'web-1');
    api.upsert({ ...old, metadata: { ...old.metadata, name: 'web-2', uid: '00000000-0000-4000-a000-0000000000b2', resourceVersion: undefined, creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } } as KubeObject);
    await waitForLine(log, new RegExp(`capturing default/web-2 on ${veth}`), 3000);
    assert.equal((await runHttpClient(lab, 'default/client', { target: web, count: 6, path: '/k2' })).ok, 6);
    await sleep(FLUSH_MS);

    // The API goes away: capture goes on with the last metadata, and the worker says so.
    await api.goOffline();
    await waitForLine(log, /keeping the last known pods/, 10_000);
    assert.equal((await runHttpClient(lab, 'default/client', { target: web, count: 6, path: '/k3' })).ok, 6);
    await sleep(FLUSH_MS);
    await api.goOnline();
  } finally {
    await w.stop();
  }
  const k1 = entries(out, '/k1'), k2 = entries(out, '/k2'), k3 = entries(out, '/k3');
  assert.equal(k1.length, 6);
  assert.equal(k2.length, 6);
  assert.equal(k3.length, 6, 'captured while the API was away');
  assert.ok(k1.every((e) => e.dst.pod === 'web-1' && e.src.pod === 'client'), 'before the replacement: web-1');
  assert.ok(k2.every((e) => e.dst.pod === 'web-2'), `after: the new owner of the IP: ${k2.map((e) => e.dst.pod).join(',')}`);
  assert.ok(k3.every((e) => e.dst.pod === 'web-2' && e.dst.namespace === 'default'), 'names from the last known metadata');
  for (const r of ['pods', 'services', 'endpointslices', 'nodes', 'namespaces']) {
    assert.equal(api.countRequests({ verb: 'list', resource: r, continued: false }), 1, `${r}: one list`);
  }
  // (The outage ends the watches; they resume from their last resourceVersion, without a new list.)
});
