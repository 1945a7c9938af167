/**
 * Every input the fuzzer saved (fixtures/fuzz/<target>/crash-*.bin) replayed
 * through its target: nothing may escape but the target's expected boundary
 * errors, and no replay may come near the hang limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixturePath } from '../util/paths.js';
import { HANG_MS } from './limits.js';
import { targetNamed } from './targets/index.js';

/** Slack over the fuzzer's hang limit for a loaded test machine. */
const REPLAY_LIMIT_MS = 2 * HANG_MS;
const root = fixturePath('fuzz');
const folders = existsSync(root) ? readdirSync(root).filter((n) => statSync(join(root, n)).isDirectory()).sort() : [];

test('every folder under fixtures/fuzz is a fuzz target', () => {
  for (const f of folders) assert.ok(targetNamed(f) !== undefined, `fixtures/fuzz/${f}: no fuzz target of that name`);
});

for (const folder of folders) {
  const target = targetNamed(folder);
  if (target === undefined) continue;
  for (const file of readdirSync(join(root, folder)).filter((n) => n.endsWith('.bin')).sort()) {
    test(`fuzz regression ${folder}/${file}`, async () => {
      const input = new Uint8Array(readFileSync(join(root, folder, file)));
      const t0 = performance.now();
      try {
        await target.run(input);
      } catch (e) {
        if (target.expected?.(e) !== true) throw e;
      }
      const ms = performance.now() - t0;
      assert.ok(ms < REPLAY_LIMIT_MS, `replay took ${ms.toFixed(0)} ms`);
    });
  }
}
