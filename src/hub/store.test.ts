import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntryStore, splitBodies } from './store.js';
import { dnsA, httpGet, httpPostBinary } from '../output/sample-entries.js';
import type { HttpEntry } from '../entries/types.js';

/** The sample entries are dated 2024: without this, the default age limit would delete them. */
const NO_AGE_LIMIT = { maxAgeMs: Infinity };

function many(n: number, from = 0, t0 = Date.UTC(2026, 10, 27), pad = ''): HttpEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const e = httpGet();
    return { ...e, id: `n.r.c${from + i}-0`, timestamp: t0 + from + i, request: { ...e.request!, path: `/p/${pad}/${from + i}` } };
  });
}

test('entries round-trip with their bodies; listings carry no body text', () => {
  const s = new EntryStore(NO_AGE_LIMIT);
  const e = httpGet();
  s.insert([e, httpPostBinary(), dnsA()]);
  assert.deepEqual(s.get(e.id), e);
  assert.deepEqual(s.get(dnsA().id), dnsA());
  const listed = s.page(null, 10).map((r) => r.entry);
  assert.equal(listed.length, 3);
  const http = listed.find((x) => x.id === e.id);
  assert.ok(http !== undefined && http.protocol === 'http');
  assert.equal(http.response?.body?.content, '');
  assert.equal(http.response?.body?.size, e.response!.body!.size);
  assert.equal(s.get('nope'), undefined);
  s.close();
});

test('bodies are stored compressed and apart from the summary', () => {
  const e = httpGet();
  e.response!.body!.content = 'x'.repeat(10_000);
  const { doc, bodies } = splitBodies(e);
  assert.ok(!doc.includes('xxxx'));
  assert.ok(bodies !== null && bodies.length < 200);
});

test('an id already stored is skipped and counted, so resends never double', () => {
  const s = new EntryStore(NO_AGE_LIMIT);
  const first = s.insert(many(10));
  assert.equal(first.length, 10);
  const again = s.insert([...many(5, 5), ...many(3, 10)]);
  assert.deepEqual(again.map((e) => e.id), ['n.r.c10-0', 'n.r.c11-0', 'n.r.c12-0']);
  assert.equal(s.count(), 13);
  assert.equal(s.counters.duplicates, 5);
  s.close();
});

test('pages are newest first and the cursor continues without overlap', () => {
  const s = new EntryStore(NO_AGE_LIMIT);
  s.insert(many(250));
  const seen: string[] = [];
  let before: number | undefined;
  for (;;) {
    const rows = s.page(null, 100, before);
    if (rows.length === 0) break;
    seen.push(...rows.map((r) => r.entry.id));
    before = rows[rows.length - 1]!.seq;
  }
  assert.equal(seen.length, 250);
  assert.equal(new Set(seen).size, 250);
  assert.equal(seen[0], 'n.r.c249-0');
  s.close();
});

test('retention by age deletes what is older than the limit while ingesting', () => {
  const now = Date.UTC(2026, 10, 27, 12);
  const s = new EntryStore({ maxAgeMs: 60_000, now: () => now });
  s.insert(many(5, 0, now - 120_000));
  assert.equal(s.count(), 0);
  s.insert(many(5, 10, now - 1000));
  assert.equal(s.count(), 5);
  assert.equal(s.counters.retainedOut, 5);
  s.close();
});

test('retention by size keeps the database file within 5% of its limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-store-'));
  const limit = 4 * 1024 * 1024;
  const s = new EntryStore({ ...NO_AGE_LIMIT, dir, maxBytes: limit });
  for (let b = 0; b < 60; b++) {
    s.insert(many(500, b * 500, undefined, 'y'.repeat(200)));
  }
  s.db.pragma('wal_checkpoint(TRUNCATE)');
  const size = statSync(join(dir, 'entries.db')).size;
  assert.ok(s.counters.retainedOut > 0, 'retention deleted rows');
  assert.ok(size <= limit * 1.05, `file ${size} bytes, limit ${limit}`);
  assert.ok(s.usedBytes() <= limit, `pages in use ${s.usedBytes()}`);
  assert.ok(s.count() > 1000, 'newest rows kept');
  assert.ok(s.get('n.r.c29999-0') !== undefined, 'the newest entry is kept');
  s.close();
  rmSync(dir, { recursive: true });
});

test('a reopened store keeps everything (hub restart)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-store-'));
  const a = new EntryStore({ ...NO_AGE_LIMIT, dir });
  a.insert(many(100));
  a.close();
  const b = new EntryStore({ ...NO_AGE_LIMIT, dir });
  assert.equal(b.count(), 100);
  assert.equal(b.insert(many(100)).length, 0, 'ids from before the restart are still known');
  b.close();
  rmSync(dir, { recursive: true });
});
