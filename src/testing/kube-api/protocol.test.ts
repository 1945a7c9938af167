/**
 * The test API server at the HTTP level: discovery, LIST and WATCH
 * resourceVersion semantics, 410s, selectors, writes, patches, status
 * codes and the test controls, checked on the raw bytes a client gets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { startKubeApiServer, type KubeApiServer, type KubeApiServerOptions } from './server.js';
import { makeNamespace, makePod, makeService } from './objects.js';

/** Parsed response JSON; `any` so assertions can reach into it (test-only, never an API edge). */
type Body = Record<string, any>;

async function withServer(opts: KubeApiServerOptions, body: (s: KubeApiServer) => Promise<void>): Promise<void> {
  const s = await startKubeApiServer(opts);
  try { await body(s); } finally { await s.close(); }
}

async function call(s: KubeApiServer, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: Body; text: string }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${s.token}` };
  if (body !== undefined) headers['Content-Type'] = contentType;
  const res = await fetch(s.url + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: Body = {};
  try { parsed = JSON.parse(text) as Body; } catch { /* not JSON */ }
  return { status: res.status, body: parsed, text };
}

interface WatchHandle {
  status: number;
  events: { type: string; object: Body }[];
  ended: Promise<'end' | 'error'>;
  close(): void;
}

function watch(s: KubeApiServer, path: string): Promise<WatchHandle> {
  return new Promise((resolve, reject) => {
    const req = request(s.url + path, { headers: { Authorization: `Bearer ${s.token}` } }, (res) => {
      const events: WatchHandle['events'] = [];
      const ended = new Promise<'end' | 'error'>((done) => {
        res.on('error', () => done('error'));
        res.on('aborted', () => done('error'));
        res.on('end', () => done('end'));
      });
      createInterface(res).on('line', (l) => events.push(JSON.parse(l) as WatchHandle['events'][number])).on('error', () => {});
      resolve({ status: res.statusCode ?? 0, events, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(what: string, cond: () => boolean, ms = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const summary = (w: WatchHandle) => w.events.map((e) => `${e.type} ${e.object.metadata?.name ?? e.object.reason ?? ''}`);

test('discovery: version, API versions, groups and resource lists', async () => {
  await withServer({}, async (s) => {
    assert.equal((await call(s, 'GET', '/version')).body.gitVersion, 'v1.31.0');
    assert.deepEqual((await call(s, 'GET', '/api')).body.versions, ['v1']);
    const groups = (await call(s, 'GET', '/apis')).body;
    assert.equal(groups.kind, 'APIGroupList');
    assert.deepEqual(groups.groups.map((g: Body) => g.name), ['apps', 'discovery.k8s.io', 'rbac.authorization.k8s.io']);
    assert.equal((await call(s, 'GET', '/apis/apps')).body.preferredVersion.groupVersion, 'apps/v1');
    const core = (await call(s, 'GET', '/api/v1')).body;
    assert.equal(core.groupVersion, 'v1');
    assert.equal(core.apiVersion, undefined);
    const names = core.resources.map((r: Body) => r.name);
    for (const n of ['pods', 'pods/status', 'services', 'nodes', 'namespaces', 'serviceaccounts', 'secrets', 'configmaps']) assert.ok(names.includes(n), n);
    const rbac = (await call(s, 'GET', '/apis/rbac.authorization.k8s.io/v1')).body;
    assert.deepEqual(rbac.resources.map((r: Body) => `${r.name}:${r.namespaced}`), ['clusterroles:false', 'clusterrolebindings:false', 'roles:true', 'rolebindings:true']);
    assert.equal((await call(s, 'GET', '/apis/discovery.k8s.io/v1')).body.resources[0].kind, 'EndpointSlice');
    const unknown = await call(s, 'GET', '/apis/batch/v1/jobs');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.reason, 'NotFound');
    assert.equal((await call(s, 'GET', '/nope')).text, '404 page not found\n');
    assert.equal((await call(s, 'GET', '/healthz')).text, 'ok');
  });
});

test('list: kind, resourceVersion, items without kind, selectors, scopes', async () => {
  await withServer({}, async (s) => {
    s.upsert(makePod({ name: 'a', nodeName: 'n1', labels: { app: 'web', tier: 'front' } }));
    s.upsert(makePod({ name: 'b', nodeName: 'n2', labels: { app: 'web' } }));
    s.upsert(makePod({ name: 'c', namespace: 'kube-system', labels: { app: 'dns' } }));
    const all = (await call(s, 'GET', '/api/v1/pods')).body;
    assert.equal(all.kind, 'PodList');
    assert.equal(all.apiVersion, 'v1');
    assert.equal(all.metadata.resourceVersion, String(s.resourceVersion));
    assert.equal(all.items[0].kind, undefined, 'list items carry no kind, as the API server writes them');
    assert.deepEqual(all.items.map((p: Body) => p.metadata.name), ['a', 'b', 'c']);
    const names = async (q: string) => (await call(s, 'GET', q)).body.items.map((p: Body) => p.metadata.name);
    assert.deepEqual(await names('/api/v1/namespaces/default/pods'), ['a', 'b']);
    assert.deepEqual(await names('/api/v1/pods?fieldSelector=spec.nodeName%3Dn2'), ['b']);
    assert.deepEqual(await names('/api/v1/pods?fieldSelector=spec.nodeName%3D'), ['c']);
    assert.deepEqual(await names('/api/v1/pods?fieldSelector=metadata.name%21%3Da,metadata.namespace%3Ddefault'), ['b']);
    assert.deepEqual(await names('/api/v1/pods?labelSelector=app%3Dweb,!tier'), ['b']);
    assert.deepEqual(await names('/api/v1/pods?labelSelector=app%20notin%20(web)'), ['c']);
    assert.deepEqual(await names('/api/v1/pods?fieldSelector=status.phase%3DPending'), ['c']);
    const bad = await call(s, 'GET', '/api/v1/pods?fieldSelector=spec.foo%3Dx');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.message, 'field label not supported: spec.foo');
    assert.equal((await call(s, 'GET', '/api/v1/pods?labelSelector=a%3D%3D%3Db')).status, 400);
    assert.equal((await call(s, 'GET', '/api/v1/nodes')).body.kind, 'NodeList');
    assert.equal((await call(s, 'GET', '/api/v1/namespaces/default/nodes')).status, 404, 'cluster-scoped in a namespace');
    assert.equal((await call(s, 'GET', '/api/v1/pods/a')).status, 404, 'a namespaced object needs its namespace');
  });
});

test('list: pages read one resourceVersion; an expired continue token and a compacted Exact read are 410', async () => {
  await withServer({}, async (s) => {
    for (let i = 0; i < 6; i++) s.upsert(makePod({ name: `p${i}`, nodeName: 'n1' }));
    const rvBefore = s.resourceVersion;
    const p1 = (await call(s, 'GET', '/api/v1/namespaces/default/pods?limit=2')).body;
    assert.equal(p1.items.length, 2);
    assert.equal(p1.metadata.remainingItemCount, 4);
    const token = JSON.parse(Buffer.from(p1.metadata.continue, 'base64').toString()) as Body;
    assert.deepEqual(token, { v: 'meta.k8s.io/v1', rv: rvBefore, start: 'p1\u0000' });
    s.remove('Pod', 'default', 'p3');
    s.upsert(makePod({ name: 'p2', nodeName: 'n9' }));
    const p2 = (await call(s, 'GET', `/api/v1/namespaces/default/pods?limit=2&continue=${encodeURIComponent(p1.metadata.continue)}`)).body;
    assert.deepEqual(p2.items.map((p: Body) => `${p.metadata.name}@${p.spec.nodeName}`), ['p2@n1', 'p3@n1']);
    assert.equal(p2.metadata.resourceVersion, String(rvBefore));
    // Exact reads the past; NotOlderThan reads the present
    const exact = (await call(s, 'GET', `/api/v1/namespaces/default/pods?resourceVersion=${rvBefore}&resourceVersionMatch=Exact`)).body;
    assert.equal(exact.items.length, 6);
    const notOlder = (await call(s, 'GET', `/api/v1/namespaces/default/pods?resourceVersion=${rvBefore}&resourceVersionMatch=NotOlderThan`)).body;
    assert.equal(notOlder.items.length, 5);
    s.compact();
    const expired = await call(s, 'GET', `/api/v1/namespaces/default/pods?limit=2&continue=${encodeURIComponent(p2.metadata.continue)}`);
    assert.equal(expired.status, 410);
    assert.equal(expired.body.reason, 'Expired');
    assert.match(expired.body.message, /continue parameter is too old/);
    const tooOld = await call(s, 'GET', `/api/v1/namespaces/default/pods?resourceVersion=${rvBefore}&resourceVersionMatch=Exact`);
    assert.equal(tooOld.status, 410);
    assert.equal(tooOld.body.message, `too old resource version: ${rvBefore} (${s.resourceVersion})`);
    assert.equal((await call(s, 'GET', `/api/v1/namespaces/default/pods?resourceVersion=${rvBefore}`)).status, 200, 'an old NotOlderThan read is served');
    assert.equal((await call(s, 'GET', '/api/v1/pods?continue=garbage')).status, 400);
  });
});

test('list and get: a resourceVersion ahead of the server waits for it, then 504', async () => {
  await withServer({ tooLargeResourceVersionWaitMs: 200 }, async (s) => {
    const ahead = s.resourceVersion + 1;
    const late = call(s, 'GET', `/api/v1/pods?resourceVersion=${ahead}`);
    await sleep(20);
    s.upsert(makePod({ name: 'a' }));
    assert.equal((await late).status, 200);
    const res = await call(s, 'GET', `/api/v1/pods?resourceVersion=${s.resourceVersion + 5}`);
    assert.equal(res.status, 504);
    assert.equal(res.body.reason, 'Timeout');
    assert.equal(res.body.details.causes[0].reason, 'ResourceVersionTooLarge');
  });
});

test('watch: initial ADDED, replay from a resourceVersion, selector transitions, namespace scope', async () => {
  await withServer({}, async (s) => {
    s.upsert(makePod({ name: 'a', labels: { app: 'web' } }));
    const rv = s.resourceVersion;
    s.upsert(makePod({ name: 'b', labels: { app: 'web' } }));
    const fromNow = await watch(s, '/api/v1/namespaces/default/pods?watch=1');
    const fromRv = await watch(s, `/api/v1/pods?watch=true&resourceVersion=${rv}`);
    const selected = await watch(s, `/api/v1/pods?watch=true&resourceVersion=${rv}&labelSelector=app%3Dweb`);
    const legacy = await watch(s, `/api/v1/watch/namespaces/kube-system/pods?resourceVersion=${rv}`);
    const named = await watch(s, `/api/v1/namespaces/default/pods/a?watch=true&resourceVersion=${rv}`);
    assert.equal(fromNow.status, 200);
    s.modify('Pod', 'default', 'a', (p) => { p.metadata.labels = { app: 'db' }; });
    s.modify('Pod', 'default', 'a', (p) => { p.metadata.labels = { app: 'web' }; });
    s.upsert(makePod({ name: 'k', namespace: 'kube-system' }));
    s.remove('Pod', 'default', 'b');
    await waitFor('events', () => fromRv.events.length === 5 && selected.events.length === 4);
    await waitFor('events', () => fromNow.events.length === 5 && legacy.events.length === 1 && named.events.length === 2);
    assert.deepEqual(summary(fromNow), ['ADDED a', 'ADDED b', 'MODIFIED a', 'MODIFIED a', 'DELETED b']);
    assert.deepEqual(summary(fromRv), ['ADDED b', 'MODIFIED a', 'MODIFIED a', 'ADDED k', 'DELETED b']);
    assert.deepEqual(summary(selected), ['ADDED b', 'DELETED a', 'ADDED a', 'DELETED b']);
    assert.deepEqual(summary(legacy), ['ADDED k']);
    assert.deepEqual(summary(named), ['MODIFIED a', 'MODIFIED a']);
    const del = fromRv.events[4].object;
    assert.equal(del.kind, 'Pod', 'watch objects carry kind and apiVersion');
    assert.equal(del.metadata.resourceVersion, String(s.resourceVersion), 'DELETED carries the deletion resourceVersion');
    for (const w of [fromNow, fromRv, selected, legacy, named]) w.close();
  });
});

test('watch: a compacted resourceVersion gets an ERROR event with a 410 Expired Status, then the stream ends', async () => {
  await withServer({ maxEvents: 3 }, async (s) => {
    const rv = s.resourceVersion;
    for (let i = 0; i < 5; i++) s.upsert(makePod({ name: `p${i}` }));
    assert.ok(s.store.stats.historyLimitHits > 0);
    const w = await watch(s, `/api/v1/pods?watch=1&resourceVersion=${rv}`);
    assert.equal(w.status, 200);
    assert.equal(await w.ended, 'end');
    assert.deepEqual(w.events, [{
      type: 'ERROR',
      object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rv} (${s.store.compactedRevision})`, reason: 'Expired', code: 410 },
    }]);
    assert.equal(s.stats.watchesExpired, 1);
    // still inside the history: served
    const ok = await watch(s, `/api/v1/pods?watch=1&resourceVersion=${s.resourceVersion - 1}`);
    await waitFor('replay', () => ok.events.length === 1);
    assert.equal(ok.events[0].type, 'ADDED');
    ok.close();
  });
});

