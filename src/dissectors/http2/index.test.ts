import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { detectHttp2, http2Spec } from './index.js';
import { PREFACE } from './frames.js';
import { SETTINGS_ACK, SETTINGS_EMPTY, TestEncoder, exchange, frame, pb, runBytes } from './test-support.js';
import type { GrpcEntry, Http2Entry } from './types.js';

const preface = Buffer.from(PREFACE, 'latin1');
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };

test('spec: name, ports, transport', () => {
  assert.equal(http2Spec.name, 'http2');
  assert.equal(http2Spec.transport, 'tcp');
  assert.deepEqual([...http2Spec.ports], [80, 8080, 50051]);
});

test('detect: client preface, server SETTINGS, others refused, never throws', () => {
  assert.equal(detectHttp2(Buffer.from('PR'), true), 'more');
  assert.equal(detectHttp2(Buffer.from('PRI '), true), 'match');
  assert.equal(detectHttp2(preface, true), 'match');
  assert.equal(detectHttp2(Buffer.from('PRI * HTTP/1.1'), true), 'no');
  assert.equal(detectHttp2(Buffer.from('GET / HTTP/1.1\r\n'), true), 'no');
  assert.equal(detectHttp2(SETTINGS_EMPTY, false), 'match');
  assert.equal(detectHttp2(frame(4, 0, 0, Buffer.alloc(18)), false), 'match');
  assert.equal(detectHttp2(SETTINGS_EMPTY.subarray(0, 5), false), 'more');
  assert.equal(detectHttp2(SETTINGS_ACK, false), 'no', 'an ACK is not the server preface');
  assert.equal(detectHttp2(frame(4, 0, 0, Buffer.alloc(5)), false), 'no');
  assert.equal(detectHttp2(Buffer.from('HTTP/1.1 200 OK'), false), 'no');
  assert.equal(detectHttp2(SETTINGS_EMPTY, true), 'no');
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(Array.from({ length: i % 40 }, (_, k) => (i * 31 + k * 7) & 0xff));
    detectHttp2(b, true);
    detectHttp2(b, false);
  }
});

test('entries: fields, concurrent streams answered out of order, HPACK repeats', () => {
  const ce = new TestEncoder();
  const se = new TestEncoder();
  const a = exchange(ce, se, 1, { first: true, path: '/a?q=1', resBody: 'alpha' });
  const b = exchange(ce, se, 3, { path: '/b', method: 'POST', reqBody: '{"x":1}', resBody: '{"ok":true}', ctype: 'application/json', status: 201 });
  const c = exchange(ce, se, 5, { path: '/a?q=1', resBody: 'alpha' });
  // All requests first, then the responses in reverse order.
  const { entries } = runBytes([[Buffer.concat([a.client, b.client, c.client]), Buffer.concat([c.server.subarray(0, 0), a.server.subarray(0, 18), c.server, b.server, a.server.subarray(18)])]]);
  assert.deepEqual(entries.map((e) => e.streamId), [5, 3, 1]);
  const e1 = entries[2] as Http2Entry;
  assert.equal(e1.protocol, 'http2');
  assert.deepEqual(e1.flags, []);
  assert.deepEqual(e1.request, {
    method: 'GET', path: '/a?q=1', host: 'example.test', query: { q: '1' }, httpVersion: 'HTTP/2',
    headers: { 'user-agent': 'podtap-test' }, headersSize: e1.request!.headersSize, body: null, scheme: 'http',
  });
  assert.equal(e1.response!.status, 200);
  assert.deepEqual(e1.response!.headers, { 'content-type': 'text/plain', server: 'test' });
  assert.deepEqual(e1.response!.body, { size: 5, content: 'alpha', encoding: 'text', mimeType: 'text/plain', truncated: false });
  const e3 = entries[1] as Http2Entry;
  assert.equal(e3.request!.method, 'POST');
  assert.equal(e3.request!.body!.content, '{"x":1}');
  assert.equal(e3.response!.status, 201);
  // Stream 5 repeats stream 1's head as dynamic-table indexes: same fields, fewer bytes.
  assert.deepEqual(entries[0]!.request!.headers, e1.request!.headers);
  assert.ok(entries[0]!.request!.headersSize < e1.request!.headersSize);
});

