/**
 * The test API server driven by the real @kubernetes/client-node (1.x):
 * kubeconfig loading, typed list with limit/continue, informers (list+watch,
 * add/update/delete, relist after a 410), bookmarks, server-side apply,
 * delete, 401/403 as ApiException, going offline, and 10,000 pods.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiException, AppsV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, makeInformer, PatchStrategy,
  setHeaderOptions, Watch, type KubernetesObject, type V1DaemonSet, type V1Pod,
} from '@kubernetes/client-node';
import { startKubeApiServer, type KubeApiServer, type KubeApiServerOptions } from './server.js';
import { makeDaemonSet, makeNamespace, makePod, podIp } from './objects.js';

async function withServer(opts: KubeApiServerOptions, body: (s: KubeApiServer, kc: KubeConfig) => Promise<void>): Promise<void> {
  const s = await startKubeApiServer(opts);
  const kc = new KubeConfig();
  kc.loadFromOptions(s.kubeConfigOptions());
  try { await body(s, kc); } finally { await s.close(); }
}

async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const names = (items: readonly KubernetesObject[]) => items.map((o) => o.metadata?.name ?? '').sort();

async function apiError(p: Promise<unknown>): Promise<ApiException<unknown>> {
  try { await p; } catch (e) {
    assert.ok(e instanceof ApiException, `expected an ApiException, got ${String(e)}`);
    return e as ApiException<unknown>;
  }
  return assert.fail('expected the call to fail');
}

test('client-node: loadFromOptions, listPodForAllNamespaces with limit and continue', async () => {
  await withServer({}, async (s, kc) => {
    for (let i = 0; i < 25; i++) s.upsert(makePod({ name: `web-${String(i).padStart(2, '0')}`, namespace: i % 2 ? 'default' : 'kube-system', nodeName: 'n1', ip: podIp(i) }));
    const core = kc.makeApiClient(CoreV1Api);
    const first = await core.listPodForAllNamespaces({ limit: 10 });
    assert.equal(first.items.length, 10);
    assert.ok(first.metadata?._continue, 'a continue token');
    assert.equal(first.metadata?.remainingItemCount, 15);
    const rv = first.metadata?.resourceVersion;
    // a change between pages is not seen: every page reads the first page's resourceVersion
    s.remove('pods', 'kube-system', 'web-24');
    const all = [...first.items];
    let token: string | undefined = first.metadata?._continue;
    while (token) {
      const page = await core.listPodForAllNamespaces({ limit: 10, _continue: token });
      assert.equal(page.metadata?.resourceVersion, rv);
      all.push(...page.items);
      token = page.metadata?._continue;
    }
    assert.equal(all.length, 25);
    assert.ok(all.some((p) => p.metadata?.name === 'web-24'));
    // key order: namespace, then name
    const keys = all.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
    assert.deepEqual(keys, [...keys].sort());
    assert.equal(all[0].status?.podIP, podIp(1));
    const fresh = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=n1', labelSelector: 'app in (web-01,web-24)' });
    assert.deepEqual(names(fresh.items), ['web-01']);
  });
});

test('client-node: loadFromString with a YAML kubeconfig; reads, creates and errors', async () => {
  await withServer({}, async (s) => {
    const kc = new KubeConfig();
    kc.loadFromString(s.kubeConfigYaml({ namespace: 'default' }));
    const core = kc.makeApiClient(CoreV1Api);
    s.upsert(makePod({ name: 'one', nodeName: 'n1', ip: '10.244.0.7' }));
    const pod = await core.readNamespacedPod({ name: 'one', namespace: 'default' });
    assert.equal(pod.status?.podIP, '10.244.0.7');
    assert.equal(pod.metadata?.resourceVersion, String(s.resourceVersion));
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cfg' }, data: { a: '1' } } });
    assert.equal(created.kind, 'ConfigMap');
    assert.ok(created.metadata?.uid);
    const dup = await apiError(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cfg' } } }));
    assert.equal(dup.code, 409);
    assert.equal(JSON.parse(dup.body as string).reason, 'AlreadyExists');
    const missing = await apiError(core.readNamespacedPod({ name: 'nope', namespace: 'default' }));
    assert.equal(missing.code, 404);
    assert.equal(JSON.parse(missing.body as string).message, 'pods "nope" not found');
    const version = await kc.makeApiClient(CoreV1Api).getAPIResources();
    assert.ok(version.resources.some((r) => r.name === 'pods' && r.namespaced));
  });
});

test('client-node: an informer lists once, watches once, and sees add, update and delete', async () => {
  await withServer({}, async (s, kc) => {
    s.upsert(makePod({ name: 'a', nodeName: 'n1', ip: '10.244.0.1' }));
    const core = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1Pod>(kc, '/api/v1/pods', () => core.listPodForAllNamespaces());
    const seen: string[] = [];
    informer.on('add', (p) => seen.push(`add ${p.metadata?.name} ${p.status?.podIP ?? ''}`));
    informer.on('update', (p) => seen.push(`update ${p.metadata?.name} ${p.status?.podIP ?? ''}`));
    informer.on('delete', (p) => seen.push(`delete ${p.metadata?.name}`));
    informer.on('error', (e) => seen.push(`error ${String(e)}`));
    await informer.start();
    try {
      await waitFor('the watch', () => s.activeWatches.length === 1);
      s.upsert(makePod({ name: 'b', nodeName: 'n1' }));
      s.modify('Pod', 'default', 'b', (p) => { (p.status as Record<string, unknown>).podIP = '10.244.0.2'; });
      s.remove('Pod', 'default', 'a');
      await waitFor('the delete', () => seen.includes('delete a'));
      assert.deepEqual(seen, ['add a 10.244.0.1', 'add b ', 'update b 10.244.0.2', 'delete a']);
      assert.deepEqual(names(informer.list()), ['b']);
      assert.equal(s.countRequests({ resource: 'pods', verb: 'list' }), 1);
      assert.equal(s.countRequests({ resource: 'pods', verb: 'watch' }), 1);
      const watchReq = s.requests.find((r) => r.watch)!;
      assert.equal(watchReq.query.watch, 'true');
      assert.ok(Number(watchReq.query.resourceVersion) > 0);
    } finally {
      await informer.stop();
    }
  });
});

test('client-node: after a 410 (history compacted while the watch was down) the informer relists and converges', async () => {
  await withServer({}, async (s, kc) => {
    for (const n of ['a', 'b', 'c']) s.upsert(makePod({ name: n, nodeName: 'n1' }));
    const core = kc.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1Pod>(kc, '/api/v1/namespaces/default/pods', () => core.listNamespacedPod({ namespace: 'default' }));
    const deleted: string[] = [];
    informer.on('delete', (p) => deleted.push(p.metadata?.name ?? ''));
    await informer.start();
    try {
      await waitFor('the watch', () => s.activeWatches.length === 1);
      // all in one turn: the client cannot resume before the history is gone
      assert.equal(s.dropWatches(), 1);
      s.upsert(makePod({ name: 'd', nodeName: 'n1' }));
      s.remove('Pod', 'default', 'a');
      s.compact();
      await waitFor('the relist', () => s.countRequests({ verb: 'list', resource: 'pods' }) === 2 && s.activeWatches.length === 1);
      await waitFor('convergence', () => names(informer.list()).join() === 'b,c,d');
      assert.equal(s.stats.watchesExpired, 1);
      assert.deepEqual(deleted, ['a']);
      const watches = s.requests.filter((r) => r.watch);
      assert.equal(watches.length, 3, 'first watch, the resumed one that got 410, the one after the relist');
      // later changes still arrive on the new watch
      s.upsert(makePod({ name: 'e', nodeName: 'n1' }));
      await waitFor('e', () => informer.get('e', 'default') !== undefined);
    } finally {
      await informer.stop();
    }
  });
});

test('client-node: Watch receives BOOKMARK events carrying only metadata.resourceVersion', async () => {
  await withServer({ bookmarkIntervalMs: 50 }, async (s, kc) => {
    s.upsert(makePod({ name: 'a', nodeName: 'n1' }));
    const events: { type: string; obj: KubernetesObject }[] = [];
    const watch = new Watch(kc);
    const ctl = await watch.watch('/api/v1/pods', { allowWatchBookmarks: true, resourceVersion: String(s.resourceVersion) },
      (type: string, obj: KubernetesObject) => events.push({ type, obj }), () => {});
    try {
      await waitFor('a bookmark', () => events.some((e) => e.type === 'BOOKMARK'));
      s.upsert(makePod({ name: 'b', nodeName: 'n1' }));
      await waitFor('b and another bookmark', () => events.filter((e) => e.type === 'BOOKMARK').length >= 2 && events.some((e) => e.type === 'ADDED'));
      const bm = events.filter((e) => e.type === 'BOOKMARK').at(-1)!.obj;
      assert.deepEqual(bm, { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(s.resourceVersion) } });
      assert.equal(events.find((e) => e.type === 'ADDED')!.obj.metadata?.name, 'b');
    } finally {
      ctl.abort();
    }
  });
});

test('client-node: server-side apply creates then updates a DaemonSet (KubernetesObjectApi and the typed API); delete', async () => {
  await withServer({}, async (s, kc) => {
    s.upsert(makeNamespace('podtap'));
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const spec = makeDaemonSet({ name: 'podtap-worker', namespace: 'podtap', image: 'podtap:1' }) as unknown as V1DaemonSet;
    const created = await objects.patch(spec, undefined, undefined, 'podtap', true, PatchStrategy.ServerSideApply);
    assert.equal(created.metadata?.generation, 1);
    const applies = () => s.requests.filter((r) => r.method === 'PATCH');
    assert.equal(applies()[0].status, 201);
    assert.equal(applies()[0].contentType, 'application/apply-patch+yaml');
    assert.equal(applies()[0].query.fieldManager, 'podtap');

    const apps = kc.makeApiClient(AppsV1Api);
    const updated = await apps.patchNamespacedDaemonSet({
      name: 'podtap-worker', namespace: 'podtap', fieldManager: 'podtap', force: true,
      body: makeDaemonSet({ name: 'podtap-worker', namespace: 'podtap', image: 'podtap:2' }),
    }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply));
    assert.equal(applies()[1].status, 200);
    assert.equal(applies()[1].contentType, 'application/apply-patch+yaml');
    assert.equal(updated.metadata?.uid, created.metadata?.uid);
    assert.equal(updated.metadata?.generation, 2);
    assert.equal(updated.spec?.template.spec?.containers[0].image, 'podtap:2');
    assert.equal(updated.spec?.updateStrategy?.type, 'RollingUpdate');

    // the typed API's default patch type is JSON patch
    const patched = await apps.patchNamespacedDaemonSet({
      name: 'podtap-worker', namespace: 'podtap',
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'podtap:3' }],
    });
    assert.equal(patched.spec?.template.spec?.containers[0].image, 'podtap:3');
    assert.equal(applies()[2].contentType, 'application/json-patch+json');

    const noManager = await apiError(objects.patch(spec, undefined, undefined, undefined, undefined, PatchStrategy.ServerSideApply));
    assert.equal(noManager.code, 422);

    const status = await apps.deleteNamespacedDaemonSet({ name: 'podtap-worker', namespace: 'podtap' });
    assert.equal(status.status, 'Success');
    assert.equal(s.get('DaemonSet', 'podtap', 'podtap-worker'), undefined);
    s.upsert(makePod({ name: 'p', namespace: 'podtap', nodeName: 'n1' }));
    const core = kc.makeApiClient(CoreV1Api);
    const gone = await core.deleteNamespacedPod({ name: 'p', namespace: 'podtap' });
    assert.equal(gone.metadata?.name, 'p', 'pods come back as the deleted object');
    assert.equal((await apiError(core.readNamespacedPod({ name: 'p', namespace: 'podtap' }))).code, 404);
  });
});

test('client-node: 401 for a wrong or missing token and 403 from the deny list are ApiExceptions with the code', async () => {
  await withServer({}, async (s, kc) => {
    const bad = new KubeConfig();
    bad.loadFromOptions(s.kubeConfigOptions({ token: 'wrong' }));
    assert.equal((await apiError(bad.makeApiClient(CoreV1Api).listNode())).code, 401);
    const none = new KubeConfig();
    none.loadFromOptions(s.kubeConfigOptions({ token: null }));
    assert.equal((await apiError(none.makeApiClient(CoreV1Api).listNode())).code, 401);

    s.deny({ verb: ['list', 'watch'], resource: 'pods' });
    const core = kc.makeApiClient(CoreV1Api);
    const forbidden = await apiError(core.listPodForAllNamespaces());
    assert.equal(forbidden.code, 403);
    const body = JSON.parse(forbidden.body as string) as { reason: string; message: string };
    assert.equal(body.reason, 'Forbidden');
    assert.equal(body.message, 'pods is forbidden: User "system:serviceaccount:podtap:podtap" cannot list resource "pods" in API group "" at the cluster scope');
    assert.equal((await core.listNode()).kind, 'NodeList');
    s.clearDenials();
    assert.equal((await core.listPodForAllNamespaces()).items.length, 0);
  });
});

test('client-node: an offline server refuses connections; back online on the same port', async () => {
  await withServer({}, async (s, kc) => {
    const core = kc.makeApiClient(CoreV1Api);
    const port = s.port;
    await s.goOffline();
    await assert.rejects(core.listNode(), (e: Error) => /ECONNREFUSED/.test(`${e.message} ${String((e as { code?: string }).code)}`));
    await s.goOnline();
    assert.equal(s.port, port);
    assert.equal((await core.listNamespace()).items.length, 4);
  });
});

test('client-node: 10,000 pods listed (one list, and pages of 500) and modelled in under 5 s', async () => {
  await withServer({}, async (s, kc) => {
    const nodes = 50;
    s.upsertMany(Array.from({ length: 10_000 }, (_, i) => makePod({
      name: `pod-${i}`, namespace: `ns-${i % 20}`, nodeName: `node-${i % nodes}`, ip: podIp(i),
      owner: { kind: 'ReplicaSet', name: `rs-${i % 500}` }, labels: { app: `app-${i % 100}` },
    })));
    const core = kc.makeApiClient(CoreV1Api);

    let start = Date.now();
    const informer = makeInformer<V1Pod>(kc, '/api/v1/pods', () => core.listPodForAllNamespaces());
    await informer.start();
    try {
      const byIp = new Map(informer.list().map((p) => [p.status?.podIP, p.metadata?.name]));
      const informerMs = Date.now() - start;
      assert.equal(byIp.size, 10_000);
      assert.ok(informerMs < 5000, `informer list+model took ${informerMs} ms`);
    } finally {
      await informer.stop();
    }

    start = Date.now();
    const byIp = new Map<string, string>();
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listPodForAllNamespaces({ limit: 500, _continue: token });
      for (const p of page.items) byIp.set(p.status?.podIP ?? '', `${p.metadata?.namespace}/${p.metadata?.name}`);
      token = page.metadata?._continue;
      pages++;
    } while (token);
    const pagedMs = Date.now() - start;
    assert.equal(pages, 20);
    assert.equal(s.countRequests({ verb: 'list', resource: 'pods', continued: true }), 19);
    assert.equal(s.countRequests({ verb: 'list', resource: 'pods', continued: false }), 2, 'the informer\'s list and the paginated one');
    assert.equal(byIp.size, 10_000);
    assert.ok(pagedMs < 5000, `paginated list+model took ${pagedMs} ms`);
  });
});
