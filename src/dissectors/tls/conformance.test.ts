/** tlsSpec through the shared conformance suite, plus unit checks of the binding on built hellos. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { runConformance, type ConformanceSample } from '../conformance.js';
import { tcpConversation } from '../../testing/packets.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { DissectorRegistry, DISSECTORS } from '../registry.js';
import type { Entry } from '../../entries/types.js';
import type { TlsEntry } from './entry.js';
import { detectTls, tlsSpec } from './index.js';
import { clientHello, record, serverHello } from './test-support.js';

const appData = (n: number): Buffer => record(23, Buffer.alloc(n, 0xab));

const tls13: ConformanceSample = {
  name: 'TLS 1.3 with SNI, ALPN and application data',
  port: 443,
  exchanges: [
    [record(22, clientHello({ sni: 'example.test', alpn: ['h2', 'http/1.1'], versions: [0x0a0a, 0x0304, 0x0303] }), 0x0301),
      Buffer.concat([record(22, serverHello({ cipher: 0x1301, version: 0x0304, alpn: 'h2' })), record(20, Buffer.from([1])), appData(900)])],
    [Buffer.concat([record(20, Buffer.from([1])), appData(300)]), appData(1200)],
    [appData(50), appData(70)],
  ],
  entries: 1,
};

const tls12: ConformanceSample = {
  name: 'TLS 1.2, ClientHello split over two records',
  port: 8443,
  exchanges: (() => {
    const ch = clientHello({ sni: 'v12.test', alpn: ['http/1.1'], ciphers: Array.from({ length: 60 }, (_, i) => 0xc000 + i) });
    return [
      [Buffer.concat([record(22, ch.subarray(0, 40), 0x0301), record(22, ch.subarray(40), 0x0301)]),
        Buffer.concat([record(22, serverHello({ cipher: 0xc02f, alpn: 'http/1.1' })), record(22, Buffer.alloc(2000, 11))])],
      [Buffer.concat([record(22, Buffer.alloc(70, 3)), record(20, Buffer.from([1])), record(22, Buffer.alloc(40, 5))]),
        Buffer.concat([record(20, Buffer.from([1])), record(22, Buffer.alloc(40, 6))])],
      [appData(100), appData(5000)],
      [record(21, Buffer.alloc(26, 1)), Buffer.alloc(0)],
    ] as ConformanceSample['exchanges'];
  })(),
  entries: 1,
};

test('tls conformance', async (t) => {
  await runConformance(t, tlsSpec, [tls13, tls12]);
});

function run(exchanges: ConformanceSample['exchanges'], mss?: number): TlsEntry[] {
  const out: Entry[] = [];
  const p = new Pipeline((e) => out.push(e), {}, new DissectorRegistry([...DISSECTORS, tlsSpec]));
  tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40000, sport: 443, exchanges, mss })
    .forEach((data, i) => p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
  p.finish();
  return out as unknown as TlsEntry[];
}

test('TLS 1.3 hellos become one entry with version, cipher, ALPN and byte counts', () => {
  const [e] = run(tls13.exchanges);
  assert.equal(e!.protocol, 'tls');
  assert.deepEqual(e!.flags, []);
  const q = e!.request!;
  assert.equal(q.sni, 'example.test');
  assert.deepEqual(q.alpn, ['h2', 'http/1.1']);
  assert.equal(q.version, 'TLS 1.3');
  assert.equal(q.legacyVersion, 'TLS 1.2');
  assert.deepEqual(q.versions, ['GREASE', 'TLS 1.3', 'TLS 1.2']);
  assert.deepEqual(q.ciphers, ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256']);
  assert.equal(q.ja3, '771,4865-4866-49199,0-10-11-16-43,29-23,0');
  assert.equal(q.bytes, 350);
  const r = e!.response!;
  assert.equal(r.version, 'TLS 1.3');
  assert.equal(r.cipher, 'TLS_AES_128_GCM_SHA256');
  assert.equal(r.alpn, 'h2');
  assert.equal(r.bytes, 900 + 1200 + 70);
});

test('TLS 1.2: hello over two records, ciphers bounded by count, encrypted Finished and alert not read', () => {
  for (const mss of [undefined, 1, 7]) {
    const [e] = run(tls12.exchanges, mss);
    assert.equal(e!.request!.sni, 'v12.test');
    assert.equal(e!.request!.cipherCount, 60);
    assert.equal(e!.request!.alert, undefined, 'the 26-byte alert is encrypted');
    assert.equal(e!.response!.version, 'TLS 1.2');
    assert.equal(e!.response!.cipher, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    assert.equal(e!.request!.bytes, 100);
    assert.equal(e!.response!.bytes, 5000);
  }
});

test('HelloRetryRequest: the second ClientHello and the final ServerHello are kept', () => {
  const [e] = run([
    [record(22, clientHello({ sni: 'first.test', versions: [0x0304] }), 0x0301), record(22, serverHello({ cipher: 0x1302, version: 0x0304, hrr: true }))],
    [Buffer.concat([record(20, Buffer.from([1])), record(22, clientHello({ sni: 'second.test', versions: [0x0304] }))]), Buffer.concat([record(22, serverHello({ cipher: 0x1302, version: 0x0304 })), appData(10)])],
  ]);
  assert.equal(e!.request!.sni, 'second.test');
  assert.equal(e!.response!.helloRetry, true);
  assert.equal(e!.response!.cipher, 'TLS_AES_256_GCM_SHA384');
  assert.equal(e!.response!.bytes, 10);
});

test('a server alert instead of a ServerHello is named on the response', () => {
  const [e] = run([[record(22, clientHello({ sni: 'x.test' }), 0x0301), record(21, Buffer.from([2, 70]))]]);
  assert.equal(e!.response!.alert, 'protocol_version');
  assert.equal(e!.response!.cipher, '');
  assert.deepEqual(e!.flags, []);
});

test('detect: ClientHello on the client side, ServerHello on the server side, need-more on short input', () => {
  const ch = record(22, clientHello(), 0x0301);
  assert.equal(detectTls(ch, true), 'match');
  assert.equal(detectTls(ch, false), 'no');
  assert.equal(detectTls(ch.subarray(0, 3), true), 'more');
  assert.equal(detectTls(Buffer.from('GET / HTTP/1.1\r\n'), true), 'no');
  assert.equal(detectTls(Buffer.from([22, 3, 9, 0, 10, 1]), true), 'no');
});

test('throughput diagnostic: handshake then 16 MiB of application data in 1460-byte segments', () => {
  const big = Buffer.concat(Array.from({ length: 1024 }, () => appData(16384)));
  const frames = tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40000, sport: 443, exchanges: [...tls13.exchanges, [Buffer.alloc(0), big]] });
  const out: Entry[] = [];
  const p = new Pipeline((e) => out.push(e), {}, new DissectorRegistry([...DISSECTORS, tlsSpec]));
  const t0 = process.hrtime.bigint();
  frames.forEach((data, i) => p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
  p.finish();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`tls throughput: ${Math.round(frames.length / secs)} packets/s, ${(big.length / 2 ** 20 / secs).toFixed(0)} MiB/s`);
  assert.equal((out[0] as unknown as TlsEntry).response!.bytes, 900 + 1200 + 70 + 1024 * 16384);
});