test('padding, priority, CONTINUATION, 1xx, trailers, gzip body', () => {
  const ce = new TestEncoder();
  const se = new TestEncoder();
  const block = ce.encode([[':method', 'POST'], [':scheme', 'http'], [':authority', 'h'], [':path', '/p'], ['x-long', 'v'.repeat(100)]]);
  // HEADERS padded with priority, then CONTINUATION.
  const headers = frame(1, 0x8 | 0x20, 1, Buffer.concat([Buffer.from([3]), u32(0), Buffer.from([16]), block.subarray(0, 10), Buffer.alloc(3)]));
  const cont = frame(9, 0x4, 1, block.subarray(10));
  const padded = frame(0, 0x8 | 0x1, 1, Buffer.concat([Buffer.from([4]), Buffer.from('body!'), Buffer.alloc(4)]));
  const info = frame(1, 0x4, 1, se.encode([[':status', '100']]));
  const gz = gzipSync('{"zipped":"yes"}');
  const res = frame(1, 0x4, 1, se.encode([[':status', '200'], ['content-encoding', 'gzip'], ['content-type', 'application/json']]));
  const data = frame(0, 0, 1, gz);
  const trailers = frame(1, 0x4 | 0x1, 1, se.encode([['x-checksum', 'abc'], ['x-other', '1']]));
  const { entries, stats } = runBytes([[Buffer.concat([preface, SETTINGS_EMPTY, headers, cont, padded]), Buffer.concat([SETTINGS_EMPTY, info, res, data, trailers])]]);
  assert.equal(entries.length, 1);
  const e = entries[0] as Http2Entry;
  assert.deepEqual(e.flags, []);
  assert.equal(e.request!.headers['x-long'], 'v'.repeat(100));
  assert.equal(e.request!.body!.content, 'body!');
  assert.equal(e.request!.headersSize, block.length);
  assert.deepEqual(e.response!.informational, [100]);
  assert.equal(e.response!.body!.content, '{"zipped":"yes"}');
  assert.equal(e.response!.body!.size, gz.length);
  assert.deepEqual(e.response!.trailers, { 'x-checksum': 'abc', 'x-other': '1' });
  assert.deepEqual(stats.weirds, {});
});

test('RST_STREAM, GOAWAY and server push are recorded on the entries they concern', () => {
  const ce = new TestEncoder();
  const se = new TestEncoder();
  const a = exchange(ce, se, 1, { first: true, path: '/pushed-from', resBody: 'page' });
  const reqB = frame(1, 0x5, 3, ce.encode([[':method', 'GET'], [':scheme', 'http'], [':authority', 'h'], [':path', '/cancelled']]));
  const rst = frame(3, 0, 3, u32(8));
  const reqC = frame(1, 0x5, 5, ce.encode([[':method', 'GET'], [':scheme', 'http'], [':authority', 'h'], [':path', '/late']]));
  const promise = frame(5, 0x4, 1, Buffer.concat([u32(2), se.encode([[':method', 'GET'], [':scheme', 'http'], [':authority', 'h'], [':path', '/style.css']])]));
  const pushed = Buffer.concat([frame(1, 0x4, 2, se.encode([[':status', '200'], ['content-type', 'text/css']])), frame(0, 1, 2, 'body{}')]);
  const goaway = frame(7, 0, 0, Buffer.concat([u32(3), u32(0)]));
  const { entries } = runBytes([[Buffer.concat([a.client, reqB, rst, reqC]), Buffer.concat([promise, a.server, pushed, goaway])]]);
  const by = (p: string): Http2Entry => entries.find((e) => e.request?.path === p) as Http2Entry;
  assert.deepEqual(by('/cancelled').reset, { errorCode: 'CANCEL', by: 'client', frame: 'RST_STREAM' });
  assert.deepEqual(by('/late').reset, { errorCode: 'NO_ERROR', by: 'server', frame: 'GOAWAY' });
  assert.ok(by('/late').flags.includes('no-response'));
  const push = by('/style.css');
  assert.equal(push.streamId, 2);
  assert.equal(push.request!.promisedOn, 1);
  assert.equal(push.response!.body!.content, 'body{}');
  assert.deepEqual(by('/pushed-from').flags, []);
  assert.equal(entries.length, 4);
});

