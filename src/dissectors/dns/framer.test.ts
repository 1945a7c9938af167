import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectDnsStream } from './detect.js';
import { LengthPrefixFramer } from './framer.js';
import { concat, query, response, tcpFrame } from './test-support.js';

interface Got {
  hex: string;
  ts: number;
}

function framer(): { f: LengthPrefixFramer; got: Got[] } {
  const got: Got[] = [];
  // Copy in the callback: the message is only valid during it.
  const f = new LengthPrefixFramer((m, ts) => got.push({ hex: Buffer.from(m).toString('hex'), ts }), (d) => detectDnsStream(d, true));
  return { f, got };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const m1 = query(1, 'one.example');
const m2 = query(2, 'two.example');
const m3 = query(3, 'three.example');
const stream = concat(tcpFrame(m1), tcpFrame(m2), tcpFrame(m3));

test('several messages in one segment', () => {
  const { f, got } = framer();
  f.push(stream, 5);
  assert.deepEqual(got.map((g) => g.hex), [hex(m1), hex(m2), hex(m3)]);
  assert.equal(f.partial(), null);
});

test('every split point, and 1-byte segments', () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const { f, got } = framer();
    f.push(stream.subarray(0, cut), 1);
    f.push(stream.subarray(cut), 2);
    assert.deepEqual(got.map((g) => g.hex), [hex(m1), hex(m2), hex(m3)], `cut at ${cut}`);
  }
  const { f, got } = framer();
  for (let i = 0; i < stream.length; i++) f.push(stream.subarray(i, i + 1), i);
  assert.deepEqual(got.map((g) => g.hex), [hex(m1), hex(m2), hex(m3)]);
  assert.equal(got[0].ts, 0, 'a message is stamped with the time of its first byte');
  assert.equal(got[1].ts, tcpFrame(m1).length);
});

test('a zero-length message is passed on (the parser counts it as short)', () => {
  const { f, got } = framer();
  f.push(new Uint8Array([0, 0]), 1);
  f.push(new Uint8Array([0]), 2);
  f.push(new Uint8Array([0]), 3);
  assert.deepEqual(got, [{ hex: '', ts: 1 }, { hex: '', ts: 2 }]);
});

test('partial() exposes an unfinished message for end of stream', () => {
  const { f } = framer();
  f.push(tcpFrame(m1).subarray(0, 10), 4);
  assert.deepEqual(f.partial() && hex(f.partial()!.bytes), hex(m1.subarray(0, 8)));
  assert.equal(f.partial()?.startTs, 4);
});

test('gap: the partial message is dropped; the stream resumes at a plausible message start', () => {
  const { f, got } = framer();
  f.push(tcpFrame(m1).subarray(0, 10), 1);
  f.gap();
  assert.equal(f.counters.droppedPartials, 1);
  // The rest of m1 arrives after the gap: too short to judge, kept as a probe.
  f.push(tcpFrame(m1).subarray(20), 2);
  assert.equal(got.length, 0);
  // A segment that starts with a framed message resumes the stream; the probe is dropped.
  f.push(concat(tcpFrame(m2), tcpFrame(m3)), 3);
  assert.deepEqual(got.map((g) => g.hex), [hex(m2), hex(m3)]);
  assert.equal(f.counters.droppedBytes, tcpFrame(m1).length - 20);
  // Garbage long enough to judge is dropped at once.
  f.gap();
  f.push(new TextEncoder().encode('garbage that is not a DNS message at all'), 4);
  assert.equal(got.length, 2);
  assert.equal(f.counters.droppedBytes, tcpFrame(m1).length - 20 + 40);
});

test('resync probes across segments when the first one is too short to judge', () => {
  const { f, got } = framer();
  f.gap();
  const framed = tcpFrame(response(7, 'seven.example'));
  f.push(framed.subarray(0, 2), 1); // just the length: 'more'
  f.push(framed.subarray(2, 9), 2);
  f.push(framed.subarray(9), 3);
  assert.equal(got.length, 1);
  assert.equal(f.counters.droppedBytes, 0);
});
