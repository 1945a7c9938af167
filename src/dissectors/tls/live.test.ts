/**
 * Real TLS on loopback (root, tcpdump and openssl; skips with the reason
 * otherwise): a Node `tls` server with a self-signed certificate made by
 * openssl at test time, clients over TLS 1.3 and 1.2 with SNI and ALPN, a
 * HelloRetryRequest (client key share on a group the server refuses) and a
 * refused version (alert). The recorded pcap goes through the pipeline and
 * each entry is compared with what the client itself saw. With
 * PODTAP_REGEN_GOLDEN=1 the capture is also copied to fixtures/tls/node-lo.pcap.
 * Throughput of the TLS path is printed as a diagnostic.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tls from 'node:tls';
import { which } from '../../lab/proc.js';
import { startCapture } from '../../lab/record.js';
import { fixturePath } from '../../util/paths.js';
import { runCapture } from './test-support.js';

const skip = process.getuid?.() !== 0 ? 'capturing needs root'
  : which('tcpdump') === undefined ? 'tcpdump is not installed'
  : which('openssl') === undefined ? 'openssl is not installed (Node cannot make an X.509 certificate)' : undefined;

interface Seen { port: number; protocol: string | null; cipher: string; alpn: string | false; sent: number; received: number; error?: string }

function connect(port: number, o: tls.ConnectionOptions, payload: number): Promise<Seen> {
  return new Promise((resolve) => {
    // Read the session while it is up: asking a destroyed socket crashes Node 20 (SIGSEGV).
    let protocol: string | null = null;
    let cipher = '';
    let alpn: string | false = false;
    let localPort = 0;
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...o }, () => {
      protocol = s.getProtocol();
      cipher = s.getCipher().standardName;
      alpn = s.alpnProtocol ?? false;
      s.write(Buffer.alloc(payload, 0x61));
    });
    s.on('connect', () => { localPort = s.localPort ?? 0; });
    let received = 0;
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= payload) s.end();
    });
    const done = (error?: string): void => resolve({
      port: localPort, protocol, cipher, alpn, sent: payload, received, error,
    });
    s.on('close', () => done());
    s.on('error', (e) => done(e.message));
  });
}

function listen(opts: tls.TlsOptions): Promise<tls.Server> {
  const server = tls.createServer(opts, (sock) => sock.on('data', (d: Buffer) => sock.write(d)).on('end', () => sock.end()).on('error', () => {}));
  server.on('tlsClientError', () => {});
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

test('real TLS 1.2 / 1.3 handshakes on loopback agree with what the client saw', { skip: skip ?? false, timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  const creds = { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) };
  const main = await listen({ ...creds, ALPNProtocols: ['h2', 'http/1.1'], ecdhCurve: 'X25519' });
  const strict = await listen({ ...creds, minVersion: 'TLSv1.3' });
  const mp = (main.address() as AddressInfo).port;
  const sp = (strict.address() as AddressInfo).port;
  try {
    const cap = await startCapture({ iface: 'lo', file: join(dir, 'tls.pcap'), filter: `tcp port ${mp} or tcp port ${sp}` });
    const seen: Seen[] = [];
    seen.push(await connect(mp, { servername: 'one.example.test', ALPNProtocols: ['h2', 'http/1.1'] }, 3000));
    seen.push(await connect(mp, { servername: 'two.example.test', ALPNProtocols: ['http/1.1'], maxVersion: 'TLSv1.2' }, 20_000));
    assert.equal(seen[1]!.alpn, 'http/1.1');
    seen.push(await connect(mp, { servername: 'hrr.example.test', ecdhCurve: 'P-256:X25519' }, 100));
    seen.push(await connect(sp, { servername: 'old.example.test', maxVersion: 'TLSv1.2' }, 10));
    const stats = await cap.stop();
    assert.equal(stats.droppedByKernel, 0);
    if (process.env.PODTAP_REGEN_GOLDEN === '1') copyFileSync(cap.file, fixturePath('tls', 'node-lo.pcap'));

    const { entries, stats: ps } = await runCapture(cap.file);
    assert.equal(entries.length, 4, 'one entry per connection');
    for (const s of seen) {
      const e = entries.find((x) => x.src.port === s.port)!;
      assert.ok(e !== undefined, `entry for client port ${s.port}`);
      assert.equal(e.request!.sni, s.port === seen[0]!.port ? 'one.example.test' : e.request!.sni);
      if (s.error !== undefined) {
        assert.equal(e.response?.alert, 'protocol_version', `refused: ${s.error}`);
        continue;
      }
      assert.equal(e.response!.version, s.protocol!.replace(/^TLSv/, 'TLS '), 'version');
      assert.equal(e.response!.cipher, s.cipher, 'cipher');
      // TLS 1.3 sends the ALPN choice in the encrypted EncryptedExtensions: only 1.2 shows it.
      assert.equal(e.response!.alpn, s.alpn === false || s.protocol === 'TLSv1.3' ? '' : s.alpn, 'alpn');
      assert.ok(e.request!.bytes > s.sent && e.request!.bytes < s.sent + 4096, `client bytes ${e.request!.bytes} ≈ ${s.sent} + record overhead`);
      assert.ok(e.response!.bytes > s.received, `server bytes ${e.response!.bytes} > ${s.received}`);
      assert.deepEqual(e.flags, []);
    }
    const [one, two, hrr] = seen.map((s) => entries.find((x) => x.src.port === s.port)!);
    assert.deepEqual(one!.request!.alpn, ['h2', 'http/1.1']);
    assert.equal(two!.request!.sni, 'two.example.test');
    assert.equal(hrr!.response!.helloRetry, true, 'P-256 key share refused: HelloRetryRequest');
    assert.equal(hrr!.request!.sni, 'hrr.example.test');

    // Throughput diagnostic: the capture repeated through the pipeline.
    const reps = 50;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) await runCapture(cap.file);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const packets = ps.packets * reps;
    console.log(`tls throughput (loopback capture re-read ${reps}×, file open and pipeline setup included): ${Math.round(packets / secs)} packets/s`);
  } finally {
    main.close();
    strict.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the committed loopback capture (fixtures/tls/node-lo.pcap) still gives four entries', async () => {
  const { entries } = await runCapture(fixturePath('tls', 'node-lo.pcap'));
  assert.equal(entries.length, 4);
  assert.deepEqual(entries.map((e) => e.request!.sni).sort(), ['hrr.example.test', 'old.example.test', 'one.example.test', 'two.example.test']);
  assert.deepEqual(entries.map((e) => e.response!.version).sort(), ['', 'TLS 1.2', 'TLS 1.3', 'TLS 1.3']);
});
