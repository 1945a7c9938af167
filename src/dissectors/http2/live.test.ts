/**
 * Real traffic: Node's `http2` (h2c, prior knowledge) and `@grpc/grpc-js`
 * on 127.0.0.1, recorded with tcpdump on `lo`, read back through the
 * pipeline and compared with what the clients sent and got.
 * `PODTAP_UPDATE_FIXTURES=1` stores the captures as fixtures/http2/*.pcap
 * (read by fixtures.test.ts and the throughput script).
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { which } from '../../lab/proc.js';
import { startCapture } from '../../lab/record.js';
import { pb, readHttp2Capture } from './test-support.js';
import type { GrpcEntry, Http2Entry } from './types.js';

const skip = process.getuid?.() !== 0 ? 'capturing needs root' : which('tcpdump') === undefined ? 'tcpdump is not installed' : false;
const update = process.env.PODTAP_UPDATE_FIXTURES === '1';
const FIXTURES = join(process.cwd(), 'fixtures', 'http2');

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const bigBody = Buffer.from(Array.from({ length: 300_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));

interface Did { method: string; path: string; sent: number; status: number; got: Buffer; trailers?: Record<string, string>; reset?: number }

function request(client: http2.ClientHttp2Session, method: string, path: string, body?: Buffer): Promise<Did> {
  return new Promise((resolve) => {
    const req = client.request({ ':method': method, ':path': path, 'content-type': body ? 'application/octet-stream' : 'text/plain', 'x-test': path });
    const chunks: Buffer[] = [];
    const did: Did = { method, path, sent: body?.length ?? 0, status: 0, got: Buffer.alloc(0) };
    req.on('response', (h) => { did.status = Number(h[':status']); });
    req.on('trailers', (t) => { did.trailers = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, String(v)])); });
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('close', () => { did.got = Buffer.concat(chunks); did.reset = req.rstCode; resolve(did); });
    req.on('error', () => undefined);
    req.end(body);
  });
}

test('node http2 (h2c): concurrent streams, POST bodies, a large body, trailers, gzip, RST_STREAM', { skip, timeout: 30_000 }, async () => {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('error', () => undefined);
    if (path === '/reset') { stream.close(http2.constants.NGHTTP2_CANCEL); return; }
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      if (path === '/big') { stream.respond({ ':status': 200, 'content-type': 'text/plain' }); stream.end(bigBody); return; }
      if (path === '/gzip') { stream.respond({ ':status': 200, 'content-type': 'application/json', 'content-encoding': 'gzip' }); stream.end(gzipSync('{"zipped":true}')); return; }
      if (path === '/trailers') {
        stream.respond({ ':status': 200, 'content-type': 'text/plain' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'abc123' }));
        stream.end('with trailers');
        return;
      }
      if (path === '/missing') { stream.respond({ ':status': 404, 'content-type': 'text/plain' }); stream.end('not here'); return; }
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ path, got: body.length, sha: sha(body).slice(0, 16) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const dir = await mkdtemp(join(tmpdir(), 'podtap-h2-'));
  const file = join(dir, 'h2c.pcap');
  const cap = await startCapture({ file, iface: 'lo', filter: `tcp port ${port}` });
  let did: Did[] = [];
  try {
    const client = http2.connect(`http://127.0.0.1:${port}`);
    const first = await request(client, 'GET', '/hello?x=1&y=2');
    const post = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i & 0xff));
    did = [first, ...await Promise.all([
      request(client, 'GET', '/a'), request(client, 'GET', '/b'), request(client, 'POST', '/upload', post),
      request(client, 'POST', '/small', Buffer.from('{"small":1}')), request(client, 'GET', '/big'), request(client, 'GET', '/gzip'),
      request(client, 'GET', '/trailers'), request(client, 'GET', '/missing'), request(client, 'GET', '/reset'),
    ])];
    // The same head again: HPACK dynamic table references.
    did.push(await request(client, 'GET', '/a'));
    await new Promise<void>((r) => client.close(() => r()));
  } finally {
    await cap.stop();
    server.close();
  }
  try {
    const { entries, all } = await readHttp2Capture(file);
    assert.equal(all.length, entries.length, 'every entry is HTTP/2');
    assert.equal(entries.length, did.length, 'one entry per request');
    const h2 = entries as Http2Entry[];
    assert.ok(h2.every((e) => e.protocol === 'http2'));
    for (const d of did) {
      const e = h2.find((x) => x.request?.path === d.path && x.request.method === d.method && !(d.path === '/a' && (x as { seen?: boolean }).seen));
      assert.ok(e !== undefined, `an entry for ${d.method} ${d.path}`);
      (e as { seen?: boolean }).seen = true;
      const where = `${d.method} ${d.path}`;
      assert.equal(e.request!.host, `127.0.0.1:${port}`, where);
      assert.equal(e.request!.httpVersion, 'HTTP/2', where);
      assert.equal(e.request!.scheme, 'http', where);
      assert.equal(e.request!.headers['x-test'], d.path, where);
      assert.equal(e.streamId % 2, 1, where);
      assert.equal(e.request!.headersIncomplete, undefined, where);
      if (d.sent > 0) assert.equal(e.request!.body?.size, d.sent, where);
      if (d.path === '/reset') {
        assert.deepEqual(e.reset, { errorCode: 'CANCEL', by: 'server', frame: 'RST_STREAM' }, where);
        assert.equal(e.response, null, where);
        continue;
      }
      assert.equal(e.response!.status, d.status, where);
      assert.equal(e.response!.body?.size, d.path === '/gzip' ? gzipSync('{"zipped":true}').length : d.got.length, where);
      if (d.path === '/big') {
        assert.equal(e.response!.body!.truncated, true, where);
        assert.ok(e.flags.includes('body-truncated'), where);
        assert.equal(e.response!.body!.content, bigBody.subarray(0, 64 * 1024).toString('utf8'), where);
      } else if (d.path === '/gzip') {
        assert.equal(e.response!.body!.content, '{"zipped":true}', where);
        assert.equal(e.response!.body!.decodedFrom, 'gzip', where);
      } else {
        assert.deepEqual(e.flags, d.sent > 64 * 1024 ? ['body-truncated'] : [], where);
        assert.equal(e.response!.body!.content, d.got.toString('utf8'), where);
      }
      if (d.trailers !== undefined) assert.equal(e.response!.trailers?.['x-checksum'], d.trailers['x-checksum'], where);
    }
    assert.deepEqual(h2[0]!.request!.query, { x: '1', y: '2' });
    const upload = h2.find((e) => e.request?.path === '/upload')!;
    assert.equal(Buffer.from(upload.request!.body!.content, 'base64').length, 64 * 1024, 'request body kept up to the cap');
    if (update) { await mkdir(FIXTURES, { recursive: true }); await copyFile(file, join(FIXTURES, 'node-h2c.pcap')); }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// --- gRPC ----------------------------------------------------------------

const id = (b: Buffer): Buffer => b;
const method = (path: string, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> => ({
  path, requestStream: false, responseStream, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id,
});
const SERVICE = {
  SayHello: method('/test.v1.Greeter/SayHello', false),
  ListHellos: method('/test.v1.Greeter/ListHellos', true),
  Fail: method('/test.v1.Greeter/Fail', false),
};

/** Reads field 1 (a string) of a hand-encoded request. */
function nameOf(b: Buffer): string {
  if (b.length < 2 || b[0] !== 0x0a) return '';
  let len = 0;
  let i = 1;
  for (let shift = 0; i < b.length; shift += 7) { const c = b[i++]; len += (c & 0x7f) * 2 ** shift; if (c < 0x80) break; }
  return b.subarray(i, i + len).toString('utf8');
}

