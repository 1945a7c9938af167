import { test } from 'node:test';
import { runConformance } from '../conformance.js';
import { amqpSpec } from './index.js';
import { ack, deliver, method, opening, publish, queueDeclare, queueDeclareOk, sstr, table, u16, u8 } from './test-frames.js';

const consume = (ch: number, q: string, tag: string): Buffer => method(ch, 60, 20, u16(0), sstr(q), sstr(tag), u8(0), table({}));
const consumeOk = (ch: number, tag: string): Buffer => method(ch, 60, 21, sstr(tag));

test('AMQP passes the dissector conformance suite', async (t) => {
  await runConformance(t, amqpSpec, [
    {
      name: 'open, declare, publish, consume, deliver, ack', port: 5672, entries: 10,
      exchanges: [
        ...opening(),
        [queueDeclare(1, 'jobs'), queueDeclareOk(1, 'jobs')],
        [publish(1, '', 'jobs', 'hello world', { contentType: 'text/plain', deliveryMode: 2, messageId: 'm1', headers: { trace: 'abc', n: 7 } }), ''],
        [publish(1, '', 'jobs', 'x'.repeat(3000)), ''],
        [consume(1, 'jobs', 'ctag-1'), Buffer.concat([consumeOk(1, 'ctag-1'), deliver(1, 'ctag-1', 1, '', 'jobs', 'hello world')])],
        [ack(1, 1), ''],
      ],
    },
    {
      name: 'pipelined channels, declares and a publish (capture after the opening)', port: 5672, entries: 5, pipelining: true,
      exchanges: [
        [method(1, 20, 10, sstr('')), method(1, 20, 11, Buffer.from([0, 0, 0, 0]))],
        [method(2, 20, 10, sstr('')), method(2, 20, 11, Buffer.from([0, 0, 0, 0]))],
        [queueDeclare(1, 'a'), queueDeclareOk(1, 'a')],
        [queueDeclare(2, 'b'), queueDeclareOk(2, 'b')],
        [publish(2, 'amq.direct', 'b', '{"k":1}', { contentType: 'application/json' }), ''],
      ],
    },
  ]);
});
