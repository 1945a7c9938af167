/**
 * `podtap proxy` to a hub serving TLS (the cluster install's default): the
 * proxy speaks TLS to the hub, checking its certificate against podtap's CA
 * and the Service name, and serves plain HTTP on loopback; a hub whose
 * certificate does not check is not talked to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { makePod, startKubeApiServer } from '../../testing/kube-api/index.js';
import { Hub } from '../../hub/server.js';
import { generateBundle, writeBundle } from '../../hub/certs.js';
import { loadTls, tlsFiles } from '../../hub/tls.js';
import { startProxy } from './proxy.js';

const TOKEN = 'proxy-tls-token-0123456789';

test('podtap proxy terminates TLS to the hub: plain HTTP on loopback, the hub checked against the CA', async (t) => {
  const api = await startKubeApiServer();
  const dir = mkdtempSync(join(tmpdir(), 'podtap-proxy-tls-'));
  const bundle = generateBundle({ hubNames: ['podtap-hub.default.svc'] });
  writeBundle(join(dir, 'tls'), bundle);
  const hub = new Hub({ host: '127.0.0.1', port: 0, token: TOKEN, store: { dir: join(dir, 'data') }, log: () => {}, tls: loadTls(tlsFiles({ tlsDir: join(dir, 'tls') }, 'hub')!, 'hub') });
  await hub.start();
  t.after(async () => { await hub.stop(); await api.close(); rmSync(dir, { recursive: true }); });
  const labels = { 'app.kubernetes.io/name': 'podtap', 'app.kubernetes.io/component': 'hub' };
  api.upsert(makePod({ name: 'podtap-hub-7d9f', namespace: 'default', nodeName: 'n1', ip: '10.9.0.2', labels }));
  api.portForward.route('default', 'podtap-hub-7d9f', 8899, { host: '127.0.0.1', port: Number(new URL(hub.url).port) });
  const kc = new KubeConfig();
  kc.loadFromOptions(api.kubeConfigOptions());

  const proxy = await startProxy(kc, { namespace: 'default', labels, remotePort: 8899, port: 0, tls: { ca: bundle.ca, servername: 'podtap-hub.default.svc' } });
  t.after(() => proxy.close());
  assert.match(proxy.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(await (await fetch(`${proxy.url}/healthz`, { headers: { connection: 'close' } })).json(), { ok: true });
  const entries = await fetch(`${proxy.url}/api/entries`, { headers: { authorization: `Bearer ${TOKEN}`, connection: 'close' } });
  assert.equal(entries.status, 200);

  const log: string[] = [];
  const wrong = await startProxy(kc, { namespace: 'default', labels, remotePort: 8899, port: 0, log: (l) => log.push(l), tls: { ca: generateBundle().ca, servername: 'podtap-hub.default.svc' } });
  t.after(() => wrong.close());
  await assert.rejects(fetch(`${wrong.url}/healthz`, { headers: { connection: 'close' } }));
  assert.match(log.join('\n'), /podtap proxy: TLS to the hub: .*(self.signed|unable to verify|issuer)/i);
});