test('grpc-js: unary, server streaming, an error status, gzip-compressed messages', { skip, timeout: 30_000 }, async () => {
  const server = new grpc.Server();
  server.addService(SERVICE, {
    SayHello: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      cb(null, pb([[1, `hello ${nameOf(call.request)}`], [2, 42], [3, pb([[1, 'nested'], [2, 7]])]]));
    },
    ListHellos: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      for (let i = 0; i < 5; i++) call.write(pb([[1, `item ${i}`], [2, i]]));
      call.end();
    },
    Fail: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      cb({ code: grpc.status.NOT_FOUND, details: 'no such greeter: ünïcode' } as grpc.ServiceError);
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const Client = grpc.makeGenericClientConstructor(SERVICE, 'Greeter');
  const dir = await mkdtemp(join(tmpdir(), 'podtap-grpc-'));
  const file = join(dir, 'grpc.pcap');
  const cap = await startCapture({ file, iface: 'lo', filter: `tcp port ${port}` });
  type Unary = (req: Buffer, cb: (err: grpc.ServiceError | null, res?: Buffer) => void) => void;
  let failErr: grpc.ServiceError | null = null;
  let gz: Buffer | undefined;
  const streamed: Buffer[] = [];
  try {
    const c = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Record<string, Unary> & grpc.Client;
    const call = (cl: Record<string, Unary>, name: string, req: Buffer): Promise<{ err: grpc.ServiceError | null; res?: Buffer }> =>
      new Promise((resolve) => cl[name]!.call(cl, req, (err, res) => resolve({ err, res })));
    const hello = await call(c, 'SayHello', pb([[1, 'world']]));
    assert.equal(hello.err, null);
    await new Promise<void>((resolve, reject) => {
      const s = (c as unknown as Record<string, (r: Buffer) => grpc.ClientReadableStream<Buffer>>).ListHellos!.call(c, pb([[1, 'stream'], [2, 5]]));
      s.on('data', (d: Buffer) => streamed.push(d));
      s.on('end', resolve);
      s.on('error', reject);
    });
    failErr = (await call(c, 'Fail', pb([[1, 'nobody']]))).err;
    c.close();
    const z = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.default_compression_algorithm': 2 }) as unknown as Record<string, Unary> & grpc.Client;
    gz = (await call(z, 'SayHello', pb([[1, 'x'.repeat(500)]]))).res;
    z.close();
  } finally {
    await cap.stop();
    server.forceShutdown();
  }
  try {
    assert.equal(failErr?.code, grpc.status.NOT_FOUND);
    const { entries } = await readHttp2Capture(file);
    const g = entries as GrpcEntry[];
    assert.equal(g.length, 4, 'four calls');
    assert.ok(g.every((e) => e.protocol === 'grpc'), 'all gRPC');
    const [u, st, f, z] = g;
    assert.equal(u!.request!.grpcService, 'test.v1.Greeter');
    assert.equal(u!.request!.grpcMethod, 'SayHello');
    assert.equal(u!.request!.method, 'POST');
    assert.deepEqual(u!.request!.messages.map((m) => m.fields), [[{ field: 1, wire: 2, kind: 'string', value: 'world' }]]);
    assert.equal(u!.response!.grpcStatus, 0);
    assert.equal(u!.response!.grpcStatusName, 'OK');
    assert.deepEqual(u!.response!.messages[0]!.fields, [
      { field: 1, wire: 2, kind: 'string', value: 'hello world' }, { field: 2, wire: 0, kind: 'varint', value: '42' },
      { field: 3, wire: 2, kind: 'message', value: '', fields: [{ field: 1, wire: 2, kind: 'string', value: 'nested' }, { field: 2, wire: 0, kind: 'varint', value: '7' }] },
    ]);
    assert.deepEqual(u!.flags, []);
    assert.equal(st!.request!.grpcMethod, 'ListHellos');
    assert.equal(st!.response!.messageCount, streamed.length);
    assert.deepEqual(st!.response!.messages.map((m) => Buffer.from(m.data, 'base64')), streamed);
    assert.equal(st!.response!.grpcStatus, 0);
    assert.equal(f!.request!.grpcMethod, 'Fail');
    assert.equal(f!.response!.grpcStatus, 5);
    assert.equal(f!.response!.grpcStatusName, 'NOT_FOUND');
    assert.equal(f!.response!.grpcMessage, failErr?.details);
    assert.equal(f!.response!.messageCount, 0);
    // Compressed call: the flag is set and the messages decode.
    const zm = z!.request!.messages[0]!;
    assert.equal(zm.compressed, true, 'client compressed its message');
    assert.equal(zm.decodedFrom, 'gzip');
    assert.deepEqual(zm.fields, [{ field: 1, wire: 2, kind: 'string', value: 'x'.repeat(500) }]);
    assert.ok(zm.size < 500, 'size is the compressed length');
    assert.ok(gz !== undefined && gz.includes(Buffer.from('hello x')), 'the client got its answer');
    assert.equal(z!.response!.messages[0]!.fields![0]!.value, `hello ${'x'.repeat(500)}`);
    if (update) { await mkdir(FIXTURES, { recursive: true }); await copyFile(file, join(FIXTURES, 'grpc-js.pcap')); }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
