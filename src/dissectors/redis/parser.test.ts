import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_KEPT_BYTES, RespReader, type RespMessage } from './parser.js';

function reader(fromClient = false): { r: RespReader; got: RespMessage[]; errors: string[] } {
  const got: RespMessage[] = [];
  const errors: string[] = [];
  const r = new RespReader(fromClient, { message: (m) => got.push(m), error: (e) => errors.push(e) });
  return { r, got, errors };
}

test('a 64 MiB bulk string keeps MAX_KEPT_BYTES and its true length', () => {
  const { r, got } = reader();
  const chunk = Buffer.alloc(1 << 20, 0x61);
  r.push(Buffer.from(`$${64 << 20}\r\n`), 1);
  for (let i = 0; i < 64; i++) r.push(chunk, 2);
  r.push(Buffer.from('\r\n:1\r\n'), 3);
  assert.equal(got.length, 2);
  assert.equal(got[0].value?.length, 64 << 20);
  assert.equal(got[0].value?.bytes?.length, MAX_KEPT_BYTES);
  assert.equal(got[0].value?.truncated, true);
  assert.equal(got[0].size, (64 << 20) + 13);
  assert.equal(got[0].endTs, 3);
});

test('a gap inside a bulk payload keeps the framing; elsewhere it resyncs', () => {
  const { r, got } = reader();
  r.push(Buffer.from('$10\r\nabc'), 1);
  assert.equal(r.gap(4), true);
  r.push(Buffer.from('hij\r\n+OK\r\n'), 2);
  assert.deepEqual(got.map((m) => [m.value?.type, m.gap]), [['bulk-string', true], ['simple-string', false]]);
  assert.equal(r.gap(3), false);
  r.push(Buffer.from('tail of something\r\n:5\r\n'), 3);
  assert.equal(got.at(-1)?.value?.type, 'integer');
});

test('aggregates keep MAX_ITEMS_KEPT elements, nest, and reject bad lengths', () => {
  const { r, got, errors } = reader();
  r.push(Buffer.from(`*100\r\n${':1\r\n'.repeat(100)}*1\r\n*1\r\n_\r\n$abc\r\n+OK\r\n`), 1);
  assert.equal(got[0].value?.items?.length, 64);
  assert.equal(got[0].value?.length, 100);
  assert.equal(got[1].value?.items?.[0].items?.[0].type, 'null');
  assert.deepEqual(errors, ['bad-length']);
  assert.equal(got[2].value?.type, 'simple-string');
});

test('client side: inline lines, and no inline once RESP arrays were seen', () => {
  const { r, got, errors } = reader(true);
  r.push(Buffer.from('PING\n\r\nGET a\r\n*1\r\n$4\r\nPING\r\nGET b\r\n'), 1);
  assert.deepEqual(got.map((m) => (m.inline ? Buffer.from(m.inline).toString() : m.value?.type)), ['PING', 'GET a', 'array']);
  assert.deepEqual(errors, ['inline-after-multibulk']);
});
