import { test } from 'node:test';
import { Long, ObjectId } from 'bson';
import { runConformance } from '../conformance.js';
import { mongodbSpec } from './index.js';
import { compressed, opMsg, opQuery, opReply } from './test-wire.js';

const id = new ObjectId('65a1b2c3d4e5f60718293a4b');

test('MongoDB passes the dissector conformance suite', async (t) => {
  await runConformance(t, mongodbSpec, [
    {
      name: 'handshake, insert (sequence), find, getMore, error, unacknowledged write', port: 27017, entries: 7,
      exchanges: [
        [opQuery(1, 'admin.$cmd', { isMaster: 1, helloOk: true, client: { driver: { name: 'nodejs', version: '7' } } }), opReply(100, 1, [{ ismaster: true, maxWireVersion: 21, ok: 1 }])],
        [opMsg(2, 0, { insert: 'items', ordered: true, $db: 'shop' }, { sequences: [['documents', [{ _id: id, sku: 'a' }, { _id: new ObjectId(), sku: 'b' }]]] }), opMsg(101, 2, { n: 2, ok: 1 })],
        [opMsg(3, 0, { find: 'items', filter: { sku: 'a' }, batchSize: 1, $db: 'shop' }), opMsg(102, 3, { cursor: { firstBatch: [{ _id: id, sku: 'a' }], id: Long.fromNumber(77), ns: 'shop.items' }, ok: 1 })],
        [opMsg(4, 0, { getMore: Long.fromNumber(77), collection: 'items', $db: 'shop' }), opMsg(103, 4, { cursor: { nextBatch: [], id: Long.fromNumber(0), ns: 'shop.items' }, ok: 1 })],
        [opMsg(5, 0, { nosuch: 1, $db: 'shop' }), opMsg(104, 5, { ok: 0, errmsg: "no such command: 'nosuch'", code: 59, codeName: 'CommandNotFound' })],
        [opMsg(6, 0, { update: 'items', updates: [{ q: { sku: 'a' }, u: { $set: { qty: 2 } } }], $db: 'shop' }), opMsg(105, 6, { n: 1, nModified: 1, ok: 1 })],
        [opMsg(7, 0, { endSessions: [{ id: 'x' }], $db: 'admin' }, { flags: 2 }), ''],
      ],
    },
    {
      name: 'zlib-compressed commands and a large find reply', port: 27017, entries: 3,
      exchanges: [
        [compressed(opMsg(10, 0, { ping: 1, $db: 'admin' }), 2), compressed(opMsg(200, 10, { ok: 1 }), 2)],
        [compressed(opMsg(11, 0, { find: 'big', $db: 'shop' }), 2), compressed(opMsg(201, 11, { cursor: { firstBatch: Array.from({ length: 300 }, (_, i) => ({ i, pad: 'x'.repeat(40) })), id: Long.fromNumber(0), ns: 'shop.big' }, ok: 1 }), 2)],
        [compressed(opMsg(12, 0, { delete: 'big', deletes: [{ q: {}, limit: 0 }], $db: 'shop' }), 1), compressed(opMsg(202, 12, { n: 300, ok: 1 }), 1)],
      ],
    },
  ]);
});