test('capture started mid-connection: no preface, unknown HPACK references, bodies still shown', () => {
  const ce = new TestEncoder();
  const se = new TestEncoder();
  exchange(ce, se, 1, { first: true, path: '/x', resBody: 'first' }); // seen by the encoders only: the table fills
  const b = exchange(ce, se, 3, { path: '/x', method: 'POST', reqBody: 'second request', resBody: 'second' });
  // The server side starts with a PING so detection can bind on SETTINGS only if present: give it a SETTINGS first.
  const { entries } = runBytes([[b.client, Buffer.concat([SETTINGS_EMPTY, b.server])]], { handshake: false });
  assert.equal(entries.length, 1);
  const e = entries[0] as Http2Entry;
  assert.equal(e.request!.headersIncomplete, true);
  assert.equal(e.response!.headersIncomplete, true);
  assert.ok(e.flags.includes('gap'));
  assert.equal(e.request!.body!.content, 'second request');
  assert.equal(e.response!.body!.content, 'second');
  assert.equal(e.request!.method, 'POST', 'a literal: decoded');
  assert.equal(e.request!.path, '', 'a dynamic-table reference from before the capture: unknown');
});

test('a gap inside a DATA frame is body loss; a gap across frames resynchronises', () => {
  const ce = new TestEncoder();
  const se = new TestEncoder();
  const a = exchange(ce, se, 1, { first: true, path: '/big', resBody: 'z'.repeat(4000) });
  const b = exchange(ce, se, 3, { path: '/after', resBody: 'after' });
  const r = runBytes([[a.client, a.server], [b.client, b.server]], { mss: 1000, drop: (f, i) => i > 3 && f.length > 1000 && f.includes(Buffer.from('zzzz')) && f.indexOf(Buffer.from('zzzz')) < 80 && f.length - f.indexOf(Buffer.from('zzzz')) >= 1000 && (i % 2 === 0) });
  const big = r.entries.find((e) => e.streamId === 1)!;
  assert.ok(big.flags.includes('gap'));
  assert.equal(big.response!.body!.size, 4000, 'the true size, lost bytes included');
  const after = r.entries.find((e) => e.streamId === 3)!;
  assert.equal(after.response!.body!.content, 'after');

  // Lose the segment holding stream 3's response HEADERS (and more): later frames are found again.
  const c = exchange(ce, se, 5, { path: '/later', resBody: 'later' });
  const frames: Array<[Buffer, Buffer]> = [[a.client, a.server], [b.client, Buffer.concat([b.server, Buffer.from(frame(6, 0, 0, Buffer.alloc(8)))])], [c.client, c.server]];
  const lost = runBytes(frames, { mss: 1400, drop: (f) => f.includes(Buffer.from('after')) && !f.includes(Buffer.from('/after')) });
  const later = lost.entries.find((e) => e.streamId === 5);
  assert.ok(later !== undefined, 'stream 5 found after the loss');
  assert.equal(later.response!.body!.content, 'later');
  assert.ok(lost.stats.gaps > 0);
});

