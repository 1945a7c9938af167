import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Entry, HttpEntry } from '../entries/types.js';
import { FdSink } from './fd-sink.js';
import { parseSetCookie, splitSetCookie } from './har-cookies.js';
import { absoluteUrl } from './har-url.js';
import { HarWriter } from './har.js';
import { MemorySink } from './memory-sink.js';
import { packageRoot } from '../util/paths.js';
import { dnsA, dnsNxdomain, httpGet, httpNoRequest, httpNoResponse, httpPostBinary } from './sample-entries.js';

// The HAR 1.2 JSON schemas of the `har-schema` package (draft-06), as used by har-validator.
const require = createRequire(import.meta.url);
const harSchemas = require('har-schema') as Record<string, object>;

function harValidator(): ValidateFunction {
  // strict: false because the schemas use non-standard keywords ("optional", "min").
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as object);
  addFormats.default(ajv);
  for (const schema of Object.values(harSchemas)) ajv.addSchema(schema);
  const validate = ajv.getSchema('har.json#');
  assert.ok(validate);
  return validate;
}
const validateHar = harValidator();

interface Har {
  log: {
    version: string;
    creator: { name: string; version: string };
    entries: Array<Record<string, any>>;
    _podtap: { entries: number; skipped: Record<string, number> };
  };
}

function assertValid(har: unknown): asserts har is Har {
  const ok = validateHar(har);
  assert.ok(ok, JSON.stringify(validateHar.errors, null, 2));
  // What the schema cannot say: timings are -1 or more and `time` is their sum.
  for (const e of (har as Har).log.entries) {
    const sum = Object.values(e.timings as Record<string, number>).filter((t) => t >= 0).reduce((a, b) => a + b, 0);
    for (const t of Object.values(e.timings as Record<string, number>)) assert.ok(t >= -1);
    assert.equal(e.time, sum);
    assert.ok(e.response.bodySize >= -1 && e.request.bodySize >= -1);
  }
}

function harOf(entries: Entry[]): Har {
  const sink = new MemorySink();
  const w = new HarWriter(sink, { creatorVersion: '0.1.0' });
  for (const e of entries) w.write(e);
  w.end();
  assert.ok(sink.ended);
  const har = JSON.parse(sink.text()) as unknown;
  assertValid(har);
  return har;
}

test('the schema validator rejects a broken HAR (guards the test itself)', () => {
  const har = harOf([httpGet()]);
  delete har.log.entries[0].response.status;
  assert.equal(validateHar(har), false);
  const bad = harOf([httpGet()]);
  bad.log.entries[0].request.url = 'not a url';
  assert.equal(validateHar(bad), false);
});

test('log header, creator, and DNS entries skipped and counted', () => {
  const har = harOf([dnsA(), httpGet(), dnsNxdomain(), httpPostBinary()]);
  assert.equal(har.log.version, '1.2');
  assert.deepEqual(har.log.creator, { name: 'podtap', version: '0.1.0' });
  assert.equal(har.log.entries.length, 2);
  assert.deepEqual(har.log._podtap, { entries: 2, skipped: { dns: 2 } });
});

test('an empty capture is a valid empty log', () => {
  const har = harOf([]);
  assert.deepEqual(har.log.entries, []);
});

test('creator.version defaults to the package version', () => {
  const sink = new MemorySink();
  const w = new HarWriter(sink);
  w.end();
  const har = JSON.parse(sink.text()) as unknown;
  assertValid(har);
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  assert.equal(har.log.creator.version, pkg.version);
});

test('request: absolute url, query string with repeats, cookies, headers', () => {
  const [e] = harOf([httpGet()]).log.entries;
  assert.equal(e.startedDateTime, '2024-05-17T10:15:30.250Z');
  assert.equal(e.time, 12.5);
  assert.deepEqual(e.timings, { blocked: -1, dns: -1, connect: -1, send: 0, wait: 12.5, receive: 0, ssl: -1 });
  assert.deepEqual(e.cache, {});
  assert.equal(e.serverIPAddress, '10.96.12.4');
  assert.equal(e.connection, 'c1');
  const r = e.request;
  assert.equal(r.method, 'GET');
  assert.equal(r.url, 'http://api.default.svc/v1/users?id=3&tag=a&tag=b%20c&q=x+y');
  assert.equal(r.httpVersion, 'HTTP/1.1');
  assert.deepEqual(r.queryString, [
    { name: 'id', value: '3' }, { name: 'tag', value: 'a' }, { name: 'tag', value: 'b c' }, { name: 'q', value: 'x y' },
  ]);
  assert.deepEqual(r.cookies, [{ name: 'session', value: 'abc123' }, { name: 'theme', value: 'dark' }]);
  assert.deepEqual(r.headers[0], { name: 'host', value: 'api.default.svc' });
  assert.equal(r.postData, undefined);
  assert.equal(r.headersSize, 112);
  assert.equal(r.bodySize, 0);
});

