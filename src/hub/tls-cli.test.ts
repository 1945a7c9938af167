/**
 * Mutual TLS as users run it: `podtap certs`, then `podtap hub --tls-dir`
 * and `podtap worker --hub https://… --tls-dir` as processes; the worker's
 * stream reaches the hub, and wrong flag combinations are one line each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { clusterFixture } from '../cluster/test-support.js';
import { waitForExit, waitForOutput } from '../lab/proc.js';
import { pcapAddonSkipReason } from '../live/native.js';

const bin = join(packageRoot(), 'bin', 'podtap.js');
const TOKEN = 'tls-cli-token-0123456789';
const isRoot = process.getuid?.() === 0;

function podtap(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 15_000, env: { ...process.env, PODTAP_TOKEN: TOKEN } });
  return { code: r.status, err: r.stderr };
}

function oneLine(r: { code: number | null; err: string }, pattern: RegExp): void {
  assert.notEqual(r.code, 0, r.err);
  assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.match(r.err, pattern);
}

function getJson(url: string, ca: string): Promise<any> {
  return new Promise((resolve, reject) => {
    request(url, { ca, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      let b = '';
      res.on('data', (d: Buffer) => { b += d.toString(); });
      res.on('end', () => resolve(JSON.parse(b)));
    }).on('error', reject).end();
  });
}

test('podtap certs, hub --tls-dir and worker --tls-dir: the worker streams to the hub over mutual TLS', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-tls-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tls = join(dir, 'tls');
  const certs = podtap(['certs', '--out', tls, '--hub-names', 'hub.example.com,10.1.2.3']);
  assert.equal(certs.code, 0, certs.err);
  assert.match(certs.err, /hub: podtap hub \(DNS:hub\.example\.com, DNS:localhost, IP Address:10\.1\.2\.3, IP Address:127\.0\.0\.1/);
  oneLine(podtap(['certs', '--out', tls]), /already exist; pass --force/);
  oneLine(podtap(['hub', '--tls-dir', join(dir, 'none')]), /none\/ca\.crt: cannot be read \(ENOENT\)/);
  oneLine(podtap(['hub', '--tls-cert', join(tls, 'hub.crt')]), /--tls-cert without --tls-ca, --tls-key/);
  oneLine(podtap(['hub', '--tls-cert', join(tls, 'worker.crt'), '--tls-key', join(tls, 'worker.key'), '--tls-ca', join(tls, 'ca.crt')]), /worker\.crt is not a server certificate/);
  const worker = ['worker', '--node', 'kind-worker', '--inventory', clusterFixture('kind-cluster.json'), '-n', 'no-such-namespace'];
  oneLine(podtap([...worker, '--hub', 'https://127.0.0.1:1']), /--hub https:\/\/127\.0\.0\.1:1: give --tls-dir DIR/);
  oneLine(podtap([...worker, '--hub', 'http://127.0.0.1:1', '--tls-dir', tls]), /is plain HTTP: use https:\/\//);
  oneLine(podtap([...worker, '--tls-dir', tls]), /need --hub https:\/\//);

  const hub = spawn(process.execPath, [bin, 'hub', '--listen', '127.0.0.1:0', '--data', join(dir, 'data'), '--token', TOKEN, '--tls-dir', tls], { stdio: ['ignore', 'pipe', 'pipe'] });
  let hubErr = '';
  hub.stderr!.setEncoding('utf8').on('data', (d: string) => { hubErr += d; });
  try {
    const seen = await waitForOutput(hub, /TLS with .*workers must present a client certificate signed by podtap CA/, 10_000);
    const url = /serving on (https:\/\/127\.0\.0\.1:\d+)/.exec(seen)?.[1];
    assert.ok(url !== undefined, hubErr);
    const ca = readFileSync(join(tls, 'ca.crt'), 'utf8');
    assert.deepEqual(await getJson(`${url}/healthz`, ca), { ok: true });
    if (!isRoot || pcapAddonSkipReason() !== undefined) { t.diagnostic('worker part skipped: needs root and the libpcap addon'); return; }
    const w = spawn(process.execPath, [bin, ...worker, '--hub', url, '--token', TOKEN, '--tls-dir', tls], { stdio: ['ignore', 'pipe', 'pipe'] });
    let wErr = '';
    w.stderr!.setEncoding('utf8').on('data', (d: string) => { wErr += d; });
    try {
      await waitForOutput(w, /connected to hub https:/, 10_000);
      assert.match(wErr, /TLS with .*worker\.crt: podtap worker.*the hub must present a certificate signed by podtap CA/);
      const deadline = Date.now() + 5000;
      let workers: Array<{ node: string; connected: boolean }> = [];
      while (Date.now() < deadline && !workers.some((x) => x.node === 'kind-worker' && x.connected)) {
        workers = (await getJson(`${url}/api/workers`, ca)).workers;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(workers.some((x) => x.node === 'kind-worker' && x.connected), JSON.stringify(workers));
    } finally {
      w.kill('SIGTERM');
    }
    assert.equal(await waitForExit(w), 0, wErr);
  } finally {
    hub.kill('SIGTERM');
    await waitForExit(hub);
  }
});
