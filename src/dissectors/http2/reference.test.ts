/**
 * Independent references on public captures (copied into fixtures/http2/):
 * tshark 4.0.17's HEADERS fields (method, authority, path, status,
 * content-type; TSV made from the same pcaps) and the facts Suricata's own
 * tests check on them (suricata-verify test.yaml): body length, user agent,
 * decoded gzip and brotli sizes, a RST_STREAM.
 *
 * tshark aggregates the fields of all frames of one packet with '|', so the
 * comparison is on multisets, not per stream.
 *
 * Also the recorded fixtures (node-h2c.pcap, grpc-js.pcap), read without
 * root, with what the live test checked when they were made, and a
 * throughput diagnostic (packets/s through the whole pipeline).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { processCaptureFile } from '../../pipeline/read-file.js';
import { fixturePath } from '../../util/paths.js';
import { join } from 'node:path';
import { test } from 'node:test';
import { readHttp2Capture } from './test-support.js';
import type { Http2DissectorEntry } from './types.js';

const DIR = join(process.cwd(), 'fixtures', 'http2');

interface Tshark { requests: string[]; statuses: string[]; contentTypes: string[] }

function readTshark(name: string): Tshark {
  const lines = readFileSync(join(DIR, name), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const cols = lines[0]!.split('\t');
  const col = (row: string[], n: string): string[] => (row[cols.indexOf(n)] ?? '').split('|').filter((v) => v !== '');
  const out: Tshark = { requests: [], statuses: [], contentTypes: [] };
  for (const l of lines.slice(1)) {
    const row = l.split('\t');
    const m = col(row, 'http2.headers.method');
    const a = col(row, 'http2.headers.authority');
    const p = col(row, 'http2.headers.path');
    m.forEach((method, i) => out.requests.push(`${method} ${a[i]} ${p[i]}`));
    out.statuses.push(...col(row, 'http2.headers.status'));
    out.contentTypes.push(...col(row, 'http2.headers.content_type'));
  }
  return out;
}

function ours(entries: Http2DissectorEntry[]): Tshark {
  const out: Tshark = { requests: [], statuses: [], contentTypes: [] };
  for (const e of entries) {
    if (e.request !== null) {
      out.requests.push(`${e.request.method} ${e.request.host} ${e.request.path}`);
      const ct = e.request.headers['content-type'];
      if (ct !== undefined) out.contentTypes.push(ct);
    }
    if (e.response !== null) {
      out.statuses.push(String(e.response.status));
      const ct = e.response.headers['content-type'];
      if (ct !== undefined) out.contentTypes.push(ct);
    }
  }
  return out;
}

const sorted = (x: Tshark): Tshark => ({ requests: [...x.requests].sort(), statuses: [...x.statuses].sort(), contentTypes: [...x.contentTypes].sort() });

// suricata-verify captures, and our own recordings (live.test.ts; TSV made with the same tshark command).
for (const name of ['sv-http2-keywords', 'sv-http2-bugfixes', 'sv-http2-errorcode', 'node-h2c', 'grpc-js']) {
  test(`tshark agrees on HEADERS fields: ${name}`, async () => {
    const { entries, stats } = await readHttp2Capture(join(DIR, `${name}.pcap`));
    assert.deepEqual(sorted(ours(entries)), sorted(readTshark(`${name}.tshark.tsv`)));
    assert.ok(entries.every((e) => e.request?.headersIncomplete === undefined && e.response?.headersIncomplete === undefined));
    assert.equal(stats.weirds.http2_hpack_error, undefined);
  });
}

test('suricata-verify http2-basic facts: stream 1 of the nghttp2 capture', async () => {
  const { entries } = await readHttp2Capture(join(DIR, 'sv-http2-keywords.pcap'));
  const e = entries.find((x) => x.streamId === 1)!;
  assert.equal(e.request!.method, 'GET');
  assert.equal(e.request!.path, '/doc/manual/html/index.html');
  assert.equal(e.request!.host, 'localhost:3000');
  assert.equal(e.request!.headers['user-agent'], 'nghttp2/0.5.2-DEV');
  assert.equal(e.response!.status, 200);
  assert.equal(e.response!.body!.size, 22617);
  assert.equal(entries.length, 6);
});

test('suricata-verify http2-bugfixes facts: gzip body decodes to 639 bytes, brotli to 880', async () => {
  const { entries } = await readHttp2Capture(join(DIR, 'sv-http2-bugfixes.pcap'));
  const size = (path: string): number => {
    const b = entries.find((e) => e.request?.path === path)!.response!.body!;
    return Buffer.byteLength(b.content, b.encoding === 'text' ? 'utf8' : 'base64');
  };
  assert.equal(size('/robots.txt'), 639);
  assert.equal(size('/sw.js'), 880);
  assert.ok(entries.every((e) => e.flags.length === 0), 'no anomaly (Suricata: anomaly count 0)');
});

test('gRPC in suricata-verify http2-errorcode: SayHello decoded', async () => {
  const { entries } = await readHttp2Capture(join(DIR, 'sv-http2-errorcode.pcap'));
  const g = entries.filter((e) => e.protocol === 'grpc');
  assert.equal(g.length, 1);
  const e = g[0]!;
  assert.ok(e.protocol === 'grpc');
  assert.equal(e.request!.grpcService, 'helloworld.GreeterService');
  assert.equal(e.request!.grpcMethod, 'SayHello');
  assert.deepEqual(e.request!.messages[0]!.fields, [{ field: 1, wire: 2, kind: 'string', value: 'world' }]);
  assert.deepEqual(e.response!.messages[0]!.fields, [{ field: 1, wire: 2, kind: 'string', value: 'Hello, world' }]);
  assert.equal(e.response!.grpcStatus, 0);
  assert.equal(e.response!.grpcMessage, 'OK');
});

test('DNS over HTTP/2 (suricata-verify dns-over-http2): 4 streams, the last cancelled by the client', async () => {
  const { entries } = await readHttp2Capture(join(DIR, 'sv-dns-over-http2.pcap'));
  assert.deepEqual(entries.map((e) => e.streamId), [1, 3, 5, 7]);
  assert.ok(entries.slice(0, 3).every((e) => e.response?.status === 200 && e.response.headers['content-type'] === 'application/dns-message'));
  assert.deepEqual(entries[3]!.reset, { errorCode: 'CANCEL', by: 'client', frame: 'RST_STREAM' });
});

test('recorded fixtures: node http2 and grpc-js captures', async () => {
  const h2 = await readHttp2Capture(join(DIR, 'node-h2c.pcap'));
  assert.equal(h2.entries.length, 11);
  assert.deepEqual(h2.entries.filter((e) => e.reset !== undefined).map((e) => [e.request?.path, e.reset?.errorCode]), [['/reset', 'CANCEL']]);
  assert.deepEqual(h2.entries.filter((e) => e.request?.path === '/a').map((e) => e.request!.headersIncomplete), [undefined, undefined]);
  const g = await readHttp2Capture(join(DIR, 'grpc-js.pcap'));
  assert.deepEqual(g.entries.map((e) => e.protocol === 'grpc' ? `${e.request?.grpcMethod} ${e.response?.grpcStatusName}` : ''), ['SayHello OK', 'ListHellos OK', 'Fail NOT_FOUND', 'SayHello OK']);
});

test('throughput diagnostic (packets/s, node-h2c.pcap and the nghttp2 capture repeated)', async (t) => {
  for (const name of ['node-h2c', 'sv-http2-keywords']) {
    const file = join(DIR, `${name}.pcap`);
    let packets = 0;
    const start = process.hrtime.bigint();
    const rounds = 20;
    for (let i = 0; i < rounds; i++) packets += (await readHttp2Capture(file)).stats.packets;
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    t.diagnostic(`${name}: ${packets} packets in ${s.toFixed(3)} s = ${Math.round(packets / s)} packets/s`);
  }
});

test('HTTP/1.1 Upgrade: h2c hands the connection to HTTP/2 (suricata-verify http2-keywords2)', async () => {
  const path = fixturePath('http2', 'sv-http2-keywords2.pcap');
  assert.ok(existsSync(path));
  const r = await processCaptureFile(path);
  assert.deepEqual(r.entries.map((e) => e.protocol), ['http', 'http2', 'http2']);
  const h2 = r.entries.filter((e) => e.protocol === 'http2');
  assert.ok(h2.some((e) => e.protocol === 'http2' && e.request?.path === '/humans.txt' && e.response?.status === 404));
  assert.equal(r.stats.weirds.upgrade_unclaimed, undefined);
});
