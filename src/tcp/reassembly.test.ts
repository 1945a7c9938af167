import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HalfStream, MAX_SEGMENTS_PER_STREAM, Reassembler, SEGMENT_OVERHEAD_BYTES, type ReassemblyStats, type StreamOutput } from './reassembly.js';
import type { Dir } from '../flows/flow-table.js';

type Ev = ['data', string] | ['gap', number] | ['end'];

function setup(perStream = 1 << 20, total = 1 << 24) {
  const stats: ReassemblyStats = { tcpRetransmittedBytes: 0, tcpOverlapBytes: 0, tcpOutOfOrderSegments: 0, gaps: 0, gapBytes: 0, limitsHit: {} };
  const r = new Reassembler({ maxBufferedBytesPerStream: perStream, maxBufferedBytesTotal: total }, stats);
  const events: Ev[] = [];
  const out: StreamOutput = {
    data: (_d: Dir, v: Uint8Array) => events.push(['data', Buffer.from(v).toString('latin1')]),
    gap: (_d: Dir, n: number) => events.push(['gap', n]),
    end: () => events.push(['end']),
  };
  const h = new HalfStream();
  const seg = (seq: number, s: string, fin = false, missing = 0) => r.segment(h, 0, seq >>> 0, Buffer.from(s, 'latin1'), missing, fin, 0, out);
  const text = () => events.filter((e) => e[0] === 'data').map((e) => e[1]).join('');
  return { r, h, stats, events, out, seg, text };
}

test('in-order segments are delivered as they come', () => {
  const t = setup();
  t.r.syn(t.h, 99);
  t.seg(100, 'hello ');
  t.seg(106, 'world', true);
  assert.deepEqual(t.events, [['data', 'hello '], ['data', 'world'], ['end']]);
});

test('out-of-order segments wait for the hole to fill', () => {
  const t = setup();
  t.r.syn(t.h, 0);
  t.seg(6, 'BBBBB');
  t.seg(11, 'CCC');
  assert.equal(t.events.length, 0);
  t.seg(1, 'AAAAA');
  assert.equal(t.text(), 'AAAAABBBBBCCC');
  assert.equal(t.stats.tcpOutOfOrderSegments, 2);
});

test('retransmissions are counted and dropped; partial overlap keeps only new bytes', () => {
  const t = setup();
  t.r.syn(t.h, 0);
  t.seg(1, 'abcdef');
  t.seg(1, 'abcdef');
  t.seg(4, 'defGHI');
  assert.equal(t.text(), 'abcdefGHI');
  assert.equal(t.stats.tcpRetransmittedBytes, 6);
  assert.equal(t.stats.tcpOverlapBytes, 3);
});

test('overlapping buffered segments: the first copy wins', () => {
  const t = setup();
  t.r.syn(t.h, 0);
  t.seg(5, 'XXXX');   // bytes 5..8 first
  t.seg(3, 'yyyyyyyy'); // 3..10, overlapping 5..8 with different bytes
  t.seg(1, 'ab');
  assert.equal(t.text(), 'abyyXXXXyy');
  assert.equal(t.stats.tcpOverlapBytes, 4);
});

test('sequence numbers wrap around 2^32', () => {
  const t = setup();
  t.r.syn(t.h, 0xfffffffa);
  t.seg(0xfffffffb, 'abcd');
  t.seg(0xffffffff, 'efgh');
  t.seg(3, 'ijk', true);
  assert.equal(t.text(), 'abcdefghijk');
  assert.deepEqual(t.events.at(-1), ['end']);
});

test('out-of-order across the wrap point', () => {
  const t = setup();
  t.r.syn(t.h, 0xfffffff0);
  t.seg(0x00000002, 'CC');
  t.seg(0xfffffff1, 'A'.repeat(15));
  t.seg(0x00000000, 'BB');
  assert.equal(t.text(), 'A'.repeat(15) + 'BBCC');
});

test('a hole is reported as a gap at flush, never glued', () => {
  const t = setup();
  t.r.syn(t.h, 0);
  t.seg(1, 'aaa');
  t.seg(10, 'bbb', true);
  t.r.flush(t.h, 0, 0, t.out);
  assert.deepEqual(t.events, [['data', 'aaa'], ['gap', 6], ['data', 'bbb'], ['end']]);
  assert.equal(t.stats.gaps, 1);
  assert.equal(t.stats.gapBytes, 6);
});

test('an ACK for bytes never captured declares the gap at once', () => {
  const t = setup();
  t.r.syn(t.h, 0);
  t.seg(1, 'aaa');
  t.seg(10, 'bbb');
  t.r.acked(t.h, 0, 13, 0, t.out);
  assert.deepEqual(t.events, [['data', 'aaa'], ['gap', 6], ['data', 'bbb']]);
});