test('watch: timeoutSeconds, bookmarks with initial-events-end, dropWatches close and reset', async () => {
  await withServer({}, async (s) => {
    s.upsert(makePod({ name: 'a' }));
    const short = await watch(s, '/api/v1/pods?watch=1&timeoutSeconds=1');
    const t0 = Date.now();
    assert.equal(await short.ended, 'end');
    assert.ok(Date.now() - t0 >= 900);
    assert.equal(s.stats.watchesTimedOut, 1);

    const initial = await watch(s, '/api/v1/pods?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true');
    await waitFor('initial events', () => initial.events.length === 2);
    assert.deepEqual(initial.events[1], {
      type: 'BOOKMARK',
      object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(s.resourceVersion), annotations: { 'k8s.io/initial-events-end': 'true' } } },
    });
    const noBookmarks = await watch(s, '/api/v1/pods?watch=1');
    s.sendBookmarks();
    await waitFor('bookmark', () => initial.events.length === 3);
    assert.equal(initial.events[2].type, 'BOOKMARK');
    assert.equal(noBookmarks.events.length, 1, 'only the ADDED: bookmarks were not allowed');

    assert.equal(s.dropWatches('close'), 2);
    assert.equal(await initial.ended, 'end');
    assert.equal(await noBookmarks.ended, 'end');
    const reset = await watch(s, '/api/v1/pods?watch=1');
    await waitFor('watch', () => s.activeWatches.length === 1);
    s.dropWatches('reset');
    assert.equal(await reset.ended, 'error');
  });
});