test('gRPC: messages split across DATA frames, trailers-only error, protobuf fields', () => {
  const ce = new TestEncoder();
  const se = new TestEncoder();
  const head = (id: number, path: string): Buffer => frame(1, 0x4, id, ce.encode([[':method', 'POST'], [':scheme', 'http'], [':authority', 'svc:50051'], [':path', path], ['content-type', 'application/grpc'], ['te', 'trailers']]));
  const msg = (b: Buffer, flag = 0): Buffer => Buffer.concat([Buffer.from([flag]), u32(b.length), b]);
  const m1 = msg(pb([[1, 'alpha'], [2, 300]]));
  const m2 = msg(pb([[1, 'beta'], [4, Buffer.from([0xff, 0x00, 0x80])]]));
  const both = Buffer.concat([m1, m2]);
  const client = Buffer.concat([preface, SETTINGS_EMPTY, head(1, '/pkg.Svc/Stream'), frame(0, 0, 1, both.subarray(0, 7)), frame(0, 1, 1, both.subarray(7)), head(3, '/pkg.Svc/Missing'), frame(0, 1, 3, msg(Buffer.alloc(0)))]);
  // Encoded in wire order: the server's HPACK table is shared by all its blocks.
  const resHeadGz = frame(1, 0x4, 1, se.encode([[':status', '200'], ['content-type', 'application/grpc'], ['grpc-encoding', 'gzip']]));
  const zipped = gzipSync(pb([[1, 'compressed reply']]));
  const body = frame(0, 0, 1, Buffer.concat([msg(pb([[1, 'r1']])), msg(zipped, 1)]));
  const trailers = frame(1, 0x5, 1, se.encode([['grpc-status', '0']]));
  const only = frame(1, 0x5, 3, se.encode([[':status', '200'], ['content-type', 'application/grpc'], ['grpc-status', '12'], ['grpc-message', 'unknown%20method%20%E2%9C%93']]));
  const { entries } = runBytes([[client, Buffer.concat([SETTINGS_EMPTY, resHeadGz, body, trailers, only])]], { port: 50051 });
  assert.equal(entries.length, 2);
  const s = entries.find((e) => e.streamId === 1) as GrpcEntry;
  assert.equal(s.protocol, 'grpc');
  assert.equal(s.request!.grpcService, 'pkg.Svc');
  assert.equal(s.request!.grpcMethod, 'Stream');
  assert.equal(s.request!.messageCount, 2);
  assert.deepEqual(s.request!.messages.map((m) => m.fields), [
    [{ field: 1, wire: 2, kind: 'string', value: 'alpha' }, { field: 2, wire: 0, kind: 'varint', value: '300' }],
    [{ field: 1, wire: 2, kind: 'string', value: 'beta' }, { field: 4, wire: 2, kind: 'bytes', value: Buffer.from([0xff, 0, 0x80]).toString('base64') }],
  ]);
  assert.equal(s.response!.grpcStatus, 0);
  assert.equal(s.response!.messages.length, 2);
  assert.equal(s.response!.messages[1]!.compressed, true);
  assert.equal(s.response!.messages[1]!.decodedFrom, 'gzip');
  assert.deepEqual(s.response!.messages[1]!.fields, [{ field: 1, wire: 2, kind: 'string', value: 'compressed reply' }]);
  const m = entries.find((e) => e.streamId === 3) as GrpcEntry;
  assert.equal(m.response!.grpcStatus, 12);
  assert.equal(m.response!.grpcStatusName, 'UNIMPLEMENTED');
  assert.equal(m.response!.grpcMessage, 'unknown method ✓');
  assert.equal(m.request!.messages[0]!.size, 0);
  assert.deepEqual(m.request!.messages[0]!.fields, []);
});

test('garbage after the preface: no exception, bounded, counted', () => {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let k = 0; k < 30; k++) {
    const junk = Buffer.from(Array.from({ length: 5000 }, () => Math.floor(rnd() * 256)));
    const r = runBytes([[Buffer.concat([preface, junk]), Buffer.concat([SETTINGS_EMPTY, junk.subarray(0, 3000)])]], { mss: 700 });
    assert.ok(r.entries.length < 5);
  }
});
