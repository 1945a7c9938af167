import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KubeConfig } from '@kubernetes/client-node';
import { makeNamespace, makePod, startKubeApiServer, type KubeApiServer } from '../testing/kube-api/index.js';
import { runClean, runClusterTap } from './cluster-cmd.js';
import { run } from '../lab/proc.js';
import { podtapBin, podtapSkipReason } from '../lab/podtap-cli.js';

const quiet = (): void => {};

/** Stand in for the controllers: once the hub Deployment and worker DaemonSet exist, mark them ready. */
function fakeControllers(api: KubeApiServer, ns: string, nodes: number): NodeJS.Timeout {
  return setInterval(() => {
    if (api.get('Deployment', ns, 'podtap-hub') !== undefined) api.modify('Deployment', ns, 'podtap-hub', (o) => { o.status = { replicas: 1, readyReplicas: 1 }; });
    if (api.get('DaemonSet', ns, 'podtap-worker') !== undefined) api.modify('DaemonSet', ns, 'podtap-worker', (o) => { o.status = { desiredNumberScheduled: nodes, numberReady: nodes, currentNumberScheduled: nodes, numberMisscheduled: 0 }; });
  }, 200);
}

test('tap --dry-run prints the manifests with the targeting flags', async (t) => {
  const skip = podtapSkipReason();
  if (skip) { t.skip(skip); return; }
  const dir = mkdtempSync(join(tmpdir(), 'podtap-kc-'));
  t.after(() => rmSync(dir, { recursive: true }));
  const api = await startKubeApiServer();
  t.after(() => api.close());
  writeFileSync(join(dir, 'config'), api.kubeConfigYaml());
  const r = await run(process.execPath, [podtapBin(), 'tap', '--kubeconfig', join(dir, 'config'), '--dry-run', '-n', 'shop', '-l', 'tier=web', 'cart|catalog']);
  const docs = parseAllDocuments(r.stdout).map((d) => d.toJSON() as { kind: string; spec?: { template?: { spec?: { containers?: Array<{ args?: string[] }> } } } });
  const ds = docs.find((d) => d.kind === 'DaemonSet')!;
  const args = ds.spec!.template!.spec!.containers![0]!.args!;
  assert.ok(args.includes('--namespaces=shop'), args.join(' '));
  assert.ok(args.includes('--selector=tier=web'));
  assert.deepEqual(args.slice(-2), ['--', 'cart|catalog']);
  assert.equal(api.countRequests({ method: 'PATCH' }), 0, 'a dry run applies nothing');
});

test('tap deploys with server-side apply, waits for readiness, keeps its token; clean removes only what podtap created', async (t) => {
  const api = await startKubeApiServer();
  t.after(() => api.close());
  const kc = new KubeConfig();
  kc.loadFromOptions(api.kubeConfigOptions());
  const dir = mkdtempSync(join(tmpdir(), 'podtap-kc-'));
  t.after(() => rmSync(dir, { recursive: true }));
  const file = join(dir, 'config');
  writeFileSync(file, api.kubeConfigYaml());
  api.upsert(makeNamespace('shop'));
  api.upsert(makePod({ name: 'cart-1', namespace: 'shop', nodeName: 'n1', ip: '10.7.0.5' }));
  const controllers = fakeControllers(api, 'podtap', 3);
  t.after(() => clearInterval(controllers));
  const log: string[] = [];
  const opts = { kubeconfig: file, releaseNamespace: 'podtap', proxy: false, port: '0', timeout: '20', namespaces: ['shop'] };
  await runClusterTap(opts, (l) => log.push(l));
  assert.ok(log.some((l) => /hub 0\/1, workers 0\/\?/.test(l) || /waiting/.test(l)), log.join('\n'));
  assert.ok(log.some((l) => /hub and workers are ready/.test(l)));
  for (const [kind, ns, name] of [['Namespace', undefined, 'podtap'], ['DaemonSet', 'podtap', 'podtap-worker'], ['Deployment', 'podtap', 'podtap-hub'], ['Secret', 'podtap', 'podtap-token'], ['ClusterRole', undefined, 'podtap:podtap-worker']] as const) {
    assert.ok(api.get(kind, ns, name) !== undefined, `${kind} ${name} applied`);
  }
  const token1 = (api.get('Secret', 'podtap', 'podtap-token')!.data as Record<string, string>).token;
  assert.ok(api.countRequests({ method: 'PATCH' }) >= 9, 'server-side apply');
  await runClusterTap(opts, quiet);
  assert.equal((api.get('Secret', 'podtap', 'podtap-token')!.data as Record<string, string>).token, token1, 'a second tap keeps the token');

  const removed = await runClean(kc, 'podtap', quiet);
  assert.ok(removed.length >= 8, removed.join(', '));
  assert.equal(api.get('DaemonSet', 'podtap', 'podtap-worker'), undefined);
  assert.equal(api.get('ClusterRole', undefined, 'podtap:podtap-worker'), undefined);
  assert.equal(api.get('Namespace', undefined, 'podtap'), undefined);
  assert.ok(api.get('Pod', 'shop', 'cart-1') !== undefined, 'nothing else is removed');
  assert.ok(api.get('Namespace', undefined, 'shop') !== undefined);
  assert.deepEqual(await runClean(kc, 'podtap', quiet), [], 'a second clean has nothing to do');
});

test('tap gives up with a clear error when the workers never become ready', async (t) => {
  const api = await startKubeApiServer();
  t.after(() => api.close());
  const dir = mkdtempSync(join(tmpdir(), 'podtap-kc-'));
  t.after(() => rmSync(dir, { recursive: true }));
  writeFileSync(join(dir, 'config'), api.kubeConfigYaml());
  await assert.rejects(runClusterTap({ kubeconfig: join(dir, 'config'), releaseNamespace: 'podtap', proxy: false, port: '0', timeout: '2' }, quiet),
    /not ready after 2 s \(hub 0\/1, workers 0\/\? ready\); see kubectl -n podtap get pods/);
});