test('create: generateName, validation, AlreadyExists, missing namespace, namespace mismatch, defaults', async () => {
  await withServer({}, async (s) => {
    const gen = await call(s, 'POST', '/api/v1/namespaces/default/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'web-' }, spec: { containers: [{ name: 'c', image: 'nginx' }] }, status: { podIP: '1.2.3.4' } });
    assert.equal(gen.status, 201);
    assert.match(gen.body.metadata.name, /^web-[a-z0-9]{5}$/);
    assert.deepEqual(gen.body.status, { phase: 'Pending', qosClass: 'BestEffort' }, 'status is not set through create');
    assert.equal(gen.body.spec.containers[0].imagePullPolicy, 'Always');
    assert.equal(gen.body.spec.restartPolicy, 'Always');
    const noName = await call(s, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: {} });
    assert.equal(noName.status, 422);
    assert.equal(noName.body.reason, 'Invalid');
    assert.equal(noName.body.details.causes[0].field, 'metadata.name');
    assert.equal((await call(s, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'Bad_Name' } })).status, 422);
    assert.equal((await call(s, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'x' } })).status, 201);
    const dup = await call(s, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'x' } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.message, 'configmaps "x" already exists');
    const noNs = await call(s, 'POST', '/api/v1/namespaces/ghost/configmaps', { metadata: { name: 'x' } });
    assert.equal(noNs.status, 404);
    assert.equal(noNs.body.message, 'namespaces "ghost" not found');
    assert.equal((await call(s, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'y', namespace: 'kube-system' } })).status, 400);
    assert.equal((await call(s, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'y' } })).status, 400);
    assert.equal((await call(s, 'POST', '/api/v1/namespaces/default/configmaps/y', { metadata: { name: 'y' } })).status, 405);
    const svc = await call(s, 'POST', '/api/v1/namespaces/default/services', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    assert.equal(svc.body.spec.type, 'ClusterIP');
    assert.match(svc.body.spec.clusterIP, /^10\.96\.\d+\.\d+$/);
    assert.equal(svc.body.spec.ports[0].targetPort, 80);
    const ds = await call(s, 'POST', '/apis/apps/v1/namespaces/default/daemonsets', { metadata: { name: 'ds' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1' }] } } } });
    assert.equal(ds.body.metadata.generation, 1);
    assert.equal(ds.body.spec.updateStrategy.type, 'RollingUpdate');
    const dry = await call(s, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { metadata: { name: 'dry' } });
    assert.equal(dry.status, 201);
    assert.equal(s.get('ConfigMap', 'default', 'dry'), undefined);
    const crb = await call(s, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { metadata: { name: 'system:podtap' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'podtap' }, subjects: [] });
    assert.equal(crb.status, 201);
    assert.equal(crb.body.metadata.namespace, undefined);
  });
});

