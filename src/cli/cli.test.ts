import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { packageRoot, fixturePath } from '../util/paths.js';
import { pcapFile } from '../capture/writer.js';
import { tcpConversation } from '../testing/packets.js';

const bin = join(packageRoot(), 'bin', 'podtap.js');
const tmp = mkdtempSync(join(tmpdir(), 'podtap-cli-'));

function podtap(...args: string[]) {
  return podtapWithInput(undefined, ...args);
}

function podtapWithInput(input: Buffer | undefined, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Bad input must give one line on stderr, a non-zero exit, and no stack trace. */
function assertOneLineError(r: ReturnType<typeof podtap>, pattern: RegExp) {
  assert.notEqual(r.code, 0);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.err}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.err, /\n\s+at /);
}

const http = tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40000, sport: 80, exchanges: [
  ['GET /a HTTP/1.1\r\nHost: x\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'],
] });
const good = pcapFile(http.map((data, i) => ({ ts: 1_700_000_000_000 + i, data })), { linkType: 1 });

test('--help works', () => {
  const r = podtap('--help');
  assert.equal(r.code, 0);
  assert.match(r.out, /read/);
});

test('read without a file decodes the bundled demo capture', () => {
  const r = podtap('read', '--format', 'jsonl');
  assert.equal(r.code, 0, r.err);
  const entries = r.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(entries.some((e) => e.protocol === 'http'));
  assert.ok(entries.some((e) => e.protocol === 'dns'));
});

test('jsonl, table, har and --out', () => {
  const f = join(tmp, 'good.pcap');
  writeFileSync(f, good);
  const j = podtap('read', f, '--format', 'jsonl');
  assert.equal(j.code, 0, j.err);
  const e = JSON.parse(j.out.trim());
  assert.equal(e.request.method, 'GET');
  assert.equal(e.response.status, 200);
  const t = podtap('read', f);
  assert.match(t.out, /GET/);
  assert.doesNotMatch(t.out, /\x1b\[/, 'no colour when not a TTY');
  const out = join(tmp, 'out.har');
  const h = podtap('read', f, '--format', 'har', '--out', out);
  assert.equal(h.code, 0, h.err);
  assert.equal(h.out, '');
  const har = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(har.log.version, '1.2');
  assert.equal(har.log.entries.length, 1);
});

test('gzip-compressed captures are read transparently', () => {
  const f = join(tmp, 'good.pcap.gz');
  writeFileSync(f, gzipSync(good));
  const r = podtap('read', f, '--format', 'jsonl');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim().split('\n').length, 1);
});

test('--stats prints the counters on stderr', () => {
  const f = join(tmp, 'good.pcap');
  writeFileSync(f, good);
  const r = podtap('read', f, '--format', 'jsonl', '--stats');
  assert.match(r.err, /packets\s+8/);
  assert.match(r.err, /entries by protocol\s+http=1/);
  assert.match(r.err, /gaps\s+0/);
});

test('a file that is not a capture', () => {
  const f = join(tmp, 'text.txt');
  writeFileSync(f, 'hello, this is not a capture file\n');
  assertOneLineError(podtap('read', f), /not a capture file/);
});

test('a missing file', () => {
  assertOneLineError(podtap('read', join(tmp, 'nope.pcap')), /cannot open .*no such file/);
});

test('an empty file', () => {
  const f = join(tmp, 'empty.pcap');
  writeFileSync(f, '');
  assertOneLineError(podtap('read', f), /not a capture file|empty/);
});

test('a truncated last record: error, or counted with --tolerate-truncation', () => {
  const f = join(tmp, 'trunc.pcap');
  writeFileSync(f, good.subarray(0, good.length - 10));
  const broken = podtap('read', f, '--format', 'jsonl');
  assertOneLineError(broken, /truncated/);
  // Nothing before the break is lost: the exchange is still written.
  assert.equal(broken.out.trim().split('\n').length, 1);
  const r = podtap('read', f, '--tolerate-truncation', '--format', 'jsonl');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim().split('\n').length, 1);
});

test('a corrupt record length', () => {
  const f = join(tmp, 'corrupt.pcap');
  const bad = Buffer.from(good);
  bad.writeUInt32LE(0x7fffffff, 24 + 8); // first record's captured length
  writeFileSync(f, bad);
  assertOneLineError(podtap('read', f), /length/i);
});

test('a corrupt pcapng block length', () => {
  const src = readFileSync(fixturePath('corpus', 'zeek', 'Traces', 'redis', 'django-cloud.pcapng'));
  const bad = Buffer.from(src);
  const shbLen = bad.readUInt32LE(4);
  bad.writeUInt32LE(13, shbLen + 4); // second block: not a multiple of 4
  const f = join(tmp, 'corrupt.pcapng');
  writeFileSync(f, bad);
  assertOneLineError(podtap('read', f), /block/i);
});

test('an unknown link type is skipped and counted, not an error', () => {
  const f = join(tmp, 'linktype.pcap');
  writeFileSync(f, pcapFile(http.map((data, i) => ({ ts: i, data })), { linkType: 147 }));
  const r = podtap('read', f, '--stats', '--format', 'jsonl');
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /unknown link types\s+147=8/);
});

test('garbage inside a TCP stream is recorded and the rest of the file still processed', () => {
  const garbage = tcpConversation({ client: '10.0.0.3', server: '10.0.0.2', cport: 40001, sport: 80, exchanges: [
    ['GET /ok HTTP/1.1\r\nHost: x\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ['\x00\x01\x02 garbage \xff\xfe\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
  ] });
  const f = join(tmp, 'garbage.pcap');
  writeFileSync(f, pcapFile([...garbage, ...http].map((data, i) => ({ ts: 1_700_000_000_000 + i, data })), { linkType: 1 }));
  const r = podtap('read', f, '--format', 'jsonl', '--stats');
  assert.equal(r.code, 0, r.err);
  const entries = r.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(entries.some((e) => e.request?.path === '/ok'));
  assert.ok(entries.some((e) => e.request?.path === '/a'), 'the next connection is still processed');
  assert.match(r.err, /weirds\s+\S*http/);
});

test('bad flags are one-line usage errors', () => {
  const r = podtap('read', '--format', 'xml');
  assert.notEqual(r.code, 0);
  assert.match(r.err, /xml/);
  assertOneLineError(podtap('read', '--max-body-bytes', 'lots'), /max-body-bytes/);
});

test('read - takes the capture from standard input, gzip or not', () => {
  for (const input of [good, gzipSync(good)]) {
    const r = podtapWithInput(input, 'read', '-', '--format', 'jsonl');
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out.trim()).request.path, '/a');
  }
  assertOneLineError(podtapWithInput(Buffer.alloc(0), 'read', '-'), /standard input is empty/);
  assertOneLineError(podtapWithInput(Buffer.from('GET / HTTP/1.1\r\n'), 'read', '-'), /not a capture/);
});
