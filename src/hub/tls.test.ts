/**
 * Mutual TLS between workers and the hub: the files `podtap certs` writes
 * (checked by node and by `openssl verify` for each purpose), the checks at
 * start, and a hub and an uplink over TLS: entries stored with the right
 * files; refused, with a log line saying why, for a client certificate of
 * another CA, no client certificate, a worker that does not trust the
 * hub's CA, a host name the certificate lacks, certificates used for the
 * wrong purpose, and plain HTTP against the TLS port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'node:https';
import { WebSocket } from 'ws';
import { Hub } from './server.js';
import { Uplink } from './uplink.js';
import { JsonlWriter } from '../output/jsonl.js';
import { httpGet } from '../output/sample-entries.js';
import type { Entry } from '../entries/types.js';
import { generateBundle, TLS_FILES, writeBundle, type CertBundle } from './certs.js';
import { loadTls, tlsFiles, TlsConfigError, type TlsMaterial } from './tls.js';
import { run, which } from '../lab/proc.js';

const TOKEN = 'tls-test-token-0123456789';

function dirWith(bundle: CertBundle): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'podtap-tls-')), 'tls');
  writeBundle(dir, bundle);
  return dir;
}

const material = (dir: string, role: 'hub' | 'worker'): TlsMaterial => loadTls(tlsFiles({ tlsDir: dir }, role)!, role);

const mainBundle = generateBundle({ hubNames: ['hub.podtap.svc', '10.96.0.10'] });
const mainDir = dirWith(mainBundle);
const otherDir = dirWith(generateBundle());

function entries(n: number, prefix: string): Entry[] {
  return Array.from({ length: n }, (_, i) => ({ ...httpGet(), id: `${prefix}${i}`, timestamp: Date.now() - 1000 + i / 1000 }) as Entry);
}

function send(up: Uplink, list: Entry[]): void {
  const w = new JsonlWriter(up);
  for (const e of list) if (up.admit()) { w.write(e); up.written(); }
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

async function startHub(t: { after: (f: () => Promise<void>) => void }, tls: TlsMaterial, host = '127.0.0.1'): Promise<Hub> {
  const data = mkdtempSync(join(tmpdir(), 'podtap-tls-hub-'));
  const hub = new Hub({ host, port: 0, token: TOKEN, store: { dir: data, maxAgeMs: Infinity }, log: () => {}, tls });
  await hub.start();
  t.after(async () => { await hub.stop(); rmSync(data, { recursive: true, force: true }); });
  return hub;
}

/** An uplink and its log lines. */
function uplink(t: { after: (f: () => void) => void }, url: string, tls: TlsMaterial | undefined): { up: Uplink; log: string[] } {
  const log: string[] = [];
  const up = new Uplink({ url, token: TOKEN, node: 'node-a', runId: 'r1', log: (l) => log.push(l), ...(tls === undefined ? {} : { tls }) });
  t.after(() => up.close());
  return { up, log };
}