test('update: stale resourceVersion is a Conflict; status only through /status', async () => {
  await withServer({}, async (s) => {
    const pod = s.upsert(makePod({ name: 'a', nodeName: 'n1', ip: '10.0.0.1' }));
    const stale = { ...pod, metadata: { ...pod.metadata, resourceVersion: '1' } };
    const conflict = await call(s, 'PUT', '/api/v1/namespaces/default/pods/a', stale);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.reason, 'Conflict');
    const changed = { ...pod, metadata: { ...pod.metadata, labels: { app: 'new' } }, status: { phase: 'Failed' } };
    const put = await call(s, 'PUT', '/api/v1/namespaces/default/pods/a', changed);
    assert.equal(put.status, 200);
    assert.equal(put.body.metadata.labels.app, 'new');
    assert.equal(put.body.status.phase, 'Running', 'status kept on the main resource');
    assert.equal(put.body.metadata.uid, pod.metadata.uid);
    const status = await call(s, 'PUT', '/api/v1/namespaces/default/pods/a/status', { ...put.body, metadata: { ...put.body.metadata, labels: {} }, status: { phase: 'Failed' } });
    assert.equal(status.body.status.phase, 'Failed');
    assert.equal(status.body.metadata.labels.app, 'new', 'only status changes through /status');
    assert.equal((await call(s, 'PUT', '/api/v1/namespaces/default/pods/b', { ...pod, metadata: { name: 'b' } })).status, 404);
    assert.equal((await call(s, 'PUT', '/api/v1/namespaces/default/pods/a', { ...pod, metadata: { name: 'b' } })).status, 400);
    assert.equal((await call(s, 'PUT', '/api/v1/namespaces/default/configmaps/a/status', { metadata: { name: 'a' } })).status, 404);
  });
});

