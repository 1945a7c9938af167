/**
 * The native inflater (podtap_inflate) against node:zlib: the same bytes for
 * context-takeover message streams, one-shot zlib messages, a stream that
 * ends (BFINAL) and goes on, and the errors it promises. The WebSocket
 * Inflater is run on both backends.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { constants, createDeflateRaw, deflateRawSync, deflateSync } from 'node:zlib';
import { seededRandom } from '../testing/random.js';
import { Inflater, inflatingDirections, setMaxInflatingDirections } from '../dissectors/websocket/inflate.js';
import { nativeInflateAvailable, openInflater, RAW_DEFLATE, releaseInflater, setNativeInflate, ZLIB_DEFLATE } from './inflate.js';

const skip = nativeInflateAvailable() ? false : 'podtap_inflate is not built here (node scripts/build-native.mjs)';
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** Messages that compress well, badly and not at all, and that refer back to each other. */
function messages(seed: number, n: number): Buffer[] {
  const rnd = seededRandom(seed);
  const words = ['order', 'items', '{"id":', 'status', 'shipped', '\u2615', 'naïve', '\n'];
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(rnd() * 3);
    const len = Math.floor(rnd() * (i % 7 === 0 ? 70_000 : 3000));
    if (kind === 0) out.push(Buffer.from(Array.from({ length: Math.ceil(len / 6) }, () => words[Math.floor(rnd() * words.length)]).join(' ')));
    else if (kind === 1) out.push(Buffer.from(Array.from({ length: len }, () => Math.floor(rnd() * 256))));
    else out.push(out.length > 0 ? Buffer.concat([out[out.length - 1]!.subarray(0, 500), Buffer.from(`#${i}`)]) : Buffer.from('first'));
  }
  return out;
}

