import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EntryBuffer } from './entry-buffer.js';
import { readUrl, writeUrl, DEFAULT_CAP } from '../url-state.js';
import { streamUrl } from './live-stream.js';
import type { Entry } from '../../../src/entries/types.js';

const e = (i: number): Entry => ({ id: `e${i}` } as Entry);
const ids = (b: EntryBuffer): string[] => b.all().map((x) => x.id);

test('buffer: appends in order, skips ids it holds, evicts the oldest past the cap and counts them', () => {
  const b = new EntryBuffer(5);
  assert.equal(b.append([e(1), e(2), e(3)]), 0);
  assert.equal(b.append([e(3), e(4)]), 0, 'a repeat is skipped');
  assert.equal(b.received, 4);
  assert.equal(b.append([e(5), e(6), e(7)]), 2);
  assert.deepEqual(ids(b), ['e3', 'e4', 'e5', 'e6', 'e7']);
  assert.equal(b.evicted, 2);
  assert.equal(b.received, 7);
  b.append([e(1)]);
  assert.deepEqual(ids(b), ['e4', 'e5', 'e6', 'e7', 'e1'], 'an evicted id may come back');
  assert.throws(() => new EntryBuffer(0), RangeError);
});

test('buffer: older pages go before, within the cap, newest-first input', () => {
  const b = new EntryBuffer(4);
  b.append([e(10), e(11)]);
  assert.equal(b.prependOlder([e(9), e(11), e(8), e(7)]), 2);
  assert.deepEqual(ids(b), ['e8', 'e9', 'e10', 'e11']);
  const v = b.version;
  b.clear();
  assert.equal(b.length, 0);
  assert.ok(b.version > v);
});

test('buffer: 200,000 entries through a 100,000 cap stay bounded', () => {
  const b = new EntryBuffer(DEFAULT_CAP);
  for (let k = 0; k < 100; k++) b.append(Array.from({ length: 2000 }, (_, i) => e(k * 2000 + i)));
  assert.equal(b.length, DEFAULT_CAP);
  assert.equal(b.evicted, 100_000);
  assert.equal(b.at(0)!.id, 'e100000');
});

test('URL state round-trips and rejects nonsense', () => {
  const s = { view: 'map' as const, q: 'http and dst.name == "a&b"', id: 'x.y.c1-2', cap: 5000, window: 900 };
  assert.deepEqual(readUrl(writeUrl(s)), s);
  assert.equal(writeUrl(readUrl('')), '');
  const bad = readUrl('?view=evil&cap=-5&window=abc');
  assert.deepEqual([bad.view, bad.cap, bad.window], ['traffic', DEFAULT_CAP, 300]);
  assert.equal(streamUrl({ protocol: 'https:', host: 'h:1' }, 'a == "b"'), 'wss://h:1/api/stream?q=a%20%3D%3D%20%22b%22');
  assert.equal(streamUrl({ protocol: 'http:', host: 'h' }, ''), 'ws://h/api/stream');
});