test('patch: merge, strategic (lists by key), JSON patch, apply; 415 and 422', async () => {
  await withServer({}, async (s) => {
    s.upsert(makePod({ name: 'a', labels: { app: 'web', tier: 'x' }, containers: [{ name: 'app', image: 'a:1' }, { name: 'side', image: 's:1' }] }));
    const path = '/api/v1/namespaces/default/pods/a';
    const merge = await call(s, 'PATCH', path, { metadata: { labels: { tier: null, new: 'y' } } }, 'application/merge-patch+json');
    assert.deepEqual(merge.body.metadata.labels, { app: 'web', new: 'y' });
    const smp = await call(s, 'PATCH', path, { spec: { containers: [{ name: 'side', image: 's:2' }] } }, 'application/strategic-merge-patch+json');
    assert.deepEqual(smp.body.spec.containers.map((c: Body) => `${c.name}=${c.image}`), ['app=a:1', 'side=s:2']);
    const mergeList = await call(s, 'PATCH', path, { spec: { containers: [{ name: 'only', image: 'o:1' }] } }, 'application/merge-patch+json');
    assert.deepEqual(mergeList.body.spec.containers.map((c: Body) => c.name), ['only'], 'merge patch replaces lists');
    const jp = await call(s, 'PATCH', path, [{ op: 'add', path: '/metadata/annotations', value: { a: 'b' } }, { op: 'test', path: '/metadata/name', value: 'a' }], 'application/json-patch+json');
    assert.deepEqual(jp.body.metadata.annotations, { a: 'b' });
    const failed = await call(s, 'PATCH', path, [{ op: 'test', path: '/metadata/name', value: 'zz' }], 'application/json-patch+json');
    assert.equal(failed.status, 422);
    assert.equal((await call(s, 'PATCH', path, {}, 'text/plain')).status, 415);
    assert.equal((await call(s, 'PATCH', path, { metadata: { resourceVersion: '2' } }, 'application/merge-patch+json')).status, 409);
    assert.equal((await call(s, 'PATCH', '/api/v1/namespaces/default/pods/zz', {}, 'application/merge-patch+json')).status, 404);
    // apply: YAML body, create then update
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n';
    const applyPath = '/api/v1/namespaces/default/configmaps/cfg?fieldManager=test';
    const created = await call(s, 'PATCH', applyPath, yaml, 'application/apply-patch+yaml');
    assert.equal(created.status, 201);
    const updated = await call(s, 'PATCH', applyPath, yaml.replace('"1"', '"2"'), 'application/apply-patch+yaml');
    assert.equal(updated.status, 200);
    assert.equal(updated.body.data.a, '2');
    assert.equal(updated.body.metadata.uid, created.body.metadata.uid);
    assert.equal((await call(s, 'PATCH', '/api/v1/namespaces/default/configmaps/cfg', yaml, 'application/apply-patch+yaml')).status, 422, 'fieldManager is required');
    assert.equal((await call(s, 'PATCH', applyPath, 'metadata: {name: cfg}', 'application/apply-patch+yaml')).status, 400, 'kind is required');
  });
});

