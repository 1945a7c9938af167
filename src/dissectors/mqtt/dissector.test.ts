/** MQTT grammar and pairing on crafted conversations (packets from test-packets.ts). */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { Entry } from '../../entries/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { tcpConversation } from '../../testing/packets.js';
import { DISSECTORS, DissectorRegistry } from '../registry.js';
import { detectMqtt } from './detect.js';
import type { MqttEntry } from './entry.js';
import { mqttSpec } from './index.js';
import { ack, connack, connect, packet, pingreq, pingresp, props, publish, str, suback, subscribe } from './test-packets.js';

function run(exchanges: Array<[Buffer | string, Buffer | string]>, maxBodyBytes?: number): { entries: MqttEntry[]; weirds: Record<string, number> } {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e), maxBodyBytes === undefined ? {} : { maxBodyBytes }, new DissectorRegistry([...DISSECTORS, mqttSpec]));
  tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40000, sport: 1883, exchanges })
    .forEach((data, i) => p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
  const stats = p.finish();
  return { entries: entries as unknown as MqttEntry[], weirds: stats.weirds };
}

test('detection: CONNECT (MQTT and MQIsdp), mid-way packets by who may send them', () => {
  assert.equal(detectMqtt(connect('a'), true), 'match');
  assert.equal(detectMqtt(connect('a').subarray(0, 5), true), 'more');
  const v31 = packet(0x10, str('MQIsdp'), Buffer.from([3, 2, 0, 60]), str('old'));
  assert.equal(detectMqtt(v31, true), 'match');
  assert.equal(detectMqtt(connack(), false), 'match');
  assert.equal(detectMqtt(connack(), true), 'no', 'a client never sends CONNACK');
  assert.equal(detectMqtt(Buffer.from('GET / HTTP/1.1\r\n'), true), 'no');
  assert.equal(detectMqtt(pingreq(), true), 'more', 'two bytes are too little to say');
  assert.equal(detectMqtt(Buffer.concat([pingreq(), publish('a/b', 'x')]), true), 'match');
});

test('CONNECT: fields, will, and the password is never kept', () => {
  const { entries } = run([[connect('dev-1', { username: 'user', password: 'hunter2', will: { topic: 'gone', payload: 'bye' } }), connack(5)]]);
  const e = entries[0];
  assert.equal(JSON.stringify(e).includes('hunter2'), false);
  assert.deepEqual(e.request, { method: 'CONNECT', protocolName: 'MQTT', protocolLevel: 4, cleanSession: true, keepAlive: 60, clientId: 'dev-1', will: { topic: 'gone', qos: 1, retain: false, payload: { size: 3, content: 'bye', encoding: 'text', truncated: false } }, username: 'user', passwordSize: 7 });
  assert.deepEqual(e.response, { method: 'CONNACK', sessionPresent: false, reasonCode: 5 });
  assert.equal(e.clientId, 'dev-1');
  assert.equal(e.protocolVersion, 4);
});

test('5.0: properties (repeated user properties joined), topic aliases resolved', () => {
  const user = (k: string, v: string): [number, Buffer] => [0x26, Buffer.concat([str(k), str(v)])];
  const { entries } = run([
    [connect('v5', { v5: true }), connack(0, true)],
    [publish('t/a', '1', { v5: true, props: props(user('k', 'x'), user('k', 'y'), [0x23, Buffer.from([0, 3])], [0x09, Buffer.from([0, 2, 0xab, 0xcd])]) }), ''],
    [publish('', '2', { v5: true, props: props([0x23, Buffer.from([0, 3])]) }), ''],
  ]);
  assert.deepEqual(entries[1].request?.properties, { userProperties: { k: 'x, y' }, topicAlias: 3, correlationData: 'q80=' });
  assert.equal(entries[2].request?.topic, 't/a');
  assert.deepEqual(entries[0].response?.properties, { receiveMaximum: 20 });
});

test('acks pair by packet id, out of order; unanswered and unsolicited ones are flagged', () => {
  const { entries, weirds } = run([
    [connect('c'), connack()],
    [Buffer.concat([publish('a', '1', { qos: 1, id: 10 }), publish('b', '2', { qos: 1, id: 11 }), publish('c', '3', { qos: 1, id: 12 })]), Buffer.concat([ack(4, 11), ack(4, 10), ack(4, 99)])],
    [subscribe(1, [['x/#', 1]]), suback(1, [0x80])],
    [pingreq(), pingresp()],
  ]);
  assert.deepEqual(entries.map((e) => [e.request?.method ?? null, e.request?.packetId ?? null, e.response?.packetId ?? null, e.flags]), [
    ['CONNECT', null, null, []],
    ['PUBLISH', 10, 10, []],
    ['PUBLISH', 11, 11, []],
    ['PUBLISH', 12, null, ['no-response']],
    [null, null, 99, ['no-request']],
    ['SUBSCRIBE', 1, 1, []],
    ['PINGREQ', null, null, []],
  ]);
  assert.deepEqual(entries[5].response?.reasonCodes, [0x80]);
  assert.equal(entries[6].response?.method, 'PINGRESP');
  assert.equal(weirds.mqtt_unsolicited_ack, 1);
});

test('payloads: binary as base64, over the cap truncated with the true size', () => {
  const { entries } = run([[connect('c'), connack()], [Buffer.concat([publish('bin', Buffer.from([0xff, 0xfe])), publish('big', 'z'.repeat(5000))]), '']], 10);
  assert.deepEqual(entries[1].request?.payload, { size: 2, content: '//4=', encoding: 'base64', truncated: false });
  assert.deepEqual(entries[2].request?.payload, { size: 5000, content: 'z'.repeat(10), encoding: 'text', truncated: true });
  assert.deepEqual(entries[2].flags, ['body-truncated']);
});

test('garbage in the client stream: the reader resyncs on the next sound packet', () => {
  const junk = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37]);
  const { entries, weirds } = run([[connect('c'), connack()], [Buffer.concat([publish('a', 'one'), junk, publish('b/c', 'two'), publish('d', 'three')]), '']]);
  assert.deepEqual(entries.filter((e) => e.request?.method === 'PUBLISH').map((e) => e.request?.topic), ['a', 'b/c', 'd']);
  assert.ok(weirds.mqtt_violation >= 1);
});