test('podtap certs: a CA, a server certificate for the hub and a client certificate for the workers', async () => {
  const ca = new X509Certificate(mainBundle.ca);
  const hub = new X509Certificate(mainBundle.hubCert);
  const worker = new X509Certificate(mainBundle.workerCert);
  assert.equal(ca.ca, true);
  for (const c of [hub, worker]) {
    assert.equal(c.ca, false);
    assert.ok(c.checkIssued(ca) && c.verify(ca.publicKey));
    assert.equal(c.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const days = (new Date(c.validTo).getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 700 && days < 740, `validity ${days} days`);
  }
  assert.equal(hub.subjectAltName, 'DNS:hub.podtap.svc, DNS:localhost, IP Address:10.96.0.10, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  assert.deepEqual(hub.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'server use only');
  assert.deepEqual(worker.keyUsage, ['1.3.6.1.5.5.7.3.2'], 'client use only');
  assert.equal(hub.checkHost('hub.podtap.svc'), 'hub.podtap.svc');
  assert.equal(hub.checkIP('10.96.0.10'), '10.96.0.10');
  const modes = Object.fromEntries(Object.entries(TLS_FILES).map(([k, f]) => [k, statSync(join(mainDir, f)).mode & 0o777]));
  assert.deepEqual(modes, { ca: 0o644, hubCert: 0o644, hubKey: 0o600, workerCert: 0o644, workerKey: 0o600 });
  assert.equal(statSync(mainDir).mode & 0o777, 0o700);
  assert.throws(() => writeBundle(mainDir, mainBundle), /already exist; pass --force/);
  assert.doesNotMatch(readFileSync(join(mainDir, TLS_FILES.ca), 'utf8'), /PRIVATE KEY/, 'the CA key is never written');
});

test('openssl agrees: each certificate verifies for its purpose only', async (t) => {
  if (which('openssl') === undefined) { t.skip('openssl not installed'); return; }
  const verify = (purpose: string, file: string) => run('openssl', ['verify', '-x509_strict', '-CAfile', join(mainDir, TLS_FILES.ca), '-purpose', purpose, join(mainDir, file)], { check: false });
  assert.equal((await verify('sslserver', TLS_FILES.hubCert)).code, 0);
  assert.equal((await verify('sslclient', TLS_FILES.workerCert)).code, 0);
  assert.notEqual((await verify('sslclient', TLS_FILES.hubCert)).code, 0, 'the hub certificate is no client certificate');
  assert.notEqual((await verify('sslserver', TLS_FILES.workerCert)).code, 0, 'a worker certificate cannot impersonate the hub');
});

test('the files are checked at start, one line naming the file and the fix', () => {
  assert.equal(tlsFiles({}, 'hub'), undefined);
  assert.deepEqual(tlsFiles({ tlsDir: '/d' }, 'worker'), { ca: '/d/ca.crt', cert: '/d/worker.crt', key: '/d/worker.key' });
  assert.throws(() => tlsFiles({ tlsDir: '/d', tlsCa: '/x' }, 'hub'), /--tls-dir and --tls-ca: give the directory, or the three files, not both/);
  assert.throws(() => tlsFiles({ tlsCert: '/c' }, 'hub'), /--tls-cert without --tls-ca, --tls-key: TLS needs all three/);
  assert.throws(() => material(join(tmpdir(), 'no-such-podtap-dir'), 'hub'), /ca\.crt: cannot be read \(ENOENT\); make the files with podtap certs/);
  const files = (cert: string, key: string, ca: string = TLS_FILES.ca) => ({ ca: join(mainDir, ca), cert: join(mainDir, cert), key: join(mainDir, key) });
  assert.throws(() => loadTls(files(TLS_FILES.hubCert, TLS_FILES.workerKey), 'hub'), /worker\.key is not the key of .*hub\.crt/);
  assert.throws(() => loadTls(files(TLS_FILES.hubCert, TLS_FILES.hubKey), 'worker'), /hub\.crt is not a client certificate/);
  assert.throws(() => loadTls(files(TLS_FILES.workerCert, TLS_FILES.workerKey), 'hub'), /worker\.crt is not a server certificate/);
  assert.throws(() => loadTls({ ...files(TLS_FILES.hubCert, TLS_FILES.hubKey), ca: join(otherDir, TLS_FILES.ca) }, 'hub'), /hub\.crt is not signed by the CA in .*ca\.crt/);
  assert.throws(() => loadTls(files(TLS_FILES.hubCert, TLS_FILES.hubKey, TLS_FILES.hubCert), 'hub'), /hub\.crt: not a CA certificate/);
  assert.throws(() => loadTls(files(TLS_FILES.hubCert, TLS_FILES.hubKey), 'hub', new Date(Date.now() + 800 * 86_400_000)), /expired on .*make new files with podtap certs/);
  const soon = loadTls(files(TLS_FILES.hubCert, TLS_FILES.hubKey), 'hub', new Date(Date.now() + 720 * 86_400_000));
  assert.match(soon.warnings.join('\n'), /expires in \d+ days/);
  assert.ok(material(mainDir, 'hub') instanceof Object);
  assert.ok(new TlsConfigError('x') instanceof Error);
});

test('hub and worker over mutual TLS: entries are stored; the API works with the token and no client certificate', async (t) => {
  const hub = await startHub(t, material(mainDir, 'hub'));
  assert.match(hub.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const { up, log } = uplink(t, hub.url, material(mainDir, 'worker'));
  await until(() => up.isConnected);
  send(up, entries(300, 'node-a.r1.c'));
  assert.equal(await up.drain(10_000), true);
  assert.equal(hub.store.count(), 300);
  assert.deepEqual(log.filter((l) => !/connected to hub/.test(l)), []);
  // An API client with the CA and the token, without a client certificate.
  const body = await new Promise<string>((resolve, reject) => {
    request(`${hub.url}/api/entries?limit=1`, { ca: mainBundle.ca, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
      let b = '';
      res.on('data', (d: Buffer) => { b += d.toString(); });
      res.on('end', () => resolve(`${res.statusCode} ${b}`));
    }).on('error', reject).end();
  });
  assert.match(body, /^200 \{"entries":\[\{"id":"node-a\.r1\.c/);
  // The login cookie of an HTTPS hub is Secure (the plain HTTP hub's is tested in pentest/auth.test.ts).
  const cookie = await new Promise<string>((resolve, reject) => {
    request(`${hub.url}/login?token=${TOKEN}`, { ca: mainBundle.ca }, (res) => { res.resume(); resolve(String(res.headers['set-cookie'] ?? '')); }).on('error', reject).end();
  });
  assert.ok(cookie.split(';').map((a) => a.trim().toLowerCase()).includes('secure'), cookie);
});

test('a worker certificate from another CA is refused on /api/ingest (403), and the worker logs why', async (t) => {
  const hub = await startHub(t, material(mainDir, 'hub'));
  const foreign = material(otherDir, 'worker');
  // Trusts the hub's CA (so the hub is verified), but presents a certificate of another CA.
  const { up, log } = uplink(t, hub.url, { ...foreign, ca: material(mainDir, 'worker').ca });
  await until(() => log.length > 0);
  send(up, entries(5, 'node-a.r1.c'));
  await sleep(300);
  assert.equal(up.isConnected, false);
  assert.equal(hub.store.count(), 0);
  assert.match(log[0]!, /the hub refused the stream: HTTP 403: the client certificate was refused \(\w+\).*worker\.crt from the podtap certs run/);
  assert.ok(hub.ingest.authFailures >= 1);
});

test('a worker without a client certificate is refused on /api/ingest (403), even with the token', async (t) => {
  const hub = await startHub(t, material(mainDir, 'hub'));
  const ws = new WebSocket(`${hub.url.replace('https', 'wss')}/api/ingest`, { ca: mainBundle.ca, headers: { authorization: `Bearer ${TOKEN}` } });
  const answer = await new Promise<string>((resolve) => {
    ws.on('open', () => resolve('opened'));
    ws.on('unexpected-response', (_req, res) => {
      let b = '';
      res.on('data', (d: Buffer) => { b += d.toString(); });
      res.on('end', () => resolve(`${res.statusCode} ${b}`));
    });
  });
  ws.on('error', () => {});
  ws.terminate();
  assert.match(answer, /^403 \{"error":"the ingest stream needs a client certificate signed by the hub's CA, and none was sent/);
});

test('a worker that does not trust the hub\'s CA refuses to connect and says why', async (t) => {
  const hub = await startHub(t, material(mainDir, 'hub'));
  const worker = material(mainDir, 'worker');
  const { up, log } = uplink(t, hub.url, { ...worker, ca: material(otherDir, 'worker').ca, files: { ...worker.files, ca: '/etc/other/ca.crt' } });
  await until(() => log.length > 0);
  await sleep(600); // a few retries: still one line
  assert.equal(up.isConnected, false);
  assert.equal(hub.workers.list().length, 0, 'no hello reached the hub');
  assert.equal(log.length, 1, log.join('\n'));
  assert.match(log[0]!, /cannot open the stream to https:\/\/127\.0\.0\.1:\d+: the hub's certificate is not signed by the CA in \/etc\/other\/ca\.crt \(\w+\); give the ca\.crt/);
  assert.ok(up.counters.connectFailures >= 2, 'retried');
});

test('a hub certificate that does not name the host is refused by the worker', async (t) => {
  const hub = await startHub(t, material(mainDir, 'hub'), '0.0.0.0');
  const port = new URL(hub.url).port;
  const { up, log } = uplink(t, `https://127.0.0.2:${port}`, material(mainDir, 'worker'));
  await until(() => log.length > 0);
  assert.equal(up.isConnected, false);
  assert.match(log[0]!, /the hub's certificate does not name 127\.0\.0\.2 .*podtap certs --hub-names 127\.0\.0\.2/);
});

test('certificates used for the wrong purpose are refused both ways', async (t) => {
  const hubFiles = material(mainDir, 'hub'), workerFiles = material(mainDir, 'worker');
  // A hub serving the workers' certificate: the worker refuses it (client use only).
  const fake = await startHub(t, { ...hubFiles, cert: workerFiles.cert, key: workerFiles.key });
  const a = uplink(t, fake.url, workerFiles);
  await until(() => a.log.length > 0);
  assert.match(a.log[0]!, /cannot open the stream .*(not for server use|does not name)/);
  // A worker presenting the hub's certificate: the hub refuses it (server use only).
  const hub = await startHub(t, hubFiles);
  const b = uplink(t, hub.url, { ...workerFiles, cert: hubFiles.cert, key: hubFiles.key });
  await until(() => b.log.length > 0);
  assert.match(b.log[0]!, /HTTP 403: the client certificate was refused/);
  assert.equal(hub.store.count(), 0);
});

test('a plain HTTP worker against the TLS hub fails clearly', async (t) => {
  const hub = await startHub(t, material(mainDir, 'hub'));
  const { up, log } = uplink(t, hub.url.replace('https:', 'http:'), undefined);
  await until(() => log.length > 0);
  assert.equal(up.isConnected, false);
  assert.match(log[0]!, /the hub refused the stream: HTTP 400: this port serves HTTPS only: use https:\/\/ \(workers: --hub https:\/\/… with --tls-dir\)/);
  // And the TLS port still serves TLS clients after answering plain ones.
  const { up: good } = uplink(t, hub.url, material(mainDir, 'worker'));
  await until(() => good.isConnected);
});

test('a TLS worker against a plain HTTP hub fails clearly', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'podtap-tls-hub-'));
  const hub = new Hub({ host: '127.0.0.1', port: 0, token: TOKEN, store: { dir: data, maxAgeMs: Infinity }, log: () => {} });
  await hub.start();
  t.after(async () => { await hub.stop(); rmSync(data, { recursive: true, force: true }); });
  const { log } = uplink(t, hub.url.replace('http:', 'https:'), material(mainDir, 'worker'));
  await until(() => log.length > 0);
  assert.match(log[0]!, /the hub does not speak TLS at https:\/\/.*use http:\/\/ without --tls-\*, or start the hub with --tls-dir/);
});

test('a key file readable by everyone is warned about', () => {
  const dir = dirWith(generateBundle());
  chmodSync(join(dir, TLS_FILES.hubKey), 0o644);
  assert.match(material(dir, 'hub').warnings.join('\n'), /hub\.key is readable by every user; chmod 600 it/);
});
