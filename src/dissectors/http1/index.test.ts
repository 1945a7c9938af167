import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { detectHttp1, http1Spec } from './index.js';
import { bytes, bytewise, randomSplits, rng, run, whole, type Splitter, type Step } from './test-helpers.js';
import type { HttpEntry } from '../../entries/types.js';
import { MAX_DECODED_BODY_BYTES } from './decode.js';

const get = (path: string, host = 'example.com', extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}\r\n`;
const ok = (body: string, extra = ''): string => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body, 'latin1')}\r\n${extra}\r\n${body}`;

test('spec: name, ports, transport', () => {
  assert.equal(http1Spec.name, 'http');
  assert.equal(http1Spec.transport, 'tcp');
  assert.deepEqual([...http1Spec.ports], [80, 8080, 8000, 3000, 5000, 8008, 8888]);
});

test('detect: methods, odd methods, prefixes, server side', () => {
  const d = (s: string, c = true): string => detectHttp1(bytes(s), c);
  assert.equal(d('GET / HTTP/1.1\r\n'), 'match');
  assert.equal(d('GET '), 'match');
  assert.equal(d('GE'), 'more');
  assert.equal(d(''), 'more');
  for (const m of ['PROPFIND', 'MKCOL', 'CCM_POST', 'M-SEARCH', 'VERSION-CONTROL', 'OPTIONS', 'CONNECT', 'PATCH']) assert.equal(d(m + ' x'), 'match', m);
  assert.equal(d('FROBNICATE /x HTTP/1.1'), 'match');
  assert.equal(d('FROBNICATE *'), 'match');
  assert.equal(d('FROBNICATE http://a/'), 'match');
  assert.equal(d('FROBNICATE ht'), 'more');
  assert.equal(d('FROBNICATE x'), 'no');
  assert.equal(d('get / HTTP/1.1'), 'no');
  assert.equal(d('\x16\x03\x01\x02\x00'), 'no');
  assert.equal(d('A'.repeat(40)), 'no');
  assert.equal(d(' GET /'), 'no');
  assert.equal(d('HTTP/1.1 200 OK', false), 'match');
  assert.equal(d('HTT', false), 'more');
  assert.equal(d('HTTPS', false), 'no');
  assert.equal(d('GET / HTTP/1.1', false), 'no');
  const r = rng(1);
  for (let i = 0; i < 2000; i++) {
    const b = new Uint8Array(Math.floor(r() * 40));
    for (let k = 0; k < b.length; k++) b[k] = Math.floor(r() * 256);
    detectHttp1(b, i % 2 === 0);
    detectHttp1(b.subarray(0, 0), true);
  }
});

