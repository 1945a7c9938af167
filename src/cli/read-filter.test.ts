import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath, packageRoot } from '../util/paths.js';

const bin = join(packageRoot(), 'bin', 'podtap.js');
const capture = fixturePath('golden', 'lab-http-dns.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'podtap-read-filter-'));

function podtap(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface Row { id: string; protocol: string; request: { method?: string; path?: string } | null; response: { status?: number } | null }
const lines = (text: string): Row[] => text.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Row);

const all = lines(podtap('read', capture, '-f', 'jsonl').out);

test('--filter keeps only matching entries (jsonl)', () => {
  assert.ok(all.length > 10);
  for (const [filter, want] of [
    ['http and response.status == 404', (e: Row) => e.protocol === 'http' && e.response?.status === 404],
    ['dns', (e: Row) => e.protocol === 'dns'],
    ['request.path.startsWith("/y") || request.method == "POST"', (e: Row) => (e.request?.path ?? '').startsWith('/y') || e.request?.method === 'POST'],
    ['!(http)', (e: Row) => e.protocol !== 'http'],
  ] as const) {
    const r = podtap('read', capture, '-f', 'jsonl', '--filter', filter);
    assert.equal(r.code, 0, r.err);
    const expected = all.filter(want).map((e) => e.id);
    assert.ok(expected.length > 0, filter);
    assert.deepEqual(lines(r.out).map((e) => e.id), expected, filter);
  }
});

test('--filter applies to table and HAR output too', () => {
  const t = podtap('read', capture, '--filter', 'dns');
  assert.equal(t.code, 0, t.err);
  assert.doesNotMatch(t.out, /GET|POST/);
  assert.match(t.out, /lab\.test/);
  const out = join(tmp, 'posts.har');
  const h = podtap('read', capture, '-f', 'har', '-o', out, '--filter', 'request.method == "POST"');
  assert.equal(h.code, 0, h.err);
  const har = JSON.parse(readFileSync(out, 'utf8')) as { log: { entries: Array<{ request: { method: string } }> } };
  assert.equal(har.log.entries.length, all.filter((e) => e.request?.method === 'POST').length);
  assert.ok(har.log.entries.every((e) => e.request.method === 'POST'));
});

test('a filter that matches nothing writes nothing and succeeds', () => {
  const r = podtap('read', capture, '-f', 'jsonl', '--filter', 'redis');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '');
});

test('an invalid filter is one line, exit code 2, before any output is opened', () => {
  const out = join(tmp, 'never.jsonl');
  for (const [filter, message] of [
    ['response.status ==', 'podtap: invalid filter at column 19: expected a value after "==", found end of input'],
    ['request.path == r"(a)\\1"', /^podtap: invalid filter at column 17: invalid regex .*linear time/],
    ['', 'podtap: invalid filter at column 1: expected a condition, found end of input'],
  ] as const) {
    const r = podtap('read', capture, '-f', 'jsonl', '-o', out, '--filter', filter);
    assert.equal(r.code, 2, r.err);
    const errLines = r.err.trim().split('\n');
    assert.equal(errLines.length, 1, r.err);
    if (typeof message === 'string') assert.equal(errLines[0], message);
    else assert.match(errLines[0], message);
    assert.doesNotMatch(r.err, /\n\s+at /);
    assert.equal(existsSync(out), false, 'no output file for an invalid filter');
  }
});
