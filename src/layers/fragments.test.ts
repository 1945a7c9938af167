import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAGMENT_TIMEOUT_MS, FragmentReassembler, MAX_DATAGRAM_BYTES, MAX_FRAGMENTS_PER_DATAGRAM, type FragmentStats } from './fragments.js';

const ADDR = Buffer.from([10, 0, 0, 1, 10, 0, 0, 2]);

function setup(maxDatagrams = 1024, maxBytes = 32 * 1024 * 1024) {
  const stats: FragmentStats = { fragments: 0, reassembled: 0, dropped: 0, overlapBytes: 0, limitsHit: {} };
  const r = new FragmentReassembler(stats, maxDatagrams, maxBytes);
  const add = (id: number, offset: number, more: boolean, text: string, ts = 0) =>
    r.add(4, ADDR, 0, 4, 4, id, 17, offset, more, Buffer.from(text, 'latin1'), ts);
  return { r, stats, add };
}

test('fragments in any order make the datagram, handed on once', () => {
  const t = setup();
  assert.equal(t.add(1, 16, false, 'CCCC'), null);
  assert.equal(t.add(1, 0, true, 'AAAAAAAA'), null);
  const d = t.add(1, 8, true, 'BBBBBBBB');
  assert.equal(d?.payload.toString('latin1'), 'AAAAAAAABBBBBBBBCCCC');
  assert.equal(d?.protocol, 17);
  assert.deepEqual([...d!.addresses], [...ADDR]);
  assert.equal(t.stats.reassembled, 1);
  assert.equal(t.r.size, 0);
  assert.equal(t.r.heldBytes, 0);
});

test('overlapping and duplicate fragments: the first copy wins, overlaps counted', () => {
  const t = setup();
  t.add(2, 0, true, 'aaaaaaaaaaaaaaaa');  // [0, 16)
  t.add(2, 8, true, 'XXXXXXXXYYYYYYYY');  // [8, 24): 8 bytes overlap
  t.add(2, 8, true, 'ZZZZZZZZ');          // duplicate range: all overlap
  const d = t.add(2, 24, false, 'end!');
  assert.equal(d?.payload.toString('latin1'), 'aaaaaaaaaaaaaaaaYYYYYYYYend!');
  assert.equal(t.stats.overlapBytes, 16);
});

test('a fragment spanning several held ranges fills only the holes between them', () => {
  const t = setup();
  t.add(3, 0, true, '00000000');
  t.add(3, 16, true, '22222222');
  t.add(3, 32, false, '4444');
  const d = t.add(3, 0, true, 'xxxxxxxx11111111xxxxxxxx33333333');
  assert.equal(d?.payload.toString('latin1'), '000000001111111122222222333333334444');
  assert.equal(t.stats.overlapBytes, 16);
});

test('inconsistent ends drop the datagram', () => {
  const t = setup();
  t.add(4, 8, false, 'bb');
  assert.equal(t.add(4, 8, false, 'bbbb'), null); // a second, different end
  assert.equal(t.r.size, 0);
  const u = setup();
  u.add(5, 8, false, 'bb');
  assert.equal(u.add(5, 16, true, 'cccccccc'), null); // bytes past the end
  assert.equal(u.r.size, 0);
});

test('past the datagram count, the oldest incomplete one is dropped and counted', () => {
  const t = setup(4);
  for (let id = 0; id < 10; id++) t.add(id, 0, true, 'first-fragment!!');
  assert.equal(t.r.size, 4);
  assert.equal(t.stats.limitsHit.maxFragmentDatagrams, 6);
});

test('past the byte limit, the oldest datagrams make room for new bytes', () => {
  const t = setup(1024, 64 * 1024);
  const big = 'x'.repeat(1480);
  for (let id = 0; id < 200; id++) t.add(id, 0, true, big);
  assert.ok(t.r.heldBytes <= 64 * 1024);
  assert.ok((t.stats.limitsHit.maxFragmentBytesTotal ?? 0) > 0);
  // A datagram arriving whole still completes.
  const d = t.add(999, 0, true, 'aaaaaaaa') ?? t.add(999, 8, false, 'bb');
  assert.equal(d?.payload.toString('latin1'), 'aaaaaaaabb');
});

test('per-datagram limits: fragment count (duplicates included) and size', () => {
  const t = setup();
  for (let k = 0; k <= MAX_FRAGMENTS_PER_DATAGRAM; k++) t.add(6, 8 * (k % 16), true, 'dddddddd');
  assert.equal(t.stats.limitsHit.maxFragmentsPerDatagram, 1);
  assert.equal(t.r.size, 0);
  t.add(7, MAX_DATAGRAM_BYTES - 4, true, 'eeeeeeee');
  assert.equal(t.stats.limitsHit.maxDatagramBytes, 1);
});

test('incomplete datagrams expire by capture time; shed() drops them all', () => {
  const t = setup();
  t.add(8, 0, true, 'aaaaaaaa', 0);
  t.add(9, 0, true, 'bbbbbbbb', FRAGMENT_TIMEOUT_MS);
  t.r.expire(FRAGMENT_TIMEOUT_MS + 1);
  assert.equal(t.r.size, 1);
  assert.ok(t.r.shed() > 0);
  assert.equal(t.r.size, 0);
  assert.equal(t.r.heldBytes, 0);
});

test('a flood of overlapping fragments costs a binary search each, not a sort', () => {
  const t = setup();
  const started = performance.now();
  for (let id = 0; id < 50; id++) {
    t.add(id, 8 * 4000, false, 'zzzzzzzz');
    for (let k = 3999; k >= 1; k--) t.add(id, 8 * k, true, 'yyyyyyyyyyyyyyyy');
  }
  assert.ok(performance.now() - started < 5000);
  assert.ok(t.stats.overlapBytes > 0);
});
