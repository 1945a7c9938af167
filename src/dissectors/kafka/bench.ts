/**
 * Throughput of the Kafka dissector: reads a capture (default the recorded
 * fixtures/kafka/kafkajs.pcap) through a fresh pipeline N times, then a
 * synthetic connection of 2,000 Produce v3 exchanges (10 batches of 5 records
 * each), and prints packets/s and entries/s.
 * Usage: node dist/dissectors/kafka/bench.js [file] [repeats]
 */
import { readFileSync } from 'node:fs';
import { replayCapture, replayFrames, reportThroughput } from '../throughput.js';
import { tcpConversation } from '../../testing/packets.js';
import { DISSECTORS, DissectorRegistry } from '../registry.js';
import { KAFKA_PORT, kafkaSpec } from './index.js';
import { recordBatch, request, response, W } from './test-frames.js';

const file = process.argv[2] ?? 'fixtures/kafka/kafkajs.pcap';
const repeats = Number(process.argv[3] ?? 2000);
const registry = new DissectorRegistry([...DISSECTORS, kafkaSpec]);

reportThroughput(`${file} x${repeats}`, replayCapture(registry, readFileSync(file), repeats));

{
  const exchanges: Array<[Buffer, Buffer]> = [];
  const records = Buffer.concat(Array.from({ length: 10 }, (_, i) => recordBatch(5, i * 5, 200)));
  for (let c = 0; c < 2000; c++) {
    const q = new W(); q.str(null).i16(-1).i32(30_000).array(['orders'], (n) => q.str(n).array([c % 3], (p) => q.i32(p).bytes(records)));
    const r = new W(); r.array(['orders'], (n) => r.str(n).array([c % 3], (p) => r.i32(p).i16(0).i64(c * 50).i64(-1))).i32(0);
    exchanges.push([request(0, 3, c, 'bench', q.done()), response(c, r.done())]);
  }
  const frames = tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40_000, sport: KAFKA_PORT, exchanges, mss: 1448 });
  const rounds = 20;
  reportThroughput(`synthetic Produce v3 (2,000 exchanges, 50 records each) x${rounds}`, replayFrames(registry, frames, rounds));
}
