import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageParser, MAX_HEADER_BYTES, MAX_HEADERS, type ParserHooks } from './parser.js';
import { MAX_CHUNK_LINE_BYTES } from './chunk-line.js';
import type { HttpMessage } from './message.js';
import { parseContentLength, isChunkedFinal } from './message.js';
import { bytes, bytewise, randomSplits, rng, type Splitter, whole } from './test-helpers.js';

interface Harness {
  p: MessageParser;
  heads: HttpMessage[];
  done: HttpMessage[];
  weirds: Record<string, number>;
}

function harness(isRequest: boolean, opts: { cap?: number; bodyless?: (m: HttpMessage) => boolean; simple?: boolean } = {}): Harness {
  const heads: HttpMessage[] = [];
  const done: HttpMessage[] = [];
  const weirds: Record<string, number> = {};
  const hooks: ParserHooks = {
    head: (m) => {
      heads.push(m);
      if (opts.bodyless?.(m)) m.bodyless = true;
    },
    message: (m) => done.push(m),
    weird: (n) => { weirds[n] = (weirds[n] ?? 0) + 1; },
    simpleResponseAllowed: () => opts.simple ?? false,
  };
  return { p: new MessageParser(isRequest, hooks, opts.cap ?? 64 * 1024), heads, done, weirds };
}

/** Feed `text` cut by `split`, each piece a view into a scratch buffer wiped afterwards. */
function feed(h: Harness, text: string | Uint8Array, split: Splitter = whole, ts = 1): void {
  const data = bytes(text);
  let off = 0;
  for (const n of split(data.length)) {
    const scratch = Buffer.alloc(n + 2);
    data.copy(scratch, 1, off, off + n);
    h.p.feed(scratch.subarray(1, 1 + n), ts);
    scratch.fill(0xaa);
    off += n;
  }
}

const splits: [string, Splitter][] = [['whole', whole], ['bytewise', bytewise], ['random', randomSplits(7)], ['random2', randomSplits(99, 40)]];

function view(m: HttpMessage): object {
  return {
    method: m.method, target: m.target, status: m.status, reason: m.reason, version: m.version,
    headers: m.headers, headersSize: m.headersSize, trailers: m.trailers, flags: m.flags,
    bodySize: m.bodySize, body: m.body().toString('latin1'),
  };
}

test('request line, headers, CRLF and bare LF endings, in every split', () => {
  const text = 'GET /x?a=1 HTTP/1.1\r\nHost: a.example\r\nX-Multi: 1\r\nx-multi: 2\r\n\r\n' +
    'POST /form HTTP/1.0\nHost: b\nContent-Length: 3\n\nabc' +
    'PUT /p HTTP/1.1\r\nContent-Length: 0\r\n\r\n';
  let ref: object[] | null = null;
  for (const [name, split] of splits) {
    const h = harness(true);
    feed(h, text, split);
    const got = h.done.map(view);
    assert.equal(got.length, 3, name);
    if (ref === null) ref = got;
    else assert.deepEqual(got, ref, name);
  }
  assert.deepEqual(ref![0], {
    method: 'GET', target: '/x?a=1', status: 0, reason: '', version: 'HTTP/1.1',
    headers: { host: 'a.example', 'x-multi': '1, 2' }, headersSize: 64, trailers: null, flags: [],
    bodySize: 0, body: '',
  });
  assert.equal((ref![1] as { body: string }).body, 'abc');
  assert.equal((ref![1] as { headersSize: number }).headersSize, 47);
});

test('leading empty lines between messages are skipped', () => {
  const h = harness(true);
  feed(h, '\r\n\r\nGET / HTTP/1.1\r\n\r\n\r\nGET /2 HTTP/1.1\r\n\r\n');
  assert.deepEqual(h.done.map((m) => m.target), ['/', '/2']);
});

test('status line, reason with spaces, no reason', () => {
  const h = harness(false);
  feed(h, 'HTTP/1.1 404 Not Found Here\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok');
  assert.deepEqual(h.done.map((m) => [m.status, m.reason, m.body().toString()]), [[404, 'Not Found Here', ''], [200, '', 'ok']]);
});

