import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySink } from './memory-sink.js';
import { dnsA, dnsNxdomain, httpGet, httpNoRequest, httpNoResponse, httpPostBinary } from './sample-entries.js';
import { clockTime } from './table-format.js';
import { TableWriter, useColor } from './table.js';
import type { Entry } from '../entries/types.js';

const ANSI = /\x1b\[[0-9;]*m/g;
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const GREEN = '\x1b[32m';

function render(entries: Entry[], color: boolean, width = 120): string[] {
  const sink = new MemorySink();
  const w = new TableWriter(sink, { color, width });
  for (const e of entries) w.write(e);
  w.end();
  assert.ok(sink.ended);
  return sink.text().split('\n').slice(0, -1);
}

test('plain rows hold every column and fit the width', () => {
  const entries = [httpGet(), httpPostBinary(), httpNoResponse(), httpNoRequest(), dnsA(), dnsNxdomain()];
  for (const l of render(entries, false, 120)) assert.ok(l.length <= 120, `${l.length} > 120: ${l}`);
  const lines = render(entries, false, 160);
  assert.equal(lines.length, entries.length);
  for (const l of lines) {
    assert.doesNotMatch(l, ANSI);
    assert.ok(l.length <= 160, `${l.length} > 160: ${l}`);
  }
  const [get, post, noRes, noReq, a, nx] = lines;
  assert.ok(get.startsWith(clockTime(entries[0].timestamp) + '  http'));
  assert.match(get, /10\.244\.1\.15:52344 → 10\.96\.12\.4:8080/);
  assert.match(get, /GET api\.default\.svc\/v1\/users\?id=3/);
  assert.match(get, /200 OK/);
  assert.match(get, /12\.5ms +31$/);
  assert.match(post, /\[fd00::15\]:40000 → \[fd00::4\]:80/);
  assert.match(post, /POST \/upload/);
  assert.match(post, /503 Service/);
  assert.match(post, /250\.0ms +8$/);
  assert.match(noRes, /no response \[gap\]/);
  assert.match(noRes, / - +- *$/);
  assert.match(noReq, /\(no request\) +200 OK \[no-request\] +- +31$/);
  assert.match(a, /dns /);
  assert.match(a, /A example\.com/);
  assert.match(a, /NOERROR 93\.184\.216\.34 \+2 /);
  assert.match(render([dnsA()], false, 240)[0], /NOERROR 93\.184\.216\.34, 93\.184\.216\.35 \+1 /, 'more answers when wider');
  assert.match(a, /1\.25ms +-$/);
  assert.match(nx, /AAAA nope\.example\.com/);
  assert.match(nx, /NXDOMAIN/);
});

test('summaries of odd request-targets', () => {
  const e = httpGet();
  e.request!.method = 'OPTIONS';
  e.request!.path = '*';
  assert.match(render([e], false)[0], / OPTIONS api\.default\.svc \* /);
  e.request!.host = '';
  assert.match(render([e], false)[0], / OPTIONS \* /);
  e.request!.method = 'CONNECT';
  e.request!.path = 'db.internal:5432';
  assert.match(render([e], false)[0], / CONNECT db\.internal:5432 /);
});

test('clock time is local HH:MM:SS.mmm', () => {
  const d = new Date(2024, 0, 2, 3, 4, 5, 6);
  assert.equal(clockTime(d.getTime()), '03:04:05.006');
});

test('colour marks status classes, NXDOMAIN and missing responses', () => {
  const get = render([httpGet()], true)[0];
  assert.ok(get.includes(`${GREEN}200 OK`), get);
  const post = render([httpPostBinary()], true)[0];
  assert.ok(post.includes(`${RED}503`), post);
  const notFound = httpGet();
  notFound.response!.status = 404;
  notFound.response!.statusText = 'Not Found';
  assert.ok(render([notFound], true)[0].includes(`${YELLOW}404 Not Found`));
  const noRes = render([httpNoResponse()], true)[0];
  assert.ok(noRes.includes(`${RED}no response`), noRes);
  assert.ok(noRes.includes('\x1b[2m[gap]'), 'other flags are dim');
  const nx = render([dnsNxdomain()], true)[0];
  assert.ok(nx.includes(`${YELLOW}NXDOMAIN`), nx);
  // Colour codes do not change the layout.
  const entries = [httpGet(), httpNoResponse(), dnsA(), dnsNxdomain()];
  assert.deepEqual(render(entries, true).map((l) => l.replace(ANSI, '')), render(entries, false));
});

test('colour only on a TTY and never with NO_COLOR', () => {
  assert.equal(useColor(true, {}), true);
  assert.equal(useColor(false, {}), false);
  assert.equal(useColor(true, { NO_COLOR: '1' }), false);
  assert.equal(useColor(true, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count (no-color.org)');
});

test('long fields are truncated to the width, narrow terminals included', () => {
  const e = httpGet();
  e.request!.path = '/' + 'very-long-segment/'.repeat(20);
  for (const width of [80, 120, 200]) {
    const [line] = render([e, dnsA()], false, width);
    assert.ok(line.length <= width, `${line.length} > ${width}`);
    assert.match(line, /…/);
    assert.match(line, /12\.5ms +31$/, 'elapsed and size survive truncation');
  }
});

test('control characters from the wire are escaped, not sent to the terminal', () => {
  const e = httpGet();
  e.request!.path = '/x\x1b[2J\u202e';
  e.response!.statusText = 'OK\r\n';
  const d = dnsA();
  d.response!.answers[0].data = 'evil\x07';
  const lines = render([e, d], false, 200);
  const text = lines.join('\n');
  assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\u202e]/);
  assert.match(lines[0], /\/x\\x1b\[2J\\u202e/);
  assert.match(lines[0], /OK\\x0d\\x0a/);
  assert.match(lines[1], /evil\\x07/);
});

test('each row is written as its entry arrives', () => {
  const sink = new MemorySink();
  const w = new TableWriter(sink, { color: false, width: 120 });
  w.write(httpGet());
  assert.equal(sink.text().split('\n').length, 2);
  w.write(dnsA());
  assert.equal(sink.text().split('\n').length, 3);
  assert.equal(sink.ended, false);
  w.end();
  assert.ok(sink.ended);
});
