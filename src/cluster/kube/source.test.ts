import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { KubeConfig } from '@kubernetes/client-node';
import { makeEndpointSlice, makeNode, makePod, makeService, startKubeApiServer, type KubeApiServer } from '../../testing/kube-api/index.js';
import { watchKubernetes, type KubeSource } from './source.js';
import { loadKubeConfig } from './config.js';
import type { ClusterSnapshot } from '../model.js';
import { EndpointNamer } from '../namer.js';
import { httpGet } from '../../output/sample-entries.js';
import type { Entry } from '../../entries/types.js';
import { loadClusterSnapshot } from '../../cli/cluster-source.js';

const RESOURCES = ['pods', 'services', 'endpointslices', 'nodes', 'namespaces'];
const quiet = (): void => {};

function kubeconfigFor(s: KubeApiServer, token?: string | null): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions(s.kubeConfigOptions(token === undefined ? {} : { token }));
  return kc;
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function follow(s: KubeApiServer, log: string[] = []): { source: KubeSource; snapshots: ClusterSnapshot[]; errors: Error[] } {
  const snapshots: ClusterSnapshot[] = [];
  const errors: Error[] = [];
  const source = watchKubernetes(kubeconfigFor(s), (x) => snapshots.push(x), (e) => errors.push(e), (l) => log.push(l));
  return { source, snapshots, errors };
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

test('10,000 pods: listed in pages in under 5 s, a model under 200 MB, one list and one watch per resource type', { timeout: 60_000 }, async (t) => {
  const s = await startKubeApiServer();
  t.after(() => s.close());
  const objs = [];
  for (let i = 0; i < 10_000; i++) objs.push(makePod({ name: `p-${i}`, namespace: `ns-${i % 20}`, nodeName: `node-${i % 50}`, ip: `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, labels: { app: `a${i % 100}`, tier: 'web' } }));
  for (let n = 0; n < 50; n++) objs.push(makeNode({ name: `node-${n}`, internalIP: `172.18.0.${n + 2}`, podCIDR: `10.64.${n}.0/24` }));
  s.upsertMany(objs);
  gc();
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  const { source } = follow(s);
  t.after(() => source.close());
  const first = await source.ready;
  const ms = performance.now() - started;
  assert.ok(first !== undefined);
  assert.equal(first.pods.length, 10_000);
  assert.ok(ms < 5000, `initial list took ${ms.toFixed(0)} ms`);
  gc();
  const model = process.memoryUsage().heapUsed - before;
  assert.ok(model < 200 * 1024 * 1024, `model ${(model / 2 ** 20).toFixed(1)} MiB`);
  t.diagnostic(`10,000 pods: first snapshot in ${ms.toFixed(0)} ms, heap ${(model / 2 ** 20).toFixed(1)} MiB, ${source.resources.pods!.pages} pages`);

  // Changes arrive through the one watch; an update reaches a snapshot within a second.
  const seen: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t0 = performance.now();
    const n = source.stats.snapshots;
    s.modify('Pod', 'ns-0', 'p-0', (o) => { (o.metadata.labels as Record<string, string>).rev = String(k); });
    await until(() => source.stats.snapshots > n && source.current!.pods.find((p) => p.key === 'ns-0/p-0')!.labels.rev === String(k));
    seen.push(performance.now() - t0);
  }
  assert.ok(Math.max(...seen) < 1000, `updates applied after ${seen.map((x) => x.toFixed(0)).join(', ')} ms`);
  for (const r of RESOURCES) {
    assert.equal(s.countRequests({ verb: 'list', resource: r, continued: false }), 1, `${r}: one list`);
    assert.equal(s.countRequests({ verb: 'watch', resource: r }), 1, `${r}: one watch`);
  }
});

test('a watch that expired (410 Gone) lists again and converges; bookmarks are followed', async (t) => {
  const s = await startKubeApiServer({ bookmarkIntervalMs: 100 });
  t.after(() => s.close());
  s.upsert(makePod({ name: 'keep', nodeName: 'n1', ip: '10.1.0.1' }));
  s.upsert(makePod({ name: 'gone', nodeName: 'n1', ip: '10.1.0.2' }));
  const { source } = follow(s);
  t.after(() => source.close());
  await source.ready;
  await until(() => source.resources.pods!.bookmarks > 0, 3000);
  // The watch is cut, things change, and the history is compacted before the client is back.
  s.dropWatches();
  s.remove('Pod', 'default', 'gone');
  s.upsert(makePod({ name: 'new', nodeName: 'n1', ip: '10.1.0.3' }));
  s.compact();
  await until(() => {
    const names = source.current?.pods.map((p) => p.name).sort().join() ?? '';
    return names === 'keep,new';
  }, 10_000);
  assert.ok(source.resources.pods!.gone >= 1 || source.resources.pods!.lists >= 2, JSON.stringify(source.resources.pods));
});

test('while the API is away the last metadata stays and it is said once; then it follows again', async (t) => {
  const s = await startKubeApiServer();
  t.after(() => s.close());
  s.upsert(makePod({ name: 'a', nodeName: 'n1', ip: '10.2.0.1' }));
  const log: string[] = [];
  const { source } = follow(s, log);
  t.after(() => source.close());
  await source.ready;
  await s.goOffline();
  await until(() => log.some((l) => /keeping the last known pods/.test(l)), 5000);
  assert.equal(source.current!.pods.length, 1, 'last known metadata kept');
  await s.goOnline();
  s.upsert(makePod({ name: 'b', nodeName: 'n1', ip: '10.2.0.2' }));
  await until(() => source.current!.pods.length === 2, 15_000);
  assert.ok(log.some((l) => /watching pods again/.test(l)), log.join('\n'));
});

test('services with EndpointSlices name the pods behind them', async (t) => {
  const s = await startKubeApiServer();
  t.after(() => s.close());
  s.upsert(makePod({ name: 'cart-1', namespace: 'shop', nodeName: 'n1', ip: '10.3.0.5', labels: { app: 'cart' } }));
  s.upsert(makeService({ name: 'cart', namespace: 'shop', clusterIP: '10.96.3.3', selector: { app: 'cart' } }));
  s.upsert(makeEndpointSlice({ name: 'cart-x1', namespace: 'shop', service: 'cart', endpoints: [{ ip: '10.3.0.5' }] }));
  const { source } = follow(s);
  t.after(() => source.close());
  const snap = (await source.ready)!;
  assert.deepEqual(snap.services.find((x) => x.name === 'cart')?.endpointIPs, ['10.3.0.5']);
  const named = new EndpointNamer(snap).name({ ...httpGet(), timestamp: Date.now(), src: { ip: '10.3.0.5', port: 1234 }, dst: { ip: '10.96.3.3', port: 80 } } as Entry);
  assert.equal(named.src.name, 'cart');
  assert.equal(named.src.pod, 'cart-1');
  assert.equal(named.dst.service, 'cart');
});

test('an IP reused after a pod is deleted names each entry after the pod of its time', async (t) => {
  const s = await startKubeApiServer();
  t.after(() => s.close());
  const namer = new EndpointNamer();
  const source = watchKubernetes(kubeconfigFor(s), (x) => namer.update(x), quiet, quiet);
  t.after(() => source.close());
  const t1 = Date.now();
  s.upsert(makePod({ name: 'first', nodeName: 'n1', ip: '10.4.0.9', creationTimestamp: new Date(t1 - 60_000).toISOString().replace(/\.\d+Z$/, 'Z') }));
  await source.ready;
  await until(() => source.current!.pods.some((p) => p.name === 'first'));
  s.remove('Pod', 'default', 'first');
  const t2 = t1 + 5000;
  s.upsert(makePod({ name: 'second', nodeName: 'n1', ip: '10.4.0.9', creationTimestamp: new Date(t2).toISOString().replace(/\.\d+Z$/, 'Z') }));
  await until(() => source.current!.pods.some((p) => p.name === 'second') && !source.current!.pods.some((p) => p.name === 'first'));
  const at = (ts: number) => namer.name({ ...httpGet(), timestamp: ts, src: { ip: '10.4.0.9', port: 5555 }, dst: { ip: '10.9.9.9', port: 80 } } as Entry).src.pod;
  assert.equal(at(t1 - 1000), 'first', 'before the delete: the old pod');
  assert.equal(at(t2 + 3000), 'second', 'after the new pod started: the new pod');
});

test('bad input: unreachable API, wrong credentials, RBAC forbidden, unknown context — each a clear error naming the fix', async (t) => {
  const s = await startKubeApiServer();
  t.after(() => s.close());
  const first = async (kc: KubeConfig): Promise<string> => {
    let msg = '';
    const src = watchKubernetes(kc, quiet, (e) => { msg ||= e.message; }, quiet);
    const r = await src.ready;
    src.close();
    assert.equal(r, undefined);
    return msg;
  };
  assert.match(await first(kubeconfigFor(s, 'wrong-token')), /refused the credentials.*expired/);
  s.deny({ verb: 'list', resource: 'pods' });
  assert.match(await first(kubeconfigFor(s)), /forbids .*pods.*get, list and watch/);
  s.clearDenials();
  const kc = kubeconfigFor(s);
  await s.goOffline();
  assert.match(await first(kc), /cannot reach the Kubernetes API/);
  await s.goOnline();
  const dir = mkdtempSync(join(tmpdir(), 'podtap-kc-'));
  t.after(() => rmSync(dir, { recursive: true }));
  const file = join(dir, 'config');
  writeFileSync(file, s.kubeConfigYaml());
  await assert.rejects(() => loadKubeConfig({ kubeconfig: file, context: 'nope' }), /--context nope: no such context in the kubeconfig \(it has: /);
  await assert.rejects(() => loadKubeConfig({ kubeconfig: join(dir, 'missing') }), /no kubeconfig at .*--kubeconfig FILE/);
  // The CLI path: a snapshot through a kubeconfig file.
  s.upsert(makePod({ name: 'x', nodeName: 'n1', ip: '10.5.0.1' }));
  const snap = await loadClusterSnapshot({ kube: { kubeconfig: file } });
  assert.ok(snap.pods.some((p) => p.name === 'x'));
});