test('chunked body with extensions and trailers, in every split', () => {
  const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n' +
    '5;name=value;quoted="a;b"\r\nhello\r\n' +
    'A \r\n0123456789\r\n' +
    '0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n' +
    'HTTP/1.1 204 No Content\r\n\r\n';
  for (const [name, split] of splits) {
    const h = harness(false);
    feed(h, text, split);
    assert.equal(h.done.length, 2, name);
    const m = h.done[0];
    assert.equal(m.body().toString(), 'hello0123456789', name);
    assert.equal(m.bodySize, 15);
    assert.deepEqual(m.trailers, { 'x-checksum': 'abc', 'x-other': '1' }, name);
    assert.deepEqual(m.flags, []);
    assert.equal(h.done[1].status, 204);
  }
});

test('chunked without trailers and with bare LF', () => {
  const h = harness(false);
  feed(h, 'HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz');
  assert.equal(h.done.length, 2);
  assert.equal(h.done[0].body().toString(), 'abc');
  assert.equal(h.done[0].trailers, null);
  assert.equal(h.done[1].body().toString(), 'z');
});

test('bad chunk size is a violation; the parser resyncs on the next status line', () => {
  const h = harness(false);
  feed(h, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n');
  assert.equal(h.done.length, 2);
  assert.ok(h.done[0].flags.includes('violation'));
  assert.equal(h.done[1].status, 201);
  assert.equal(h.weirds.http_bad_chunk_size, 1);
});

test('chunk line past its limit abandons the direction', () => {
  const h = harness(false);
  feed(h, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;' + 'x'.repeat(MAX_CHUNK_LINE_BYTES) + '\r\nhello\r\n0\r\n\r\n');
  assert.equal(h.done.length, 1);
  assert.ok(h.done[0].flags.includes('violation'));
  assert.equal(h.p.counters.abandoned, 'http_chunk_line_limit');
  assert.ok(h.p.done);
});

test('close-delimited response body ends at end()', () => {
  for (const [name, split] of splits) {
    const h = harness(false);
    feed(h, 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this\r\nHTTP/1.1 200 is body too', split);
    assert.equal(h.done.length, 0, name);
    h.p.end(5);
    assert.equal(h.done.length, 1, name);
    assert.equal(h.done[0].body().toString(), 'all of this\r\nHTTP/1.1 200 is body too');
    assert.equal(h.done[0].lastTs, 1, 'the last byte, not the end, times the message');
  }
});

test('requests without Content-Length or Transfer-Encoding have no body', () => {
  const h = harness(true);
  feed(h, 'POST /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n');
  assert.deepEqual(h.done.map((m) => [m.method, m.bodySize]), [['POST', 0], ['GET', 0]]);
});

test('no body for 1xx, 204, 304 and when the binding says bodyless (HEAD)', () => {
  const h = harness(false, { bodyless: (m) => m.reason === 'HEAD-OK' });
  feed(h, 'HTTP/1.1 100 Continue\r\n\r\n' +
    'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n' +
    'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n' +
    'HTTP/1.1 200 HEAD-OK\r\nContent-Length: 10\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
  assert.deepEqual(h.done.map((m) => [m.status, m.bodySize]), [[100, 0], [204, 0], [304, 0], [200, 0], [200, 2]]);
});

test('Content-Length parsing (RFC 9110 §8.6)', () => {
  assert.deepEqual(parseContentLength('42'), { length: 42, repeated: false });
  assert.deepEqual(parseContentLength('42, 42'), { length: 42, repeated: true });
  assert.equal(parseContentLength('42, 43').length, -1);
  assert.equal(parseContentLength('-1').length, -1);
  assert.equal(parseContentLength('4 2').length, -1);
  assert.equal(parseContentLength('').length, -1);
  assert.equal(parseContentLength('1'.repeat(20)).length, -1);
  assert.equal(parseContentLength('10737418240').length, 10737418240);
  assert.ok(isChunkedFinal('chunked'));
  assert.ok(isChunkedFinal('gzip, Chunked '));
  assert.ok(!isChunkedFinal('chunked, gzip'));
  assert.ok(!isChunkedFinal('xchunked'));
});

test('repeated identical Content-Length is used and flagged; differing ones abandon the direction', () => {
  const h = harness(false);
  feed(h, 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc' +
    'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd' +
    'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz');
  assert.equal(h.done.length, 2);
  assert.equal(h.done[0].body().toString(), 'abc');
  assert.deepEqual(h.done[0].flags, ['violation']);
  assert.deepEqual(h.done[1].flags, ['violation']);
  assert.equal(h.p.counters.abandoned, 'http_bad_content_length');
  assert.equal(h.weirds.http_repeated_content_length, 1);
});

test('Transfer-Encoding overrides Content-Length and is flagged', () => {
  const h = harness(true);
  feed(h, 'POST / HTTP/1.1\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nGET /next HTTP/1.1\r\n\r\n');
  assert.equal(h.done.length, 2);
  assert.equal(h.done[0].body().toString(), 'ok');
  assert.deepEqual(h.done[0].flags, ['violation']);
  assert.equal(h.done[1].target, '/next');
  assert.equal(h.weirds.http_te_and_cl, 1);
});

test('a request whose final transfer coding is not chunked abandons the direction', () => {
  const h = harness(true);
  feed(h, 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nxxxxGET / HTTP/1.1\r\n\r\n');
  assert.equal(h.done.length, 1);
  assert.ok(h.done[0].flags.includes('violation'));
  assert.ok(h.p.done);
});

test('a response with a non-chunked transfer coding is close-delimited', () => {
  const h = harness(false);
  feed(h, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nrest');
  h.p.end(2);
  assert.equal(h.done[0].body().toString(), 'rest');
});

test('body kept up to the cap; true size recorded; flagged body-truncated', () => {
  for (const [name, split] of splits) {
    const h = harness(false, { cap: 10 });
    feed(h, 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n' + 'x'.repeat(100), split);
    assert.equal(h.done.length, 1, name);
    assert.equal(h.done[0].bodySize, 100);
    assert.equal(h.done[0].keptBytes, 10);
    assert.equal(h.done[0].body().length, 10);
    assert.deepEqual(h.done[0].flags, ['body-truncated']);
  }
});

test('a 10 GB Content-Length allocates nothing proportional to it', () => {
  const h = harness(false, { cap: 1024 });
  feed(h, 'HTTP/1.1 200 OK\r\nContent-Length: 10737418240\r\n\r\n');
  const chunk = Buffer.alloc(1 << 20, 0x41);
  const before = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 64; i++) h.p.feed(chunk, 2);
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 16 << 20, `arrayBuffers grew by ${grown}`);
  h.p.gap(10737418240 - 64 * (1 << 20), 3);
  assert.equal(h.done.length, 1);
  assert.equal(h.done[0].bodySize, 10737418240);
  assert.equal(h.done[0].keptBytes, 1024);
  assert.deepEqual([...h.done[0].flags].sort(), ['body-truncated', 'gap']);
  feed(h, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  assert.equal(h.done.length, 2, 'the gap ended exactly at the body end: the next message parses');
});

test('gap inside a Content-Length body is counted; parsing continues after it', () => {
  const h = harness(false);
  feed(h, 'HTTP/1.0 200 OK\r\nContent-Length: 70\r\n\r\n' + 'A'.repeat(14));
  h.p.gap(14, 2);
  feed(h, 'A'.repeat(42) + 'HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\nHello People');
  assert.equal(h.done.length, 2);
  assert.equal(h.done[0].bodySize, 70);
  assert.equal(h.done[0].keptBytes, 56);
  assert.deepEqual(h.done[0].flags, ['gap']);
  assert.equal(h.done[1].body().toString(), 'Hello People');
  assert.deepEqual(h.done[1].flags, []);
});

test('gap past the end of a body resyncs on the next status line', () => {
  const h = harness(false);
  feed(h, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345');
  h.p.gap(20, 2);
  feed(h, 'tail of something\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  assert.equal(h.done.length, 2);
  assert.deepEqual(h.done[0].flags, ['gap']);
  assert.equal(h.done[1].body().toString(), 'ok');
  assert.equal(h.p.counters.resyncs, 1);
});

test('gap inside headers: the message is emitted flagged gap, then resync (every split)', () => {
  for (const [name, split] of splits) {
    const h = harness(true);
    feed(h, 'GET /first HTTP/1.1\r\nHost: a\r\nUser-Ag', split);
    h.p.gap(30, 2);
    feed(h, 'ent: x\r\n\r\nbody?\r\nGET /second HTTP/1.1\r\nHost: b\r\n\r\n', split);
    assert.equal(h.done.length, 2, name);
    assert.equal(h.done[0].target, '/first');
    assert.deepEqual(h.done[0].headers, { host: 'a' });
    assert.deepEqual(h.done[0].flags, ['gap']);
    assert.equal(h.done[1].target, '/second');
    assert.deepEqual(h.done[1].flags, []);
  }
});

test('gap inside a chunk-size line: message flagged gap, resync', () => {
  const h = harness(false);
  feed(h, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1');
  h.p.gap(100, 2);
  feed(h, 'xx\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  assert.equal(h.done.length, 2);
  assert.deepEqual(h.done[0].flags, ['gap']);
  assert.equal(h.done[0].body().toString(), 'hello');
});

test('gap inside chunk data that ends within the chunk is counted', () => {
  const h = harness(false);
  feed(h, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabcd');
  h.p.gap(8, 2);
  feed(h, 'efgh\r\n0\r\n\r\n');
  assert.equal(h.done.length, 1);
  assert.equal(h.done[0].bodySize, 16);
  assert.equal(h.done[0].body().toString(), 'abcdefgh');
  assert.deepEqual(h.done[0].flags, ['gap']);
});

test('resync ignores lines that only look like a start line', () => {
  const h = harness(true);
  h.p.gap(10, 1);
  feed(h, 'xx GET /no HTTP/1.1\r\nGET /nover\r\nget / HTTP/1.1\r\nGET / HTTP/1.x\r\nGET /yes HTTP/1.1\r\n\r\n', bytewise);
  assert.deepEqual(h.done.map((m) => m.target), ['/yes']);
});

test('mid-stream start: bytes before the first start line are skipped', () => {
  for (const [name, split] of splits) {
    const h = harness(false);
    feed(h, 'ody of an earlier response\r\nmore\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx', split);
    assert.equal(h.done.length, 1, name);
    assert.equal(h.weirds.http_midstream_start, 1);
  }
});

test('endless headers hit MAX_HEADER_BYTES: violation, weird, direction abandoned', () => {
  for (const [name, split] of [['whole', whole], ['random', randomSplits(3, 5000)]] as [string, Splitter][]) {
    const h = harness(true);
    let text = 'GET /big HTTP/1.1\r\nHost: a\r\n';
    while (text.length < MAX_HEADER_BYTES + 100) text += 'X-Filler: ' + 'y'.repeat(1000) + '\r\n';
    feed(h, text + '\r\nGET /after HTTP/1.1\r\n\r\n', split);
    assert.equal(h.done.length, 1, name);
    assert.equal(h.done[0].target, '/big');
    assert.ok(h.done[0].flags.includes('violation'));
    assert.equal(h.weirds.http_header_bytes_limit, 1);
    assert.equal(h.p.counters.abandoned, 'http_header_bytes_limit');
    assert.ok(h.p.counters.ignoredBytes > 0);
  }
});

test('a head without any line end hits the limit without emitting', () => {
  const h = harness(true);
  feed(h, 'GET /' + 'a'.repeat(MAX_HEADER_BYTES + 10), randomSplits(5, 3000));
  assert.equal(h.done.length, 0);
  assert.equal(h.p.counters.abandoned, 'http_header_bytes_limit');
});

test('too many header fields hit MAX_HEADERS', () => {
  const h = harness(true);
  let text = 'GET / HTTP/1.1\r\n';
  for (let i = 0; i <= MAX_HEADERS + 1; i++) text += `X-${i}: v\r\n`;
  feed(h, text + '\r\n');
  assert.equal(h.done.length, 1);
  assert.equal(h.p.counters.abandoned, 'http_header_count_limit');
  assert.equal(Object.keys(h.done[0].headers).length, MAX_HEADERS);
});

test('odd heads: obs-fold, space before colon, line without colon, proto-like names', () => {
  const h = harness(true);
  feed(h, 'GET / HTTP/1.1\r\nX-Fold: a\r\n  b\r\nBad : v\r\nnocolon\r\n__proto__: p\r\nconstructor: c\r\n\r\n');
  const m = h.done[0];
  assert.equal(m.headers['x-fold'], 'a b');
  assert.equal(m.headers.bad, 'v');
  assert.equal(m.headers.__proto__, 'p');
  assert.equal(m.headers.constructor, 'c');
  assert.ok(m.flags.includes('violation'));
  assert.equal(Object.getPrototypeOf(m.headers), Object.prototype);
});

test('HTTP/0.9 simple request and request lines Zeek calls odd', () => {
  const h = harness(true);
  feed(h, 'GET /old/page\r\nOPTIONS HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.\r\n\r\nGET /a b HTTP/1.1\r\n\r\n');
  assert.deepEqual(h.done.map((m) => [m.method, m.target, m.version, m.flags.includes('violation')]), [
    ['GET', '/old/page', 'HTTP/0.9', false],
    ['OPTIONS', '', 'HTTP/1.1', true],
    ['GET', '/', 'HTTP/1.', true],
    ['GET', '/a b', 'HTTP/1.1', true],
  ]);
});

test('HTTP/0.9 response: no status line, body to the end, when the binding allows', () => {
  const h = harness(false, { simple: true });
  feed(h, '<html>\r\nhi</html>\r\n', bytewise);
  h.p.end(3);
  assert.equal(h.done.length, 1);
  assert.equal(h.done[0].version, 'HTTP/0.9');
  assert.equal(h.done[0].body().toString(), '<html>\r\nhi</html>\r\n');
});

test('end() inside a body or a head emits the message flagged truncated', () => {
  const h = harness(false);
  feed(h, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
  h.p.end(2);
  assert.deepEqual(h.done[0].flags, ['truncated']);
  const r = harness(true);
  feed(r, 'GET /cut HTTP/1.1\r\nHost: x\r\nAcc');
  r.p.end(2);
  assert.equal(r.done[0].target, '/cut');
  assert.deepEqual(r.done[0].headers, { host: 'x' });
  assert.deepEqual(r.done[0].flags, ['truncated']);
  r.p.feed(bytes('GET / HTTP/1.1\r\n\r\n'), 3);
  assert.equal(r.done.length, 1, 'bytes after end are ignored');
});

test('pause holds bytes; resume parses them; a plain request while paused resumes by itself', () => {
  const h = harness(true);
  feed(h, 'CONNECT a:443 HTTP/1.1\r\n\r\n');
  h.p.pause();
  feed(h, 'GET /held HTTP/1.1\r\n\r\n', bytewise);
  assert.equal(h.done.length, 2, 'a request line while paused resumes parsing');
  assert.equal(h.weirds.http_request_while_paused, 1);
  h.p.pause();
  feed(h, '\x16\x03\x01binary');
  assert.ok(h.p.paused);
  h.p.stop();
  feed(h, 'GET /x HTTP/1.1\r\n\r\n');
  assert.equal(h.done.length, 2);
});

test('fuzz: random and mutated inputs never throw, in random splits with gaps', () => {
  const seeds = [
    'GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloPOST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\nT: 1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\nHTTP/1.0 200 OK\r\n\r\nbody',
  ];
  const r = rng(12345);
  const alphabet = bytes('\r\n :;0123456789abcdefABCDEF/HTTP.-GETchunked\t\x00\xff');
  for (let iter = 0; iter < 3000; iter++) {
    const isRequest = iter % 2 === 0;
    let data: Buffer;
    if (iter % 5 === 0) {
      data = Buffer.alloc(Math.floor(r() * 400));
      for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * 256);
    } else {
      data = Buffer.from(bytes(seeds[iter % 2]));
      const muts = 1 + Math.floor(r() * 8);
      for (let k = 0; k < muts; k++) {
        const at = Math.floor(r() * data.length);
        const op = r();
        if (op < 0.5) data[at] = alphabet[Math.floor(r() * alphabet.length)];
        else if (op < 0.75) data = Buffer.concat([data.subarray(0, at), data.subarray(at + 1 + Math.floor(r() * 10))]);
        else data = Buffer.concat([data.subarray(0, at), alphabet.subarray(0, Math.floor(r() * alphabet.length)), data.subarray(at)]);
      }
    }
    const h = harness(isRequest, { cap: 16, simple: r() < 0.5 });
    let off = 0;
    while (off < data.length) {
      const n = 1 + Math.floor(r() * 30);
      h.p.feed(data.subarray(off, off + n), off);
      if (r() < 0.05) h.p.gap(1 + Math.floor(r() * 50), off);
      if (r() < 0.02) h.p.pause();
      if (r() < 0.02) h.p.resume(off);
      off += n;
    }
    h.p.end(off);
    for (const m of h.done) {
      assert.ok(m.keptBytes <= 16);
      assert.ok(m.bodySize >= 0);
    }
  }
});
