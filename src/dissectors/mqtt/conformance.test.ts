import { test } from 'node:test';
import { runConformance } from '../conformance.js';
import { mqttSpec } from './index.js';
import { ack, connack, connect, disconnect, pingreq, pingresp, props, publish, suback, subscribe, unsuback, unsubscribe } from './test-packets.js';

test('MQTT passes the dissector conformance suite', async (t) => {
  await runConformance(t, mqttSpec, [
    {
      name: '3.1.1 session: subscribe, QoS 0/1/2, ping, pipelined', port: 1883, entries: 9, pipelining: true,
      exchanges: [
        [connect('sensor-1', { username: 'u', password: 'secret', will: { topic: 'dead', payload: 'bye' } }), connack()],
        [subscribe(1, [['a/#', 2], ['b', 0]]), suback(1, [2, 0])],
        [publish('a/x', 'zero'), ''],
        [publish('a/y', 'one', { qos: 1, id: 2 }), ack(4, 2)],
        [publish('a/z', 'x'.repeat(3000), { qos: 2, id: 3 }), ack(5, 3)],
        [ack(6, 3), ack(7, 3)],
        [pingreq(), pingresp()],
        [unsubscribe(4, ['b']), unsuback(4)],
        [disconnect(), ''],
      ],
    },
    {
      name: '5.0 session with properties, reason codes, a broker PUBLISH', port: 1883, entries: 6,
      exchanges: [
        [connect('v5-client', { v5: true }), connack(0, true)],
        [subscribe(1, [['t/+', 1]], true), Buffer.concat([suback(1, [1], true), publish('t/0', 'from broker', { qos: 1, id: 9, v5: true })])],
        [ack(4, 9, { code: 0 }), ''],
        [publish('t/1', '{"v":1}', { qos: 1, id: 7, v5: true, props: props([0x03, Buffer.from('\0\x10application/json')], [0x23, Buffer.from([0, 1])]) }), ack(4, 7, { code: 0 })],
        [publish('', 'aliased', { qos: 0, v5: true, props: props([0x23, Buffer.from([0, 1])]) }), ''],
        [unsubscribe(2, ['t/+'], true), unsuback(2, true)],
      ],
    },
  ]);
});
