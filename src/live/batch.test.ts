import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchDecoder, RECORD_HEADER_BYTES, type BatchCounters } from './batch.js';

/** Build a batch as the addon lays it out: per record u32 caplen, u32 origlen, f64 ts, bytes, padded to 8. */
function batch(records: Array<{ data: number[]; orig?: number; ts: number }>, extra = 0): ArrayBuffer {
  let size = 0;
  for (const r of records) size = (size + RECORD_HEADER_BYTES + r.data.length + 7) & ~7;
  const buf = new ArrayBuffer(size + extra);
  const dv = new DataView(buf);
  let o = 0;
  for (const r of records) {
    dv.setUint32(o, r.data.length, true);
    dv.setUint32(o + 4, r.orig ?? r.data.length, true);
    dv.setFloat64(o + 8, r.ts, true);
    new Uint8Array(buf, o + RECORD_HEADER_BYTES, r.data.length).set(r.data);
    o = (o + RECORD_HEADER_BYTES + r.data.length + 7) & ~7;
  }
  return buf;
}

function decode(buf: ArrayBuffer, count: number) {
  const got: Array<{ data: number[]; orig: number; ts: number; linkType: number }> = [];
  const counters: BatchCounters = { packets: 0, bytes: 0, malformedBatches: 0 };
  new BatchDecoder({ packet: (r) => got.push({ data: [...r.data], orig: r.origLength, ts: r.ts, linkType: r.linkType }) }, counters).deliver(buf, count, 1);
  return { got, counters };
}

test('records come out in order with their lengths, times and bytes, across padding', () => {
  const recs = [{ data: [1, 2, 3], ts: 1.5 }, { data: [], ts: 2 }, { data: Array.from({ length: 9 }, (_, i) => i), orig: 1500, ts: 1_700_000_000_000.25 }];
  const { got, counters } = decode(batch(recs), recs.length);
  assert.deepEqual(got.map((g) => g.data), recs.map((r) => r.data));
  assert.deepEqual(got.map((g) => g.ts), [1.5, 2, 1_700_000_000_000.25]);
  assert.equal(got[2].orig, 1500);
  assert.equal(got[0].linkType, 1);
  assert.deepEqual(counters, { packets: 3, bytes: 12, malformedBatches: 0 });
});

test('a count larger than the batch holds stops at the end and is counted', () => {
  const { got, counters } = decode(batch([{ data: [7], ts: 1 }]), 5);
  assert.equal(got.length, 1);
  assert.equal(counters.malformedBatches, 1);
});

test('a caplen pointing past the batch is never read', () => {
  const buf = batch([{ data: [1, 2, 3, 4], ts: 1 }, { data: [5, 6], ts: 2 }]);
  new DataView(buf).setUint32(24, 1 << 30, true); // second record's caplen
  const { got, counters } = decode(buf, 2);
  assert.equal(got.length, 1);
  assert.equal(counters.malformedBatches, 1);
});

test('an empty batch delivers nothing', () => {
  const { got, counters } = decode(new ArrayBuffer(0), 0);
  assert.equal(got.length, 0);
  assert.equal(counters.malformedBatches, 0);
});
