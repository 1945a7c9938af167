import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Long } from 'bson';
import type { Entry } from '../../entries/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { tcpConversation } from '../../testing/packets.js';
import { DISSECTORS, DissectorRegistry } from '../registry.js';
import type { MongodbEntry } from './entry.js';
import { detectMongodb, mongodbSpec } from './index.js';
import { compressed, opMsg, opQuery, opReply } from './test-wire.js';

function run(exchanges: Array<[Uint8Array | string, Uint8Array | string]>, o: { handshake?: boolean } = {}) {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e), {}, new DissectorRegistry([...DISSECTORS, mongodbSpec]));
  tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40_000, sport: 27017, exchanges, handshake: o.handshake })
    .forEach((data, i) => p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
  const stats = p.finish();
  return { entries: entries as unknown as MongodbEntry[], stats };
}

test('detect: first messages of each side, garbage and short input', () => {
  assert.equal(detectMongodb(opMsg(1, 0, { ping: 1, $db: 'a' }), true), 'match');
  assert.equal(detectMongodb(opQuery(1, 'admin.$cmd', { isMaster: 1 }), true), 'match');
  assert.equal(detectMongodb(opReply(9, 1, [{ ok: 1 }]), false), 'match');
  assert.equal(detectMongodb(opMsg(9, 0, { ok: 1 }), false), 'no', 'a reply answers something');
  assert.equal(detectMongodb(opMsg(1, 0, { ping: 1 }).subarray(0, 10), true), 'more');
  assert.equal(detectMongodb(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), true), 'no');
});

test('fields of a command and its reply', () => {
  const { entries } = run([[opMsg(5, 0, { find: 'users', filter: { age: { $gt: 30 } }, $db: 'app' }), opMsg(50, 5, { cursor: { firstBatch: [{ a: 1 }, { a: 2 }], id: Long.fromString('9007199254740993'), ns: 'app.users' }, ok: 1 })]]);
  assert.equal(entries.length, 1);
  const e = entries[0];
  assert.equal(e.protocol, 'mongodb');
  assert.deepEqual([e.request?.command, e.request?.database, e.request?.collection, e.request?.requestId], ['find', 'app', 'users', 5]);
  assert.deepEqual(e.request?.body?.filter, { age: { $gt: 30 } });
  assert.deepEqual([e.response?.ok, e.response?.batchSize, e.response?.cursorId, e.response?.responseTo], [1, 2, '9007199254740993', 5]);
  assert.deepEqual(e.flags, []);
});

test('snappy is flagged as not decoded; credentials are redacted', () => {
  const { entries, stats } = run([
    [compressed(opMsg(1, 0, { ping: 1, $db: 'admin' }), 1), compressed(opMsg(10, 1, { ok: 1 }), 1)],
    [opMsg(2, 0, { saslStart: 1, mechanism: 'SCRAM-SHA-256', payload: Buffer.from('n,,n=user,r=abc'), $db: 'admin' }), opMsg(11, 2, { conversationId: 1, payload: Buffer.from('r=abc'), done: false, ok: 1 })],
  ]);
  assert.equal(entries[0].request?.compressor, 'snappy');
  assert.equal(entries[0].request?.body, null);
  assert.ok(entries[0].flags.includes('body-decode-error'));
  assert.equal(stats.weirds.mongodb_not_decoded, 2);
  assert.equal(entries[1].request?.body?.payload, '[redacted]');
  assert.equal(entries[1].request?.body?.mechanism, 'SCRAM-SHA-256');
});

test('exhaust replies each make an entry; an orphan reply is flagged no-request', () => {
  const { entries } = run([
    [opMsg(1, 0, { hello: 1, maxAwaitTimeMS: 10000, $db: 'admin' }, { flags: 1 << 16 }), Buffer.concat([opMsg(20, 1, { isWritablePrimary: true, ok: 1 }, { flags: 2 }), opMsg(21, 20, { isWritablePrimary: false, ok: 1 })])],
    ['', opMsg(30, 999, { ok: 1 })],
  ]);
  assert.deepEqual(entries.map((e) => [e.request?.command ?? null, e.response?.body?.isWritablePrimary ?? null, e.flags]), [
    ['hello', true, []], ['hello', false, []], [null, null, ['no-request']],
  ]);
});
