import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { podtapBin, podtapSkipReason } from '../lab/podtap-cli.js';
import { pcapAddonSkipReason } from '../live/native.js';
import { processCaptureFile } from '../pipeline/read-file.js';
import { demoCapture } from './read.js';
import type { Entry } from '../entries/types.js';
import { Lab, netnsSkipReason } from '../lab/netns.js';

const TOKEN = 'tap-test-token-0123456789';

/** Start `podtap tap` and wait for its hub URL. */
async function startTap(args: string[], t: { after: (fn: () => Promise<void> | void) => void }): Promise<{ url: string; log: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-tap-test-'));
  const child = spawn(process.execPath, [podtapBin(), 'tap', '--listen', '127.0.0.1:0', '--data', dir, '--token', TOKEN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  t.after(async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  });
  const end = Date.now() + 20_000;
  for (;;) {
    const m = /hub on (http:\/\/[\d.]+:\d+)/.exec(err);
    if (m !== null) return { url: m[1]!, log: () => err };
    if (child.exitCode !== null || Date.now() > end) throw new Error(`podtap tap did not start:\n${err}`);
    await sleep(50);
  }
}

async function entries(url: string, q: string): Promise<Entry[]> {
  const r = await fetch(`${url}/api/entries?limit=1000&q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.status, 200);
  return ((await r.json()) as { entries: Entry[] }).entries;
}

test('podtap tap --demo serves the bundled demo entries through the hub API', async (t) => {
  const skip = podtapSkipReason();
  if (skip) { t.skip(skip); return; }
  const { url, log } = await startTap(['--demo', '--no-loopback'], t);
  const expected = (await processCaptureFile(demoCapture())).entries;
  const got = await entries(url, '');
  assert.equal(got.length, expected.length, log());
  assert.equal(got.filter((e) => e.protocol === 'dns').length, expected.filter((e) => e.protocol === 'dns').length);
  assert.match(log(), /login\?token=/);
});

test('podtap tap captures loopback traffic once per exchange, and never its own', async (t) => {
  const skip = podtapSkipReason() ?? pcapAddonSkipReason() ?? (process.getuid?.() === 0 ? undefined : 'needs root to capture');
  if (skip) { t.skip(skip); return; }
  const { url, log } = await startTap([], t);
  await sleep(500); // the loopback capture opens after the hub
  const server = createServer((req, res) => res.end(`hello ${req.url}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => { server.close(); });
  const port = (server.address() as AddressInfo).port;
  const N = 25;
  for (let i = 0; i < N; i++) await (await fetch(`http://127.0.0.1:${port}/item/${i}`, { headers: { connection: i % 2 === 0 ? 'keep-alive' : 'close' } })).text();
  const q = `http and dst.port == ${port}`;
  const end = Date.now() + 15_000;
  let got: Entry[] = [];
  while (Date.now() < end) {
    got = await entries(url, q);
    if (got.length >= N) break;
    await sleep(200);
  }
  await sleep(600); // anything extra would arrive by now
  got = await entries(url, q);
  assert.equal(got.length, N, log());
  assert.deepEqual(new Set(got.map((e) => e.protocol === 'http' ? e.request?.path : '')).size, N, 'each request once');
  const hubPort = Number(new URL(url).port);
  assert.equal((await entries(url, `src.port == ${hubPort} or dst.port == ${hubPort}`)).length, 0, 'the hub\'s own traffic is not captured');
  const workers = (await (await fetch(`${url}/api/workers`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { workers: Array<{ connected: boolean }> };
  assert.equal(workers.workers[0]?.connected, true);
});

test('podtap tap captures the traffic of the host\'s network namespaces (the host here: a lab namespace)', async (t) => {
  const skip = podtapSkipReason() ?? netnsSkipReason() ?? pcapAddonSkipReason();
  if (skip) { t.skip(skip); return; }
  const lab = await Lab.create({ nodes: ['host', 'pod'] });
  const dir = mkdtempSync(join(tmpdir(), 'podtap-tap-ns-'));
  t.after(async () => { await lab.teardown(); rmSync(dir, { recursive: true, force: true }); });
  const tap = lab.spawn('host', process.execPath, [podtapBin(), 'tap', '--listen', '127.0.0.1:0', '--data', dir, '--token', TOKEN, '--no-loopback'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  tap.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const podNs = lab.node('pod').ns;
  const end = Date.now() + 20_000;
  while (!new RegExp(`capturing netns/${podNs}`).test(err)) {
    if (tap.exitCode !== null || Date.now() > end) throw new Error(`podtap tap did not capture ${podNs}:\n${err}`);
    await sleep(100);
  }
  const url = /hub on (http:\/\/[\d.]+:\d+)/.exec(err)![1]!;
  const podIp = lab.node('pod').ip;
  lab.spawn('pod', process.execPath, ['-e', `require('http').createServer((q, s) => s.end('ok ' + q.url)).listen(8080, '${podIp}')`], { stdio: 'ignore' });
  await sleep(500);
  const N = 12;
  const urls = Array.from({ length: N }, (_, i) => `http://${podIp}:8080/ns/${i}`);
  await lab.exec('host', 'curl', ['-s', '-o', '/dev/null', ...urls]); // one connection, keep-alive
  const q = encodeURIComponent(`http and dst.port == 8080 and request.path.startsWith("/ns/")`);
  let got: Entry[] = [];
  for (let i = 0; i < 50 && got.length < N; i++) {
    await sleep(200);
    const r = await lab.exec('host', 'curl', ['-s', '-H', `Authorization: Bearer ${TOKEN}`, `${url}/api/entries?limit=100&q=${q}`]);
    got = (JSON.parse(r.stdout) as { entries: Entry[] }).entries;
  }
  assert.equal(got.length, N, err);
  assert.equal(new Set(got.map((e) => (e.protocol === 'http' ? e.request?.path : ''))).size, N, 'each request once');
  tap.kill('SIGTERM');
  await new Promise((r) => tap.once('exit', r));
});