/** What a permessage-deflate sender with context takeover puts on the wire: each message sync-flushed, the tail cut. */
async function compressWithTakeover(msgs: Buffer[]): Promise<Buffer[]> {
  const d = createDeflateRaw({ level: 6 });
  const chunks: Buffer[] = [];
  d.on('data', (c: Buffer) => chunks.push(c));
  const out: Buffer[] = [];
  for (const m of msgs) {
    d.write(m);
    await new Promise<void>((resolve) => d.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    const all = Buffer.concat(chunks.splice(0));
    assert.deepEqual(all.subarray(-4), TAIL);
    out.push(all.subarray(0, -4));
  }
  d.close();
  return out;
}

test('a context-takeover stream inflates message by message to the sent bytes, native and node:zlib alike', { skip }, async () => {
  const msgs = messages(7, 60);
  const wire = await compressWithTakeover(msgs);
  for (const native of [true, false]) {
    setNativeInflate(native);
    try {
      const inf = new Inflater(true);
      wire.forEach((w, i) => assert.deepEqual(inf.inflate(Buffer.concat([w, TAIL])), msgs[i], `message ${i} (native ${native})`));
      assert.equal(inf.failures, 0);
      inf.close();
    } finally {
      setNativeInflate(true);
    }
  }
});

test('without context takeover each message stands alone (the stream is reset)', { skip }, () => {
  const msgs = messages(11, 20);
  const inf = new Inflater(false);
  for (const m of msgs) assert.deepEqual(inf.inflate(Buffer.concat([deflateRawSync(m, { finishFlush: constants.Z_SYNC_FLUSH }), TAIL])), m);
  // A bad message does not break the next one.
  assert.equal(inf.inflate(Buffer.from([0xff, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff])), null);
  assert.deepEqual(inf.inflate(Buffer.concat([deflateRawSync(msgs[0]!), TAIL])), msgs[0]);
  inf.close();
});

test('a message that ends its DEFLATE stream (BFINAL) is followed by one that refers back to it', { skip }, () => {
  const first = Buffer.from('the quick brown fox jumps over the lazy dog '.repeat(20));
  const second = Buffer.from('the quick brown fox jumps over the lazy dog, again');
  const s = openInflater(RAW_DEFLATE)!;
  assert.deepEqual(s.inflate(Buffer.concat([deflateRawSync(first), TAIL]), false, 1 << 20), first);
  assert.deepEqual(s.inflate(Buffer.concat([deflateRawSync(second, { dictionary: first }), TAIL]), false, 1 << 20), second);
  s.close();
});

test('zlib-wrapped messages inflate one by one on a reset stream; errors carry codes', { skip }, () => {
  const s = openInflater(ZLIB_DEFLATE)!;
  for (const m of messages(3, 15)) {
    s.reset();
    assert.deepEqual(s.inflate(deflateSync(m), true, 1 << 20), m);
  }
  const big = deflateSync(Buffer.alloc(100_000, 0x61));
  s.reset();
  assert.throws(() => s.inflate(big, false, 1000), { code: 'ETOOLARGE' });
  s.reset();
  assert.throws(() => s.inflate(big.subarray(0, big.length - 6), true, 1 << 20), { code: 'EINFLATE' });
  s.reset();
  assert.equal(s.inflate(big.subarray(0, 20), false, 1 << 20).length > 0, true, 'sync flush: what the bytes give so far');
  s.reset();
  assert.throws(() => s.inflate(Buffer.from('not zlib at all'), false, 1 << 20), { code: 'EINFLATE' });
  s.reset();
  assert.deepEqual(s.inflate(big, true, 1 << 20), Buffer.alloc(100_000, 0x61), 'usable again after reset');
  s.close();
  assert.throws(() => s.inflate(big, true, 1 << 20), { code: 'EINFLATE' }, 'closed');
  assert.throws(() => openInflater(99), RangeError);
  assert.throws(() => s.inflate('text' as unknown as Uint8Array, true, 1), TypeError);
});

test('WebSocket directions holding inflate state are bounded; a closed one frees its slot', () => {
  const start = inflatingDirections();
  setMaxInflatingDirections(start + 2);
  try {
    const msg = Buffer.concat([deflateRawSync(Buffer.from('hello'), { finishFlush: constants.Z_SYNC_FLUSH }), TAIL]);
    const a = new Inflater(true);
    const b = new Inflater(false);
    const c = new Inflater(true);
    assert.deepEqual(a.inflate(msg), Buffer.from('hello'));
    assert.deepEqual(b.inflate(msg), Buffer.from('hello'));
    assert.equal(c.inflate(msg), null, 'a third direction is over the limit');
    assert.equal(c.limited, true);
    assert.equal(inflatingDirections(), start + 2);
    a.close();
    assert.equal(inflatingDirections(), start + 1);
    const d = new Inflater(true);
    assert.deepEqual(d.inflate(msg), Buffer.from('hello'), 'the freed slot is used again');
    b.close();
    d.close();
    c.close();
    assert.equal(inflatingDirections(), start);
  } finally {
    setMaxInflatingDirections(undefined);
  }
});

test('a stream given back is reused by the next connection, reset: it carries nothing of the last one', { skip }, () => {
  const a = openInflater(RAW_DEFLATE)!;
  const first = Buffer.from('first connection, its own words '.repeat(10));
  assert.deepEqual(a.inflate(Buffer.concat([deflateRawSync(first, { finishFlush: constants.Z_SYNC_FLUSH })]), false, 1 << 20), first);
  a.inflate(Buffer.from([0x0a]), false, 1 << 20); // the start of a block left half read
  releaseInflater(RAW_DEFLATE, a);
  const b = openInflater(RAW_DEFLATE)!;
  assert.equal(b, a, 'the pooled stream');
  const next = Buffer.from('second connection');
  assert.deepEqual(b.inflate(Buffer.concat([deflateRawSync(next, { finishFlush: constants.Z_SYNC_FLUSH }), TAIL]), false, 1 << 20), next);
  b.close();
});