test('buffer limit per stream gives up on the oldest hole and counts it', () => {
  const t = setup(SEGMENT_OVERHEAD_BYTES + 10); // each segment also counts its overhead
  t.r.syn(t.h, 0);
  t.seg(5, 'xxxxxx');    // 6 bytes buffered
  t.seg(20, 'yyyyyy');   // would be 12 > 10: the hole before 5 becomes a gap
  assert.equal(t.stats.limitsHit.maxBufferedBytesPerStream, 1);
  assert.deepEqual(t.events.slice(0, 2), [['gap', 4], ['data', 'xxxxxx']]);
  t.r.flush(t.h, 0, 0, t.out);
  assert.equal(t.text(), 'xxxxxxyyyyyy');
  assert.ok(t.r.bufferedBytes === 0);
});

test('total buffer limit across streams is enforced', () => {
  const t = setup(1 << 20, SEGMENT_OVERHEAD_BYTES + 8);
  const h2 = new HalfStream();
  t.r.syn(t.h, 0);
  t.r.syn(h2, 0);
  t.seg(5, 'aaaaa');
  t.r.segment(h2, 1, 5, Buffer.from('bbbbb'), 0, false, 0, t.out);
  assert.equal(t.stats.limitsHit.maxBufferedBytesTotal, 1);
  assert.ok(t.r.bufferedBytes <= SEGMENT_OVERHEAD_BYTES + 8);
});

test('missing handshake: the first segment sets the base', () => {
  const t = setup();
  t.seg(123456, 'mid-stream ');
  t.seg(123467, 'data');
  assert.equal(t.text(), 'mid-stream data');
});

test('a segment cut by the snap length delivers what was captured, then a gap', () => {
  const t = setup();
  t.r.syn(t.h, 0);
  t.seg(1, 'abc', false, 5);
  t.seg(9, 'next');
  assert.deepEqual(t.events, [['data', 'abc'], ['gap', 5], ['data', 'next']]);
});

test('FIN waits for the data before it', () => {
  const t = setup();
  t.r.syn(t.h, 0);
  t.seg(4, 'def', true);
  assert.equal(t.events.length, 0);
  t.seg(1, 'abc');
  assert.deepEqual(t.events, [['data', 'abc'], ['data', 'def'], ['end']]);
});

test('data after the end is counted as retransmitted', () => {
  const t = setup();
  t.r.syn(t.h, 0);
  t.seg(1, 'abc', true);
  t.seg(1, 'abc', true);
  assert.equal(t.stats.tcpRetransmittedBytes, 3);
});

test('a random permutation of segments with duplicates yields the original stream', () => {
  const text = Array.from({ length: 2000 }, (_, i) => String.fromCharCode(97 + (i * 7) % 26)).join('');
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let round = 0; round < 20; round++) {
    const t = setup();
    const isn = (0xffffff00 + round * 13) >>> 0;
    t.r.syn(t.h, isn);
    const segs: Array<[number, string]> = [];
    for (let off = 0; off < text.length;) {
      const n = 1 + Math.floor(rnd() * 90);
      segs.push([off, text.slice(off, off + n)]);
      off += n;
    }
    const dupes = segs.filter(() => rnd() < 0.2);
    const all = [...segs, ...dupes].sort(() => rnd() - 0.5);
    for (const [off, s] of all) t.seg(isn + 1 + off, s);
    assert.equal(t.text(), text, `round ${round}`);
    assert.equal(t.r.bufferedBytes, 0);
  }
});

test('tiny segments count their overhead: a flood of 1-byte segments hits the byte limit early', () => {
  const t = setup(100 * (SEGMENT_OVERHEAD_BYTES + 1));
  t.r.syn(t.h, 0);
  for (let i = 0; i < 1000; i++) t.seg(2 + 2 * i, 'z'); // every other byte: never contiguous
  assert.ok(t.r.bufferedBytes <= 100 * (SEGMENT_OVERHEAD_BYTES + 1));
  assert.ok(t.h.pending.length <= 100);
  assert.ok((t.stats.limitsHit.maxBufferedBytesPerStream ?? 0) > 0);
});

test('the segment count per stream is bounded, and the limit is named', () => {
  const t = setup(1 << 30, 1 << 30);
  t.r.syn(t.h, 0);
  for (let i = 0; i < MAX_SEGMENTS_PER_STREAM + 10; i++) t.seg(2 + 2 * i, 'z');
  assert.ok(t.h.pending.length <= MAX_SEGMENTS_PER_STREAM);
  assert.equal(t.stats.limitsHit.maxSegmentsPerStream, 10);
});

test('at the limit, a segment before every buffered one is delivered after a gap, not dropped', () => {
  const t = setup(SEGMENT_OVERHEAD_BYTES + 10);
  t.r.syn(t.h, 0);
  t.seg(20, 'late');
  t.seg(5, 'early');  // no room; the hole before it becomes a gap and it is delivered
  t.r.flush(t.h, 0, 0, t.out);
  assert.equal(t.text(), 'early' + 'late');
  assert.equal(t.r.bufferedBytes, 0);
});

test('segments arriving in reverse order cost a binary search each, and stay bounded', () => {
  const t = setup(1 << 30, 1 << 30);
  t.r.syn(t.h, 0);
  const started = performance.now();
  for (let i = 200_000; i > 0; i--) t.seg(1 + 2 * i, 'r');
  assert.ok(t.h.pending.length <= MAX_SEGMENTS_PER_STREAM);
  assert.ok(performance.now() - started < 5000);
});
