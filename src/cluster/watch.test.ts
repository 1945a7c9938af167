import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchInventory } from './watch.js';
import type { ClusterSnapshot, InventoryError } from './model.js';

const dir = mkdtempSync(join(tmpdir(), 'podtap-watch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const inventory = (...names: string[]) => JSON.stringify({
  apiVersion: 'v1', kind: 'List',
  items: names.map((name, i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, status: { phase: 'Running', podIP: `10.0.0.${i + 1}` } })),
});

/** Collects callbacks; `next()` waits for the next snapshot or error, failing after `ms`. */
function recorder() {
  const events: (ClusterSnapshot | InventoryError)[] = [];
  let wake: (() => void) | undefined;
  const push = (e: ClusterSnapshot | InventoryError) => { events.push(e); wake?.(); };
  return {
    events,
    onSnapshot: (s: ClusterSnapshot) => push(s),
    onError: (e: InventoryError) => push(e),
    async next(ms = 1000): Promise<ClusterSnapshot | InventoryError> {
      const start = Date.now();
      const seen = events.length;
      while (events.length === seen) {
        const left = ms - (Date.now() - start);
        if (left <= 0) throw new Error(`nothing within ${ms} ms`);
        await new Promise<void>((r) => { wake = r; setTimeout(r, left); });
      }
      return events[seen];
    },
  };
}

const names = (e: ClusterSnapshot | InventoryError) => ('pods' in e ? e.pods.map((p) => p.name).join(',') : `error: ${e.message}`);

test('rewrite → new snapshot within a second; no-op rewrite skipped; invalid rewrite keeps the last good', async () => {
  const file = join(dir, 'inv.json');
  writeFileSync(file, inventory('a'));
  const r = recorder();
  const w = watchInventory(file, r.onSnapshot, r.onError);
  try {
    assert.equal((await w.ready)?.pods[0].name, 'a');
    assert.equal(names(r.events[0]), 'a');

    let t0 = Date.now();
    writeFileSync(file, inventory('a', 'b'));
    assert.equal(names(await r.next(1000)), 'a,b');
    console.log(`# rewrite seen after ${Date.now() - t0} ms`);

    writeFileSync(file, inventory('a', 'b')); // same bytes
    await sleep(400);
    assert.equal(r.events.length, 2, 'same content: no new snapshot');
    assert.ok(w.stats.unchanged >= 1);

    t0 = Date.now();
    writeFileSync(file, '{"kind": "List", "items": [');
    const err = await r.next(1500);
    assert.match(names(err), /^error: .*inv.json: is not valid JSON/);
    console.log(`# invalid rewrite reported after ${Date.now() - t0} ms`);
    assert.equal(w.current?.pods.length, 2, 'last good snapshot kept');

    writeFileSync(file, inventory('c'));
    assert.equal(names(await r.next(1000)), 'c');
    assert.equal(w.current?.pods[0].name, 'c');
  } finally {
    w.close();
  }
});

test("editor's rename-replace is followed", async () => {
  const file = join(dir, 'rename.yaml');
  writeFileSync(file, inventory('a'));
  const r = recorder();
  const w = watchInventory(file, r.onSnapshot, r.onError);
  try {
    await w.ready;
    for (const next of ['b', 'c']) {
      const tmp = join(dir, `.rename.yaml.${next}.swp`);
      writeFileSync(tmp, inventory(next));
      renameSync(tmp, file);
      assert.equal(names(await r.next(1000)), next);
    }
  } finally {
    w.close();
  }
});

test('a file written in two steps is not reported as broken', async () => {
  const file = join(dir, 'slow.json');
  writeFileSync(file, inventory('a'));
  const r = recorder();
  const w = watchInventory(file, r.onSnapshot, r.onError);
  try {
    await w.ready;
    const text = inventory('a', 'b', 'c');
    writeFileSync(file, text.slice(0, 40)); // `kubectl … > FILE` halfway through
    await sleep(150);
    writeFileSync(file, text);
    assert.equal(names(await r.next(1500)), 'a,b,c');
    await sleep(400);
    assert.equal(r.events.length, 2, `no error in between: ${r.events.map(names).join(' | ')}`);
  } finally {
    w.close();
  }
});

test('missing or invalid at start: error reported, then the fixed file is picked up; close() stops callbacks', async () => {
  const file = join(dir, 'later.json');
  const r = recorder();
  const w = watchInventory(file, r.onSnapshot, r.onError);
  assert.equal(await w.ready, undefined);
  assert.match(names(r.events[0]), /later.json: cannot be read \(ENOENT\)/);
  writeFileSync(file, inventory('x'));
  assert.equal(names(await r.next(1000)), 'x');
  w.close();
  writeFileSync(file, inventory('y'));
  await sleep(300);
  assert.equal(r.events.length, 2);
});
