/**
 * Real client, stand-in broker: the `kafkajs` producer and admin against
 * test-broker.ts (no Kafka broker can run here) on 127.0.0.1, recorded with
 * tcpdump on `lo`, read back through the pipeline and compared with what
 * kafkajs itself reports (messages sent per topic, offsets returned), plus a
 * hand-made Fetch v4 that reads the messages back.
 * `PODTAP_UPDATE_FIXTURES=1` stores the capture and the client's record in
 * fixtures/kafka/ (read by fixture.test.ts and conformance.test.ts).
 */
import { strict as assert } from 'node:assert';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { which } from '../../lab/proc.js';
import { startCapture } from '../../lab/record.js';
import { StandInBroker } from './test-broker.js';
import { checkAgainstTruth, type KafkaTruth } from './truth.js';
import { readKafkaCapture } from './test-support.js';

const skip = process.getuid?.() !== 0 ? 'capturing needs root' : which('tcpdump') === undefined ? 'tcpdump is not installed' : false;

/** A Fetch v4 request for partition 0 of `topic` from offset 0, sent on a raw socket; resolves with the response frame. */
async function rawFetch(port: number, topic: string, correlationId: number): Promise<Buffer> {
  const t = Buffer.from(topic); const id = Buffer.from('podtap-raw');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + id.length + 4 + 4 + 4 + 4 + 1 + 4 + 2 + t.length + 4 + 4 + 8 + 4);
  let o = 0;
  o = body.writeInt16BE(1, o); o = body.writeInt16BE(4, o); o = body.writeInt32BE(correlationId, o);
  o = body.writeInt16BE(id.length, o); o += id.copy(body, o);
  o = body.writeInt32BE(-1, o); o = body.writeInt32BE(100, o); o = body.writeInt32BE(1, o); o = body.writeInt32BE(1 << 20, o); o = body.writeInt8(0, o);
  o = body.writeInt32BE(1, o); o = body.writeInt16BE(t.length, o); o += t.copy(body, o);
  o = body.writeInt32BE(1, o); o = body.writeInt32BE(0, o); o = body.writeBigInt64BE(0n, o); body.writeInt32BE(1 << 20, o);
  return rawRequest(port, body);
}

/** ApiVersions v3: request header v2 (tagged fields) and compact strings in the body. */
export function apiVersionsV3(correlationId: number): Buffer {
  const id = Buffer.from('podtap-raw');
  return Buffer.concat([
    Buffer.from([0, 18, 0, 3]), Buffer.from([correlationId >>> 24, (correlationId >>> 16) & 255, (correlationId >>> 8) & 255, correlationId & 255]),
    Buffer.from([0, id.length]), id, Buffer.from([0]), // client id (classic string), no header tags
    Buffer.from([8]), Buffer.from('podtap!'), Buffer.from([6]), Buffer.from('1.2.3'), Buffer.from([0]), // compact strings (length + 1), no body tags
  ]);
}

/** Sends one request frame (without its size) on a new connection; resolves with the response frame. */
async function rawRequest(port: number, body: Buffer): Promise<Buffer> {
  const len = Buffer.alloc(4); len.writeInt32BE(body.length);
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => s.write(Buffer.concat([len, body])));
    let got = Buffer.alloc(0);
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) { s.end(); resolve(got.subarray(4)); }
    });
    s.on('error', reject);
  });
}

async function drive(port: number): Promise<KafkaTruth> {
  const clientId = `podtap-${process.pid}`;
  const kafka = new Kafka({ clientId, brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 1 } });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const truth: KafkaTruth = { clientId, sent: [], offsets: [], fetched: [] };
  const plan: Array<[string, number]> = [['orders', 3], ['payments', 1], ['orders', 5], ['audit-log', 2]];
  for (const [topic, n] of plan) {
    const messages = Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ topic, i }) }));
    const meta = await producer.send({ topic, messages, acks: -1 });
    truth.sent.push({ topic, messages: n, baseOffset: Number(meta[0]!.baseOffset), errorCode: meta[0]!.errorCode });
  }
  // Two topics in one Produce request.
  const batch = await producer.sendBatch({ topicMessages: [{ topic: 'orders', messages: [{ value: 'a' }] }, { topic: 'payments', messages: [{ value: 'b' }, { value: 'c' }] }] });
  for (const m of batch) truth.sent.push({ topic: m.topicName, messages: m.topicName === 'orders' ? 1 : 2, baseOffset: Number(m.baseOffset), errorCode: m.errorCode });
  await producer.disconnect();

  const admin = kafka.admin();
  await admin.connect();
  for (const topic of ['orders', 'payments', 'audit-log']) {
    const offs = await admin.fetchTopicOffsets(topic);
    truth.offsets.push({ topic, high: Number(offs[0]!.high), low: Number(offs[0]!.low) });
  }
  await admin.disconnect();

  const res = await rawFetch(port, 'orders', 4242);
  truth.fetched.push({ topic: 'orders', correlationId: res.readInt32BE(0), frameBytes: res.length });
  const v3 = await rawRequest(port, apiVersionsV3(77));
  truth.apiVersionsV3 = { correlationId: v3.readInt32BE(0), apis: v3.readUInt8(6) - 1 }; // header v0, error code, compact array length

  return truth;
}

test('kafkajs producer, admin offsets and a Fetch against the stand-in broker', { skip, timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-kafka-'));
  const broker = new StandInBroker();
  try {
    const port = await broker.start();
    const cap = await startCapture({ iface: 'lo', file: join(dir, 'kafka.pcap'), filter: `tcp port ${port}` });
    let truth: KafkaTruth;
    try { truth = await drive(port); } finally { await cap.stop(); }
    const result = await readKafkaCapture(cap.file);
    checkAgainstTruth(result, truth, broker.log.requests.length);
    if (process.env.PODTAP_UPDATE_FIXTURES === '1') {
      await mkdir('fixtures/kafka', { recursive: true });
      await copyFile(cap.file, 'fixtures/kafka/kafkajs.pcap');
      await writeFile('fixtures/kafka/kafkajs.truth.json', JSON.stringify({ ...truth, brokerRequests: broker.log.requests.length }, null, 1));
    }
  } finally {
    await broker.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