test('keep-alive: two exchanges on one connection, fields of the entry', () => {
  const { ctx } = run([
    { c: get('/a?x=1&x=2&y=%zz&z', 'example.com', 'User-Agent: t\r\n'), ts: 1000 },
    { s: ok('{"a":1}', 'Content-Type: application/json; charset=utf-8\r\n'), ts: 1005 },
    { c: 'POST /submit HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2', ts: 1010 },
    { s: 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n', ts: 1012.5 },
  ]);
  assert.equal(ctx.entries.length, 2);
  const [e1, e2] = ctx.entries;
  assert.equal(e1.id, 'c1-1');
  assert.equal(e1.connectionId, 'c1');
  assert.deepEqual(e1.src, ctx.client);
  assert.deepEqual(e1.dst, ctx.server);
  assert.equal(e1.timestamp, 1000);
  assert.equal(e1.elapsedTime, 5);
  assert.deepEqual(e1.flags, []);
  assert.deepEqual(e1.request, {
    method: 'GET', path: '/a?x=1&x=2&y=%zz&z', host: 'example.com', query: { x: '1, 2', y: '%zz', z: '' },
    httpVersion: 'HTTP/1.1', headers: { host: 'example.com', 'user-agent': 't' }, headersSize: 69, body: null,
  });
  assert.equal(e1.response!.status, 200);
  assert.equal(e1.response!.statusText, 'OK');
  assert.deepEqual(e1.response!.body, { size: 7, content: '{"a":1}', encoding: 'text', mimeType: 'application/json', truncated: false });
  assert.equal(e2.request!.method, 'POST');
  assert.deepEqual(e2.request!.body, { size: 7, content: 'a=1&b=2', encoding: 'text', mimeType: 'application/x-www-form-urlencoded', truncated: false });
  assert.equal(e2.response!.status, 201);
  assert.equal(e2.response!.body, null);
  assert.equal(e2.elapsedTime, 2.5);
});

test('pipelining: three requests in one segment, then three responses', () => {
  const { ctx } = run([
    { c: get('/1') + get('/2') + get('/3') },
    { s: ok('one') + ok('two') },
    { s: ok('three') },
  ]);
  assert.deepEqual(ctx.entries.map((e) => [e.request!.path, e.response!.body!.content, e.flags]), [
    ['/1', 'one', []], ['/2', 'two', []], ['/3', 'three', []],
  ]);
});

const conversation: Step[] = [
  { c: get('/index.html', 'h', 'Accept-Encoding: gzip\r\n') + 'HEAD /head HTTP/1.1\r\nHost: h\r\n\r\n' },
  { s: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n4;a=b\r\n<htm\r\n2\r\nl>\r\n0\r\nX-Trailer: t\r\n\r\n' },
  { s: 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n' },
  { c: 'POST /upload HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n' },
  { s: 'HTTP/1.1 100 Continue\r\n\r\n' },
  { c: 'data' },
  { s: 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n' },
  { c: get('/after-304') },
  { s: 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 4\r\n\r\n\x00\x01\x02\xff' },
  { c: get('/last') },
  { s: 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nclose-delimited body' },
  { end: false },
];

test('every split gives identical entries: whole, 1 byte at a time, random', () => {
  const ref = run(conversation).ctx.entries;
  assert.deepEqual(ref.map((e) => [e.request?.path, e.response?.status, e.flags]), [
    ['/index.html', 200, []], ['/head', 200, []], ['/upload', 204, []], [undefined, 304, ['no-request']],
    ['/after-304', 200, []], ['/last', 200, []],
  ]);
  const splits: Splitter[] = [bytewise, randomSplits(1), randomSplits(2, 5), randomSplits(3, 64), randomSplits(4, 3)];
  for (const split of splits) assert.deepEqual(run(conversation, split).ctx.entries, ref);
});

test('the reference conversation in detail', () => {
  const e = run(conversation).ctx.entries;
  // chunked with extensions and trailers
  assert.equal(e[0].response!.body!.content, '<html>');
  assert.deepEqual(e[0].response!.trailers, { 'x-trailer': 't' });
  // HEAD response with Content-Length has no body; the next response still parses
  assert.equal(e[1].request!.method, 'HEAD');
  assert.equal(e[1].response!.body, null);
  assert.equal(e[1].response!.headers['content-length'], '1234');
  // 100-continue
  assert.deepEqual(e[2].response!.informational, [100]);
  assert.equal(e[2].request!.body!.content, 'data');
  assert.equal(e[2].response!.status, 204);
  // 304 with Content-Length has no body; binary body is base64; close-delimited body
  assert.equal(e[3].response!.body, null);
  assert.deepEqual(e[4].response!.body, { size: 4, content: 'AAEC/w==', encoding: 'base64', mimeType: 'application/octet-stream', truncated: false });
  assert.equal(e[5].response!.body!.content, 'close-delimited body');
});

test('no-request for a response nobody asked for; pairing survives it', () => {
  const { ctx } = run([
    { c: get('/a') },
    { s: ok('a') + ok('stray') },
    { c: get('/b') },
    { s: ok('b') },
  ]);
  assert.deepEqual(ctx.entries.map((e) => [e.request?.path ?? null, e.response?.body?.content, e.flags]), [
    ['/a', 'a', []], [null, 'stray', ['no-request']], ['/b', 'b', []],
  ]);
  assert.equal(ctx.entries[1].elapsedTime, 0);
});

test('close-delimited body ends at end(server) or at close()', () => {
  const steps: Step[] = [{ c: get('/x') }, { s: 'HTTP/1.0 200 OK\r\n\r\npart one ' }, { s: 'part two' }];
  const a = run([...steps, { end: false }], undefined, {}, false);
  assert.equal(a.ctx.entries.length, 1);
  assert.equal(a.ctx.entries[0].response!.body!.content, 'part one part two');
  const b = run(steps);
  assert.equal(b.ctx.entries.length, 1);
  assert.equal(b.ctx.entries[0].response!.body!.content, 'part one part two');
});

test('requests without responses at close become no-response entries', () => {
  const { ctx } = run([{ c: get('/1') + get('/2') }, { s: ok('1') }]);
  assert.deepEqual(ctx.entries.map((e) => [e.request!.path, e.response?.status ?? null, e.flags, e.elapsedTime]), [
    ['/1', 200, [], 1], ['/2', null, ['no-response'], 0],
  ]);
});

test('101 Switching Protocols: entry flagged upgrade, both directions stop, upgradedTo set', () => {
  const { ctx, d } = run([
    { c: 'GET /chat HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n' },
    { s: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n\r\n\x81\x05hello' },
    { c: '\x81\x85abcd\x00\x00\x00\x00\x00GET / HTTP/1.1\r\n\r\n' },
    { s: 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n' },
  ]);
  assert.equal(ctx.entries.length, 1);
  assert.deepEqual(ctx.entries[0].flags, ['upgrade']);
  assert.equal(ctx.entries[0].response!.status, 101);
  assert.equal(d.upgradedTo, 'websocket');
  assert.equal(ctx.weirds.http_bad_start_line, undefined);
});

test('CONNECT 200: tunnel, the rest is opaque; CONNECT 407: parsing goes on', () => {
  const tunnel = run([
    { c: 'CONNECT secure.example:443 HTTP/1.1\r\nHost: secure.example:443\r\n\r\n' },
    { s: 'HTTP/1.0 200 Connection Established\r\nProxy-agent: x\r\n\r\n' },
    { c: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03' },
    { s: '\x16\x03\x03\x00\x7a\x02' },
  ]);
  assert.equal(tunnel.ctx.entries.length, 1);
  const e = tunnel.ctx.entries[0];
  assert.deepEqual(e.flags, ['tunnel']);
  assert.equal(e.request!.method, 'CONNECT');
  assert.equal(e.request!.path, 'secure.example:443');
  assert.equal(e.request!.host, 'secure.example:443');
  assert.equal(e.response!.body, null);
  assert.equal(tunnel.d.upgradedTo, 'tunnel');

  // The client sends TLS before the proxy answered: held, then dropped with the tunnel.
  const early = run([
    { c: 'CONNECT a:443 HTTP/1.1\r\n\r\n\x16\x03\x01\x00\x05hello' },
    { s: 'HTTP/1.1 200 OK\r\n\r\n' },
  ], bytewise);
  assert.deepEqual(early.ctx.entries.map((x) => x.flags), [['tunnel']]);

  const refused = run([
    { c: 'CONNECT a:443 HTTP/1.1\r\n\r\n' },
    { s: 'HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nno' },
    { c: 'CONNECT a:443 HTTP/1.1\r\nProxy-Authorization: x\r\n\r\n' },
    { s: 'HTTP/1.1 200 OK\r\n\r\n' },
  ]);
  assert.deepEqual(refused.ctx.entries.map((x) => [x.response!.status, x.flags]), [[407, []], [200, ['tunnel']]]);
});

test('Upgrade request answered without 101 keeps parsing HTTP', () => {
  const { ctx, d } = run([
    { c: 'GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n' },
    { c: get('/next') },
    { s: ok('no upgrade') + ok('next') },
  ]);
  assert.deepEqual(ctx.entries.map((e) => [e.request!.path, e.response!.body!.content]), [['/', 'no upgrade'], ['/next', 'next']]);
  assert.equal(d.upgradedTo, null);
});

const text = Array.from({ length: 2000 }, (_, i) => `line ${i}: the quick brown fox ${i * 7919 % 1000}`).join('\n');

function encodedExchange(coding: string, body: Buffer, options = {}): ReturnType<typeof run> {
  return run([
    { c: get('/enc') },
    { s: Buffer.concat([bytes(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: ${coding}\r\nContent-Length: ${body.length}\r\n\r\n`), body]) },
  ], undefined, options);
}

test('content decoding: gzip, x-gzip, deflate (zlib and raw), br', () => {
  const cases: [string, Buffer][] = [
    ['gzip', gzipSync(text)], ['x-gzip', gzipSync(text)], ['deflate', deflateSync(text)],
    ['deflate', deflateRawSync(text)], ['br', brotliCompressSync(text)],
  ];
  for (const [coding, body] of cases) {
    const e = encodedExchange(coding, body, { maxBodyBytes: 1 << 20 }).ctx.entries[0];
    const b = e.response!.body!;
    assert.equal(b.content, text, coding);
    assert.equal(b.decodedFrom, coding);
    assert.equal(b.size, body.length);
    assert.equal(b.truncated, false);
    assert.deepEqual(e.flags, []);
  }
});

test('truncated gzip (cut by the body cap) still decodes partially', () => {
  const gz = gzipSync(text);
  const e = encodedExchange('gzip', gz, { maxBodyBytes: 2000 }).ctx.entries[0];
  const b = e.response!.body!;
  assert.equal(b.size, gz.length);
  assert.equal(b.truncated, true);
  assert.equal(b.decodedFrom, 'gzip');
  assert.ok(b.content.length > 1000 && text.startsWith(b.content), `partial content of ${b.content.length}`);
  assert.deepEqual(e.flags, ['body-truncated']);
});

test('truncated br (cut by the capture) decodes what it has', () => {
  const br = brotliCompressSync(text);
  const e = run([
    { c: get('/br') },
    { s: Buffer.concat([bytes(`HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: ${br.length}\r\n\r\n`), br.subarray(0, br.length >> 1)]) },
  ]).ctx.entries[0];
  assert.ok(e.flags.includes('truncated'));
  assert.ok(text.startsWith(e.response!.body!.content));
});

test('a body that does not decode keeps its raw bytes and is flagged', () => {
  const e = encodedExchange('gzip', bytes('this is not gzip')).ctx.entries[0];
  assert.deepEqual(e.flags, ['body-decode-error']);
  assert.equal(e.response!.body!.content, 'this is not gzip');
  assert.equal(e.response!.body!.decodedFrom, undefined);
  const unknown = encodedExchange('compress', bytes('raw')).ctx.entries[0];
  assert.deepEqual(unknown.flags, ['body-decode-error']);
  const off = encodedExchange('gzip', gzipSync('x'), { decodeBodies: false }).ctx.entries[0];
  assert.equal(off.response!.body!.encoding, 'base64');
  assert.deepEqual(off.flags, []);
});

test('a decompression bomb is bounded by MAX_DECODED_BODY_BYTES', () => {
  const bomb = gzipSync(Buffer.alloc(64 << 20));
  const e = encodedExchange('gzip', bomb, { maxBodyBytes: 1 << 20 }).ctx.entries[0];
  const b = e.response!.body!;
  assert.ok(b.content.length <= MAX_DECODED_BODY_BYTES && b.content.length > 0);
  assert.equal(b.truncated, true);
});

test('body encoding: text for textual types and clean UTF-8, base64 otherwise', () => {
  const one = (ct: string, body: Buffer, options = {}): { encoding: string; content: string } => {
    const e = run([{ c: get('/') }, { s: Buffer.concat([bytes(`HTTP/1.1 200 OK\r\n${ct}Content-Length: ${body.length}\r\n\r\n`), body]) }], undefined, options).ctx.entries[0];
    return e.response!.body!;
  };
  assert.equal(one('', Buffer.from('héllo wörld', 'utf8')).encoding, 'text');
  assert.equal(one('Content-Type: image/png\r\n', Buffer.from('plain')).encoding, 'text');
  assert.equal(one('', Buffer.from([0x68, 0x00, 0x69])).encoding, 'base64');
  assert.equal(one('', Buffer.from([0xff, 0xfe, 0x41])).encoding, 'base64');
  assert.deepEqual(one('Content-Type: application/problem+json\r\n', Buffer.from([0xff])).encoding, 'text');
  assert.deepEqual(one('Content-Type: image/png\r\n', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00])), {
    size: 5, content: 'iVBORwA=', encoding: 'base64', mimeType: 'image/png', truncated: false,
  });
  // A cap that cuts a multi-byte character does not turn UTF-8 into base64.
  assert.equal(one('', Buffer.from('ééééé', 'utf8'), { maxBodyBytes: 3 }).encoding, 'text');
});

test('body cap: bytes kept up to maxBodyBytes, true size recorded', () => {
  const big = 'z'.repeat(5000);
  const e = run([{ c: get('/big') }, { s: ok(big) }], randomSplits(9, 700), { maxBodyBytes: 100 }).ctx.entries[0];
  assert.equal(e.response!.body!.size, 5000);
  assert.equal(e.response!.body!.content, 'z'.repeat(100));
  assert.equal(e.response!.body!.truncated, true);
  assert.deepEqual(e.flags, ['body-truncated']);
});

test('gap inside a Content-Length body (suricata http-gap-simple)', () => {
  const { ctx } = run([
    { c: 'GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n' },
    { s: 'HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nHello World!\r\nHTTP/1.0 200 OK\r\nContent-Length: 70\r\n\r\n' + 'A'.repeat(14) },
    { gap: 14, client: false },
    { s: 'A'.repeat(42) + 'HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nHello People' },
  ]);
  assert.deepEqual(ctx.entries.map((e) => [e.request!.path, e.response!.status, e.response!.body!.size, e.flags]), [
    ['/1', 200, 12, []], ['/2', 200, 70, ['gap']], ['/3', 200, 12, []],
  ]);
});

test('gap inside request headers: flagged, and the next request still pairs', () => {
  const { ctx } = run([
    { c: 'GET /cut HTTP/1.1\r\nHost: h\r\nAcc' },
    { gap: 40, client: true },
    { c: 'ept: */*\r\n\r\n' },
    { s: ok('for cut') },
    { c: get('/next') },
    { s: ok('for next') },
  ]);
  assert.deepEqual(ctx.entries.map((e) => [e.request!.path, e.response!.body!.content, e.flags]), [
    ['/cut', 'for cut', ['gap']], ['/next', 'for next', []],
  ]);
});

test('server bytes before any request (capture started mid-way) resync to the next status line', () => {
  for (const split of [undefined, bytewise]) {
    const { ctx } = run([
      { s: 'rest of a body we never saw the start of\r\n\x00\x01\xff\n' },
      { s: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi' },
      { c: get('/seen') },
      { s: ok('seen') },
    ], split);
    assert.deepEqual(ctx.entries.map((e) => [e.request?.path ?? null, e.response!.body!.content, e.flags]), [
      [null, 'hi', ['no-request']], ['/seen', 'seen', []],
    ]);
  }
});

test('client bytes picked up mid-request resync at the next request line', () => {
  const { ctx } = run([{ c: 'tail of a body\r\n' + get('/ok') }, { s: ok('x') }]);
  assert.deepEqual(ctx.entries.map((e) => [e.request?.path, e.flags]), [['/ok', []]]);
  assert.equal(ctx.weirds.http_midstream_start, 1);
});

test('HTTP/0.9: simple request, response without status line', () => {
  const { ctx } = run([{ c: 'GET /old\r\n' }, { s: '<html>old</html>' }, { end: false }]);
  assert.equal(ctx.entries.length, 1);
  const e = ctx.entries[0];
  assert.equal(e.request!.httpVersion, 'HTTP/0.9');
  assert.equal(e.response!.httpVersion, 'HTTP/0.9');
  assert.equal(e.response!.status, 0);
  assert.equal(e.response!.body!.content, '<html>old</html>');
});

test('absolute-form target: host from the authority; query parsing', () => {
  const { ctx } = run([
    { c: 'GET http://user@proxy.example:8080/p/a?q=a%20b&bad=%E0%A4%A HTTP/1.1\r\nHost: other\r\n\r\n' },
    { s: ok('') },
  ]);
  const r = ctx.entries[0].request!;
  assert.equal(r.host, 'proxy.example:8080');
  assert.equal(r.path, 'http://user@proxy.example:8080/p/a?q=a%20b&bad=%E0%A4%A');
  assert.equal(r.query.q, 'a b');
  assert.equal(typeof r.query.bad, 'string');
});

test('fuzz: thousands of random and mutated conversations never throw', () => {
  const r = rng(4242);
  const pieces = [
    get('/a'), ok('body'), 'HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 101 Switching\r\nUpgrade: x\r\n\r\n',
    'CONNECT a:1 HTTP/1.1\r\n\r\n', 'HEAD / HTTP/1.1\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    'POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc', 'HTTP/1.0 200 OK\r\n\r\nclose', 'GET /x\r\n',
    'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 10\r\n\r\n\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03',
  ];
  for (let iter = 0; iter < 2000; iter++) {
    const steps: Step[] = [];
    const n = 1 + Math.floor(r() * 8);
    for (let k = 0; k < n; k++) {
      const roll = r();
      let data: Buffer;
      if (roll < 0.15) {
        data = Buffer.alloc(Math.floor(r() * 200));
        for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * 256);
      } else {
        data = Buffer.from(bytes(pieces[Math.floor(r() * pieces.length)]));
        if (roll < 0.6) for (let m = 0; m < 3; m++) data[Math.floor(r() * data.length)] = Math.floor(r() * 256);
      }
      const client = r() < 0.5;
      steps.push(client ? { c: data } : { s: data });
      if (r() < 0.1) steps.push({ gap: 1 + Math.floor(r() * 100), client: r() < 0.5 });
      if (r() < 0.05) steps.push({ end: r() < 0.5 });
    }
    const { ctx } = run(steps, randomSplits(iter, 20), { maxBodyBytes: 64 });
    for (const e of ctx.entries) JSON.stringify(e);
  }
});

test('repeated heads: recognised by their bytes, one frozen record shared, same fields as a fresh parse, whatever the split', () => {
  const req = get('/same', 'example.com', 'Accept: */*\r\n');
  const longer = get('/same', 'example.com', 'Accept: */*\r\nX-Extra: 1\r\n'); // the same head's bytes plus a field
  const steps: Step[] = [];
  for (const c of [req, req, req, longer, req, 'POST /same HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\n\r\nhi', req]) {
    steps.push({ c }, { s: ok('ok') });
  }
  const fresh = (c: string): HttpEntry['request'] => run([{ c }, { s: ok('ok') }]).ctx.entries[0]!.request;
  for (const split of [whole, bytewise, randomSplits(7)]) {
    const { ctx } = run(steps, split);
    const e = ctx.entries.map((x) => x.request!);
    assert.equal(e.length, 7);
    assert.deepEqual(e[0], fresh(req));
    assert.deepEqual(e[1], fresh(req));
    assert.deepEqual(e[2], fresh(req)); // by the byte comparison (whole feeds)
    assert.deepEqual(e[3], fresh(longer));
    assert.deepEqual(e[4], fresh(req));
    assert.deepEqual(e[5]!.body!.content, 'hi');
    assert.deepEqual(e[6], fresh(req));
    if (split !== whole) continue;
    // Whole feeds: the first repeat freezes the first record and shares it.
    assert.ok(Object.isFrozen(e[1]!.headers) && e[1]!.headers === e[2]!.headers && e[0]!.headers === e[1]!.headers);
    assert.ok(!Object.isFrozen(e[3]!.headers), 'a head seen once is not frozen');
  }
});
