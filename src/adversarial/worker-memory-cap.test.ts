/**
 * `podtap worker --memory-cap`: the flag exists with its 512m default, and
 * a cap too small to hold the pipeline's shares is one usage line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { clusterFixture } from '../cluster/test-support.js';

const bin = join(packageRoot(), 'bin', 'podtap.js');

function podtap(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('worker --help lists --memory-cap with its default', () => {
  const r = podtap('worker', '--help');
  assert.equal(r.code, 0);
  assert.match(r.out.replace(/\s+/g, ' '), /--memory-cap <size>.*\(default: "512m"\)/);
});

test('worker --memory-cap below the minimum is one usage line', () => {
  const r = podtap('worker', '--node', 'kind-worker', '--inventory', clusterFixture('kind-cluster.json'), '--memory-cap', '1m');
  assert.notEqual(r.code, 0);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, r.err);
  assert.match(lines[0]!, /--memory-cap: 1m is too small; give at least 32m/);
  const bad = podtap('worker', '--node', 'kind-worker', '--inventory', clusterFixture('kind-cluster.json'), '--memory-cap', 'lots');
  assert.match(bad.err, /--memory-cap: expected a size like/);
});
