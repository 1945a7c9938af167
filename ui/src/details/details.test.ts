import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderToStaticMarkup } from 'react-dom/server';
import { createElement } from 'react';
import { bodyView, hexDump } from './body.js';
import { curlCommand, shellQuote } from './curl.js';
import { filterPath, isRedacted } from './path.js';
import { EntryView } from './EntryDetails.js';
import { parseFilter } from '../../../src/query/parser.js';
import type { HttpBody, HttpEntry, HttpRequest } from '../../../src/entries/types.js';
import type { PostgresEntry } from '../../../src/dissectors/postgres/entry.js';

const body = (content: string, mimeType: string, encoding: 'text' | 'base64' = 'text', truncated = false): HttpBody => ({ size: content.length, content, encoding, mimeType, truncated });

test('bodies are shown by type, checked against their bytes', () => {
  assert.deepEqual(bodyView(null), { kind: 'empty' });
  const j = bodyView(body('{"a":[1,{"b":null}]}', 'application/json; charset=utf-8'));
  assert.equal(j.kind, 'json');
  assert.deepEqual(j.kind === 'json' && j.value, { a: [1, { b: null }] });
  assert.equal(bodyView(body('{"cut": "in the mid', 'application/json', 'text', true)).kind, 'text', 'a JSON body that does not parse is text');
  assert.equal(bodyView(body('{"x":1}', 'application/problem+json')).kind, 'json');
  const f = bodyView(body('user=ann&note=a+b%26c', 'application/x-www-form-urlencoded'));
  assert.deepEqual(f.kind === 'form' && f.fields, [['user', 'ann'], ['note', 'a b&c']]);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64');
  assert.equal(bodyView(body(png, 'image/png', 'base64')).kind, 'image');
  assert.equal(bodyView(body(png, 'image/png', 'base64', true)).kind, 'binary', 'a truncated image is shown as bytes');
  const svg = bodyView(body('<svg onload="alert(1)"/>', 'image/svg+xml'));
  assert.equal(svg.kind, 'text', 'SVG is never rendered as an image');
  const bin = bodyView(body(Buffer.from('\x00\x01hello').toString('base64'), 'application/octet-stream', 'base64'));
  assert.equal(bin.kind, 'binary');
});

test('hex dump: offsets, bytes, printable ASCII, bounded', () => {
  const bytes = new Uint8Array([...Buffer.from('GET / HTTP/1.1\r\n'), 0, 255]);
  const lines = hexDump(bytes).split('\n');
  assert.equal(lines[0], '00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31 0d 0a  |GET / HTTP/1.1..|');
  assert.equal(lines[1], `00000010  00 ff ${' '.repeat(43)} |..|`);
  assert.equal(lines[0]!.indexOf('|'), lines[1]!.indexOf('|'), 'the ASCII column lines up');
  assert.match(hexDump(new Uint8Array(100), 32), /… 68 more bytes$/);
});

test('copy as curl: method, URL, headers and body, quoted for the shell', () => {
  const req: HttpRequest = {
    method: 'POST', path: '/api/cart?x=1', host: 'shop.local:8080', query: { x: '1' }, httpVersion: 'HTTP/1.1',
    headers: { 'content-type': 'application/json', 'content-length': '13', 'x-note': "it's" }, headersSize: 80, body: body('{"id":"a\'b"}', 'application/json'),
  };
  const c = curlCommand(req, { ip: '10.0.0.1', port: 8080 });
  assert.equal(c, `curl -X 'POST' 'http://shop.local:8080/api/cart?x=1' -H 'content-type: application/json' -H 'x-note: it'\\''s' --data-raw '{"id":"a'\\''b"}'`);
  assert.equal(curlCommand({ ...req, method: 'GET', host: '', body: null, headers: {} }, { ip: 'fd00::1', port: 80 }), `curl 'http://[fd00::1]:80/api/cart?x=1'`);
  assert.equal(shellQuote(`$(rm -rf /)`), `'$(rm -rf /)'`);
});

test('filter paths of clicked values parse; redaction markers match by path', () => {
  for (const keys of [['request', 'headers', 'user-agent'], ['response', 'body', 'content', 'items', 0, 'id'], ['src', 'namespace'], ['request', 'questions', 0, 'name']] as Array<Array<string | number>>) {
    parseFilter(`${filterPath(keys)} == "x"`);
  }
  assert.equal(filterPath(['request', 'headers', 'user-agent']), 'request.headers["user-agent"]');
  assert.ok(isRedacted(['request.headers.authorization'], ['request', 'headers', 'authorization']));
  assert.ok(isRedacted(['response.body.content.password'], ['response', 'body', 'content', 'password']));
  assert.ok(!isRedacted(['request.headers.authorization'], ['request', 'headers', 'accept']));
  assert.ok(!isRedacted(undefined, ['request']));
});

const ep = (ip: string, port: number, name?: string) => ({ ip, port, ...(name !== undefined ? { name, namespace: 'shop' } : {}) });

test('details: traffic is rendered as text, never as markup', () => {
  const evil = '<img src=x onerror=alert(1)><script>alert(2)</script>';
  const e: HttpEntry = {
    id: 'n.r.c1-0', protocol: 'http', transport: 'tcp', timestamp: 1_700_000_000_000, elapsedTime: 12.5, src: ep('10.0.0.2', 40000, evil), dst: ep('10.0.0.3', 80, 'api'),
    connectionId: 'c1', flags: [], redacted: ['request.headers.authorization'],
    request: { method: 'GET', path: `/x?q=${evil}`, host: 'api', query: { q: evil }, httpVersion: 'HTTP/1.1', headers: { authorization: '[REDACTED]', 'x-evil': evil }, headersSize: 10, body: null },
    response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: { 'content-type': 'text/html' }, headersSize: 10, body: body(evil, 'text/html') },
  };
  const html = renderToStaticMarkup(createElement(EntryView, { entry: e, onPick: () => undefined }));
  assert.ok(!html.includes('<script>'), 'no script element');
  assert.ok(!html.includes('<img src=x'), 'no img element from traffic');
  assert.ok(html.includes('&lt;script&gt;alert(2)&lt;/script&gt;'));
  assert.match(html, /class="redacted"/, 'the masked header is marked');
  assert.match(html, /Copy as curl/);
  assert.match(html, /export\.har\?q=id\+%3D%3D\+%22n\.r\.c1-0%22/);
  assert.match(html, /export\.pcapng\?q=connectionId\+%3D%3D\+%22c1%22/);
});

test('details: SQL text and result rows for PostgreSQL', () => {
  const e: PostgresEntry = {
    id: 'n.r.c2-0', protocol: 'postgres', transport: 'tcp', timestamp: 1_700_000_000_000, elapsedTime: 1.2, src: ep('10.0.0.2', 40001), dst: ep('10.0.0.4', 5432, 'db'),
    connectionId: 'c2', flags: [],
    request: { type: 'query', query: 'SELECT id, name FROM products WHERE id = $1' },
    response: { commandTag: 'SELECT 1', rows: 1, columns: ['id', 'name'], sample: [['7', null]], error: null, notices: [], transactionStatus: 'I' },
  };
  const html = renderToStaticMarkup(createElement(EntryView, { entry: e, onPick: () => undefined }));
  assert.match(html, /data-testid="sql-text"[^>]*>SELECT id, name FROM products WHERE id = \$1</);
  assert.match(html, /data-testid="result-rows"/);
  assert.match(html, /NULL/);
  assert.ok(!html.includes('Copy as curl'), 'curl only for HTTP');
});