test('response: Set-Cookie split back into cookies, decoded content with compression', () => {
  const [e] = harOf([httpGet()]).log.entries;
  const r = e.response;
  assert.equal(r.status, 200);
  assert.equal(r.statusText, 'OK');
  assert.deepEqual(r.cookies, [
    { name: 'id', value: 'a3fWa', expires: '2015-10-21T07:28:00.000Z', path: '/', httpOnly: true },
    { name: 'lang', value: 'en', secure: true },
  ]);
  assert.deepEqual(r.headers.filter((h: { name: string }) => h.name === 'set-cookie').length, 2);
  assert.deepEqual(r.content, {
    size: 20, compression: 20 - 31, mimeType: 'application/json', text: '{"users":[{"id":3}]}',
  });
  assert.equal(r.bodySize, 31);
  assert.equal(r.redirectURL, '');
  assert.deepEqual(e._podtap, { id: 'c1-0', flags: [], src: httpGet().src, dst: httpGet().dst });
});

test('base64 bodies, IPv6 server without Host, redirect URL', () => {
  const [e] = harOf([httpPostBinary()]).log.entries;
  assert.equal(e.request.url, 'http://[fd00::4]:80/upload');
  assert.deepEqual(e.request.postData, { mimeType: 'application/octet-stream', text: '3q2+7w==', _encoding: 'base64' });
  assert.equal(e.request.bodySize, 4);
  assert.deepEqual(e.response.content, { size: 8, mimeType: 'image/png', text: 'iVBORw0KGgo=', encoding: 'base64' });
  assert.equal(e.response.redirectURL, 'http://example.com/retry');
  assert.equal(e.serverIPAddress, 'fd00::4');
});

test('no response: status 0, unknown sizes, flags in _podtap', () => {
  const [e] = harOf([httpNoResponse()]).log.entries;
  assert.equal(e.response.status, 0);
  assert.equal(e.response.httpVersion, '');
  assert.equal(e.response.bodySize, -1);
  assert.equal(e.response.headersSize, -1);
  assert.deepEqual(e.response.content, { size: 0, mimeType: '' });
  assert.equal(e.time, 0);
  assert.deepEqual(e._podtap.flags, ['no-response', 'gap']);
});

test('no request: kept with an empty method and the server as url', () => {
  const [e] = harOf([httpNoRequest()]).log.entries;
  assert.equal(e.request.method, '');
  assert.equal(e.request.url, 'http://10.96.12.4:8080/');
  assert.equal(e.request.httpVersion, 'HTTP/1.1');
  assert.equal(e.response.status, 200);
  assert.deepEqual(e._podtap.flags, ['no-request']);
});

test('odd request-targets and hosts still give valid URIs', () => {
  const cases: Array<[string, string, string]> = [
    ['/a b/ü?x=1#frag', 'h', 'http://h/a%20b/%C3%BC?x=1%23frag'],
    ['/100%/%41', 'h', 'http://h/100%25/%41'],
    ['http://Proxy.example:8080/p?q', '', 'http://Proxy.example:8080/p?q'],
    ['example.com:443', 'example.com:443', 'http://example.com:443'],
    ['*', 'h', 'http://h/*'],
    ['/x', 'bad host\r\n', 'http://10.0.0.1:80/x'],
    ['/x', 'user@evil', 'http://10.0.0.1:80/x'],
    ['/x', '[::1]:8080', 'http://[::1]:8080/x'],
    ['/[x]', 'h', 'http://h/%5Bx%5D'],
  ];
  for (const [target, host, want] of cases) {
    assert.equal(absoluteUrl(target, host, { ip: '10.0.0.1', port: 80 }), want, `${target} ${host}`);
  }
  const entries = cases.map(([target, host], i): HttpEntry => {
    const e = httpGet();
    e.id = `odd-${i}`;
    e.request!.path = target;
    e.request!.host = host;
    return e;
  });
  harOf(entries); // schema-valid, including the uri format
});

test('Set-Cookie splitting keeps commas inside Expires', () => {
  assert.deepEqual(splitSetCookie('a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT, b=2, c=3; Path=/'), [
    'a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT', 'b=2', 'c=3; Path=/',
  ]);
  assert.equal(parseSetCookie('=nameless'), null);
  assert.deepEqual(parseSetCookie('x=1; Expires=not a date; Domain=.ex.com'), { name: 'x', value: '1', domain: '.ex.com' });
});

test('streams through a file sink: output reaches the file before end()', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-har-'));
  try {
    const path = join(dir, 'out.har');
    const sink = FdSink.open(path, { bufferSize: 4096 });
    const w = new HarWriter(sink, { creatorVersion: '0.1.0' });
    const n = 200;
    for (let i = 0; i < n; i++) {
      const e = i % 3 === 0 ? httpNoResponse() : httpGet();
      e.id = `c-${i}`;
      w.write(e);
      if (i % 10 === 0) w.write(dnsA());
    }
    const before = fstatSync(sink.fd).size;
    assert.ok(before > 100_000, `most of the log is on disk before end (${before} bytes)`);
    assert.ok(sink.buffered < 4096, 'at most one buffer held in memory');
    assert.ok(sink.stats.flushes > 10);
    w.end();
    const har = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    assertValid(har);
    assert.equal(har.log.entries.length, n);
    assert.equal(har.log._podtap.skipped.dns, 20);
    assert.deepEqual(har.log.entries.slice(0, 3).map((e) => e._podtap.id), ['c-0', 'c-1', 'c-2']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
