import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Binary, BSONRegExp, Code, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, serialize } from 'bson';
import { MAX_DEPTH, decimal128At, newBudget, readDocument } from './bson.js';

const read = (doc: Record<string, unknown>) => {
  const b = Buffer.from(serialize(doc));
  const budget = newBudget();
  return { value: readDocument(b, 0, b.length, budget).value, budget };
};

test('BSON values map as documented', () => {
  const { value, budget } = read({
    d: new Double(1.5), s: 'héllo', o: { a: [1, 'b'] }, bin: new Binary(Buffer.from([1, 2, 3])), oid: new ObjectId('65a1b2c3d4e5f60718293a4b'),
    t: true, date: new Date(Date.UTC(2024, 5, 1)), n: null, re: new BSONRegExp('^a', 'i'), code: new Code('x=1'), i: new Int32(-7),
    ts: new Timestamp({ t: 5, i: 2 }), safe: Long.fromNumber(123), big: Long.fromString('-9223372036854775808'), dec: Decimal128.fromString('1.50'),
    min: new MinKey(), max: new MaxKey(),
  });
  assert.deepEqual(value, {
    d: 1.5, s: 'héllo', o: { a: [1, 'b'] }, bin: 'AQID', oid: '65a1b2c3d4e5f60718293a4b', t: true, date: '2024-06-01T00:00:00.000Z', n: null,
    re: '/^a/i', code: 'x=1', i: -7, ts: 'Timestamp(5, 2)', safe: 123, big: '-9223372036854775808', dec: '1.50', min: '$minKey', max: '$maxKey',
  });
  assert.equal(budget.truncated || budget.malformed, false);
});

test('decimal128 strings agree with the bson package', () => {
  for (const s of ['0', '-0', '1E+3', '0.001', '1.23E-7', '123456789012345678901234567890.1234', 'NaN', 'Infinity', '-Infinity', '9.999999999999999999999999999999999E+6144', '1E-6176', '-12.50']) {
    const d = Decimal128.fromString(s);
    assert.equal(decimal128At(d.bytes, 0), d.toString(), s);
  }
});

test('nesting, cut documents and garbage are bounded and never throw', () => {
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < MAX_DEPTH + 5; i++) deep = { d: deep };
  assert.equal(read(deep).budget.truncated, true);
  const b = Buffer.from(serialize({ a: 'x'.repeat(100), b: 2 }));
  const cut = newBudget();
  assert.deepEqual(readDocument(b.subarray(0, 60), 0, 60, cut).value, {});
  assert.equal(cut.truncated, true);
  for (let k = 0; k < 2000; k++) {
    const junk = Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256)));
    junk.writeInt32LE(64, 0);
    readDocument(junk, 0, junk.length, newBudget());
  }
  const few = newBudget(3);
  readDocument(b, 0, b.length, few);
  readDocument(b, 0, b.length, few);
  assert.equal(few.truncated, true);
});

test('a "__proto__" key is data: an own property, never the document prototype', () => {
  // serialize() drops __proto__, so the document is written by hand: {"__proto__": {"polluted": 1}, "a": "x"}.
  const inner = Buffer.concat([Buffer.from([0x10]), Buffer.from('polluted\0'), Buffer.from([1, 0, 0, 0]), Buffer.from([0])]);
  const innerDoc = Buffer.concat([Buffer.alloc(4), inner]);
  innerDoc.writeInt32LE(innerDoc.length, 0);
  const body = Buffer.concat([Buffer.from([0x03]), Buffer.from('__proto__\0'), innerDoc, Buffer.from([0x02]), Buffer.from('a\0'), Buffer.from([2, 0, 0, 0]), Buffer.from('x\0'), Buffer.from([0])]);
  const doc = Buffer.concat([Buffer.alloc(4), body]);
  doc.writeInt32LE(doc.length, 0);
  const { value } = readDocument(doc, 0, doc.length, newBudget());
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepEqual(Object.keys(value), ['__proto__', 'a']);
  assert.equal(JSON.stringify(value), '{"__proto__":{"polluted":1},"a":"x"}');
  assert.equal((({}) as Record<string, unknown>).polluted, undefined);
});

test('short ASCII strings served from the cache are the decoded ones (no collision mix-up)', () => {
  const keys = Array.from({ length: 3000 }, (_, i) => `k${i.toString(36)}${'x'.repeat(i % 20)}`);
  for (let round = 0; round < 2; round++) {
    const doc: Record<string, number> = {};
    for (const k of keys) doc[k] = 1;
    assert.deepEqual(Object.keys(read(doc).value), keys);
  }
  assert.deepEqual(read({ 'naïve': 'ça', '☕': 'é' }).value, { 'naïve': 'ça', '☕': 'é' });
});
