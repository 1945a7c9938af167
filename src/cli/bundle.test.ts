// `podtap read` runs from dist/bundle/ (scripts/bundle-read.mjs) when the bundle is fresh: it must behave exactly
// as the compiled modules do (PODTAP_NO_BUNDLE=1), output and errors alike, and a stale bundle must never be used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturePath, packageRoot } from '../util/paths.js';

const root = packageRoot();
const bin = join(root, 'bin', 'podtap.js');
const bundle = join(root, 'dist', 'bundle', 'main.js');
const compiled = join(root, 'dist', 'cli', 'main.js');
const tmp = mkdtempSync(join(tmpdir(), 'podtap-bundle-'));

function podtap(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', PODTAP_DEBUG: '', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Which entry bin/podtap.js loads for these arguments (it says so under PODTAP_DEBUG). */
function loaded(env: Record<string, string>, ...args: string[]): string[] {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env, PODTAP_DEBUG: '1' } });
  return [...r.stderr.matchAll(/^podtap: running .*\/dist\/((?:bundle|cli)\/main\.js)$/gm)].map((m) => m[1]!);
}

test('npm run build made a fresh bundle', () => {
  assert.ok(existsSync(bundle), 'dist/bundle/main.js exists (npm run build runs scripts/bundle-read.mjs)');
  assert.ok(statSync(bundle).mtimeMs >= statSync(compiled).mtimeMs, 'the bundle is newer than dist/cli/main.js');
});

test('podtap read from the bundle gives what the compiled modules give', () => {
  const runs: Array<[string, ...string[]]> = [
    ['jsonl', fixturePath('golden', 'lab-http-dns.pcap'), '--format', 'jsonl'],
    ['har', fixturePath('golden', 'lab-http-dns.pcap'), '--format', 'har'],
    ['table', fixturePath('kafka', 'kafkajs.pcap')],
    ['filter', fixturePath('golden', 'lab-http-dns.pcap'), '--format', 'jsonl', '--filter', 'dns and response.rcodeName == "NXDOMAIN"'],
    ['websocket', fixturePath('websocket', 'ws-deflate.pcap'), '--format', 'jsonl'],
    ['stats', fixturePath('mongodb', 'driver.pcap'), '--format', 'jsonl', '--stats'],
  ];
  for (const [name, ...args] of runs) {
    const a = podtap({}, 'read', ...args);
    const b = podtap({ PODTAP_NO_BUNDLE: '1' }, 'read', ...args);
    assert.equal(a.code, 0, `${name}: ${a.err}`);
    assert.equal(a.out, b.out, name);
    assert.ok(a.out.length > 100, `${name}: some output`);
    assert.equal(a.err.replace(/time .*\n/, ''), b.err.replace(/time .*\n/, ''), `${name}: stderr`);
  }
});

test('errors from the bundle are the same one-line errors with the same exit codes', () => {
  const junk = join(tmp, 'junk.pcap');
  writeFileSync(junk, 'not a capture at all');
  for (const args of [['read', junk], ['read', join(tmp, 'missing.pcap')], ['read', junk, '--filter', 'http and'], ['read', junk, '--format', 'xml'], ['read', '--help']]) {
    const a = podtap({}, ...args);
    const b = podtap({ PODTAP_NO_BUNDLE: '1' }, ...args);
    assert.deepEqual([a.code, a.out, a.err], [b.code, b.out, b.err], args.join(' '));
    assert.doesNotMatch(a.err, /\n\s+at /, args.join(' '));
  }
});

test('the bundle serves read only, and only while it is fresh', () => {
  assert.deepEqual(loaded({}, 'read', fixturePath('golden', 'lab-http-dns.pcap'), '--out', '/dev/null'), ['bundle/main.js']);
  assert.deepEqual(loaded({ PODTAP_NO_BUNDLE: '1' }, 'read', fixturePath('golden', 'lab-http-dns.pcap'), '--out', '/dev/null'), ['cli/main.js']);
  assert.deepEqual(loaded({}, '--version'), ['cli/main.js']);
  const { atime, mtime } = statSync(bundle);
  try {
    const old = new Date(statSync(compiled).mtimeMs - 60_000);
    utimesSync(bundle, old, old); // as after `tsc` alone
    assert.deepEqual(loaded({}, 'read', fixturePath('golden', 'lab-http-dns.pcap'), '--out', '/dev/null'), ['cli/main.js']);
  } finally {
    utimesSync(bundle, atime, mtime);
  }
});
