import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PROTO_DEPTH, decodeProtobuf } from './protobuf.js';
import { pb } from './test-support.js';

test('protobuf: varints, fixed, strings, bytes, nested messages', () => {
  const fixed64 = Buffer.concat([Buffer.from([0x19]), Buffer.from('0100000000000080', 'hex')]);
  const fixed32 = Buffer.from([0x25, 0x01, 0x00, 0x00, 0x80]);
  const b = Buffer.concat([pb([[1, 150], [2, 'testing'], [3, pb([[1, 1], [2, 'in']])], [4, Buffer.from([0, 1, 2])]]), fixed64, fixed32, pb([[5, 2 ** 40]])]);
  assert.deepEqual(decodeProtobuf(b), [
    { field: 1, wire: 0, kind: 'varint', value: '150' },
    { field: 2, wire: 2, kind: 'string', value: 'testing' },
    { field: 3, wire: 2, kind: 'message', value: '', fields: [{ field: 1, wire: 0, kind: 'varint', value: '1' }, { field: 2, wire: 2, kind: 'string', value: 'in' }] },
    { field: 4, wire: 2, kind: 'bytes', value: 'AAEC' },
    { field: 3, wire: 1, kind: 'fixed64', value: '9223372036854775809' },
    { field: 4, wire: 5, kind: 'fixed32', value: '2147483649' },
    { field: 5, wire: 0, kind: 'varint', value: String(2 ** 40) },
  ]);
  assert.deepEqual(decodeProtobuf(Buffer.alloc(0)), []);
});

test('protobuf: not a message → null; depth bounded', () => {
  assert.equal(decodeProtobuf(Buffer.from([0x0a, 0x05, 0x61])), null, 'length past the end');
  assert.equal(decodeProtobuf(Buffer.from([0x0b])), null, 'group start');
  assert.equal(decodeProtobuf(Buffer.from([0x00, 0x01])), null, 'field 0');
  assert.equal(decodeProtobuf(Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), null, 'varint too long');
  let m = pb([[1, 5]]);
  for (let i = 0; i < 20; i++) m = pb([[1, m]]);
  let depth = 0;
  let f = decodeProtobuf(m);
  while (f !== null && f[0]?.kind === 'message') { depth++; f = f[0].fields ?? null; }
  assert.ok(depth < MAX_PROTO_DEPTH);
});