test('delete: object or Status, preconditions, deletecollection, namespace cascade', async () => {
  await withServer({}, async (s) => {
    s.upsert(makeNamespace('team'));
    const pod = s.upsert(makePod({ name: 'a', namespace: 'team' }));
    s.upsert(makeService({ name: 'svc', namespace: 'team' }));
    s.upsert({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'team', labels: { k: 'v' } } });
    s.upsert({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c2', namespace: 'team' } });
    const pre = await call(s, 'DELETE', '/api/v1/namespaces/team/pods/a', { preconditions: { uid: 'other' } });
    assert.equal(pre.status, 409);
    const del = await call(s, 'DELETE', '/api/v1/namespaces/team/pods/a', { preconditions: { uid: pod.metadata.uid } });
    assert.equal(del.body.kind, 'Pod');
    assert.equal((await call(s, 'DELETE', '/api/v1/namespaces/team/pods/a')).status, 404);
    const coll = await call(s, 'DELETE', '/api/v1/namespaces/team/configmaps?labelSelector=k%3Dv');
    assert.equal(coll.body.kind, 'ConfigMapList');
    assert.deepEqual(coll.body.items.map((c: Body) => c.metadata.name), ['c1']);
    const ns = await call(s, 'DELETE', '/api/v1/namespaces/team');
    assert.equal(ns.body.kind, 'Namespace');
    assert.deepEqual(s.list('ConfigMap', 'team'), []);
    assert.deepEqual(s.list('Service', 'team'), []);
    assert.equal((await call(s, 'DELETE', '/api/v1/namespaces')).status, 405, 'namespaces have no deletecollection');
  });
});

test('controls: request log, 401 on every path, deny scoped to a namespace, offline and online', async () => {
  await withServer({}, async (s) => {
    await call(s, 'GET', '/api/v1/namespaces/default/pods?limit=5&labelSelector=a%3Db');
    const rec = s.requests.at(-1)!;
    assert.deepEqual({ ...rec, at: 0 }, {
      method: 'GET', path: '/api/v1/namespaces/default/pods', query: { limit: '5', labelSelector: 'a=b' }, watch: false,
      verb: 'list', resource: 'pods', namespace: 'default', name: undefined, subresource: undefined, contentType: undefined, status: 200, at: 0,
    });
    const anon = await fetch(`${s.url}/version`);
    assert.equal(anon.status, 401);
    assert.deepEqual(await anon.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    s.deny({ verb: 'get', resource: 'secrets', namespace: 'kube-system' });
    const f = await call(s, 'GET', '/api/v1/namespaces/kube-system/secrets/token');
    assert.equal(f.status, 403);
    assert.equal(f.body.message, 'secrets "token" is forbidden: User "system:serviceaccount:podtap:podtap" cannot get resource "secrets" in API group "" in the namespace "kube-system"');
    assert.equal((await call(s, 'GET', '/api/v1/namespaces/default/secrets/token')).status, 404);
    s.clearRequests();
    assert.equal(s.requests.length, 0);
    await s.goOffline();
    assert.equal(s.online, false);
    await assert.rejects(fetch(`${s.url}/version`));
    await s.goOnline();
    assert.equal((await call(s, 'GET', '/version')).status, 200);
  });
});
