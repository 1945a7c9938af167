import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { makePod, startKubeApiServer } from '../../testing/kube-api/index.js';
import { Hub } from '../../hub/server.js';
import { startProxy } from './proxy.js';

const TOKEN = 'proxy-test-token-0123456789';

test('podtap proxy reaches the hub pod through the API server\'s port-forward', async (t) => {
  const api = await startKubeApiServer();
  const dir = mkdtempSync(join(tmpdir(), 'podtap-proxy-'));
  const hub = new Hub({ host: '127.0.0.1', port: 0, token: TOKEN, store: { dir }, log: () => {} });
  await hub.start();
  t.after(async () => { await hub.stop(); await api.close(); rmSync(dir, { recursive: true }); });
  const labels = { 'app.kubernetes.io/name': 'podtap', 'app.kubernetes.io/component': 'hub' };
  api.upsert(makePod({ name: 'podtap-hub-7d9f', namespace: 'default', nodeName: 'n1', ip: '10.9.0.2', labels }));
  api.portForward.route('default', 'podtap-hub-7d9f', 8899, { host: '127.0.0.1', port: Number(new URL(hub.url).port) });
  const kc = new KubeConfig();
  kc.loadFromOptions(api.kubeConfigOptions());
  const proxy = await startProxy(kc, { namespace: 'default', labels, remotePort: 8899, port: 0 });
  t.after(() => proxy.close());
  const health = await fetch(`${proxy.url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { ok: true });
  const entries = await fetch(`${proxy.url}/api/entries`, { headers: { authorization: `Bearer ${TOKEN}`, connection: 'close' } });
  assert.equal(entries.status, 200);
  assert.ok(api.portForward.opened >= 1);
  // No hub pod: a clear error naming the fix.
  api.remove('Pod', 'default', 'podtap-hub-7d9f');
  await assert.rejects(startProxy(kc, { namespace: 'default', labels, remotePort: 8899, port: 0 }), /no running hub pod in namespace default: is podtap deployed\?/);
});
