/**
 * Real traffic: amqplib against RabbitMQ on 127.0.0.1:5672, recorded with
 * tcpdump on `lo`, read back through the pipeline and compared with what the
 * client itself sent and received. Every publish and every delivery must
 * appear exactly once, with exchange, routing key, properties and body.
 * `PODTAP_UPDATE_FIXTURES=1` also stores the capture and the client's record
 * in fixtures/amqp/ (read by fixture.test.ts).
 */
import { strict as assert } from 'node:assert';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import amqp from 'amqplib';
import { startCapture } from '../../lab/record.js';
import { liveSkipReason } from '../../lab/live-server.js';
import { checkAgainstTruth, readAmqpCapture, truthBody, type AmqpTruth } from './truth.js';

const PORT = 5672;


const skip = await liveSkipReason('RabbitMQ', PORT);

async function drive(truth: AmqpTruth): Promise<void> {
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${PORT}`);
  const q = `podtap-${process.pid}-${Date.now()}`;
  const ch = await conn.createChannel();
  await ch.assertQueue(q, { durable: false, autoDelete: false });
  const big = Buffer.alloc(200_000, 'b'); // more than one body frame (frame_max 131072)
  const bodies = [...Array.from({ length: 20 }, (_, i) => Buffer.from(`message ${i} ${'x'.repeat(i * 10)}`)), Buffer.from([0, 1, 2, 255]), big];
  bodies.forEach((b, i) => {
    const props = { contentType: i % 2 ? 'application/json' : 'text/plain', deliveryMode: 1 + (i % 2), messageId: `m-${i}`, correlationId: `c-${i}`, replyTo: 'replies', headers: { 'x-n': i, 'x-tag': `t${i}` } };
    ch.sendToQueue(q, b, props);
    truth.published.push({ channel: 1, exchange: '', routingKey: q, body: truthBody(b), messageId: props.messageId, correlationId: props.correlationId, replyTo: 'replies', contentType: props.contentType, deliveryMode: props.deliveryMode, headers: props.headers });
  });
  await new Promise<void>((resolve, reject) => {
    let n = 0;
    ch.consume(q, (msg) => {
      if (msg === null) return reject(new Error('consumer cancelled'));
      truth.delivered.push({ exchange: msg.fields.exchange, routingKey: msg.fields.routingKey, deliveryTag: msg.fields.deliveryTag, body: truthBody(msg.content) });
      ch.ack(msg);
      if (++n === bodies.length) resolve();
    }).catch(reject);
  });
  const cc = await conn.createConfirmChannel();
  for (let i = 0; i < 5; i++) {
    const b = Buffer.from(`confirmed ${i}`);
    cc.publish('amq.direct', 'nowhere', b, { messageId: `cm-${i}` });
    truth.published.push({ channel: 2, exchange: 'amq.direct', routingKey: 'nowhere', body: truthBody(b), messageId: `cm-${i}` });
  }
  await cc.waitForConfirms();
  await ch.deleteQueue(q);
  await cc.close();
  await ch.close();
  await conn.close();
}

test('amqplib against RabbitMQ: every publish and delivery once, with its content', { skip, timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-amqp-'));
  try {
    const cap = await startCapture({ iface: 'lo', file: join(dir, 'amqp.pcap'), filter: `tcp port ${PORT}` });
    const truth: AmqpTruth = { published: [], delivered: [] };
    try { await drive(truth); } finally { await cap.stop(); }
    const result = await readAmqpCapture(cap.file);
    checkAgainstTruth(result, truth);
    if (process.env.PODTAP_UPDATE_FIXTURES === '1') {
      await mkdir('fixtures/amqp', { recursive: true });
      await copyFile(cap.file, 'fixtures/amqp/amqplib.pcap');
      await writeFile('fixtures/amqp/amqplib.truth.json', JSON.stringify(truth, null, 1));
    }
    assert.ok(result.entries.length > truth.published.length + truth.delivered.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
