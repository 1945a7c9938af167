/**
 * Throughput of the Kafka dissector: reads a capture (default the recorded
 * fixtures/kafka/kafkajs.pcap) through a fresh pipeline N times, then a
 * synthetic connection of 2,000 Produce v3 exchanges (10 batches of 5 records
 * each), and prints packets/s and entries/s.
 * Usage: node dist/dissectors/kafka/bench.js [file] [repeats]
 */
import { readFileSync } from 'node:fs';
import { createCaptureReader } from '../../capture/open.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { tcpConversation } from '../../testing/packets.js';
import { DISSECTORS, DissectorRegistry } from '../registry.js';
import { KAFKA_PORT, kafkaSpec } from './index.js';
import { recordBatch, request, response, W } from './test-frames.js';

const file = process.argv[2] ?? 'fixtures/kafka/kafkajs.pcap';
const repeats = Number(process.argv[3] ?? 2000);
const registry = new DissectorRegistry([...DISSECTORS, kafkaSpec]);

function report(name: string, packets: number, entries: number, bytes: number, s: number): void {
  console.log(`${name}: ${packets} packets, ${entries} entries in ${s.toFixed(2)} s: ${Math.round(packets / s)} packets/s, ${Math.round(entries / s)} entries/s, ${(bytes / s / 2 ** 20).toFixed(1)} MiB/s`);
}

{
  const bytes = readFileSync(file);
  let packets = 0; let entries = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < repeats; i++) {
    const p = new Pipeline(() => { entries++; }, {}, registry);
    const reader = createCaptureReader(bytes.subarray(0, 64), p);
    reader.push(bytes);
    reader.end();
    packets += p.finish().packets;
  }
  report(`${file} x${repeats}`, packets, entries, bytes.length * repeats, Number(process.hrtime.bigint() - t0) / 1e9);
}

{
  const exchanges: Array<[Buffer, Buffer]> = [];
  const records = Buffer.concat(Array.from({ length: 10 }, (_, i) => recordBatch(5, i * 5, 200)));
  for (let c = 0; c < 2000; c++) {
    const q = new W(); q.str(null).i16(-1).i32(30_000).array(['orders'], (n) => q.str(n).array([c % 3], (p) => q.i32(p).bytes(records)));
    const r = new W(); r.array(['orders'], (n) => r.str(n).array([c % 3], (p) => r.i32(p).i16(0).i64(c * 50).i64(-1))).i32(0);
    exchanges.push([request(0, 3, c, 'bench', q.done()), response(c, r.done())]);
  }
  const frames = tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40_000, sport: KAFKA_PORT, exchanges, mss: 1448 });
  const total = frames.reduce((a, f) => a + f.length, 0);
  const rounds = 20;
  let packets = 0; let entries = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    const p = new Pipeline(() => { entries++; }, {}, registry);
    frames.forEach((data, k) => p.packet({ ts: 1_700_000_000_000 + k, linkType: 1, iface: 0, data, origLength: data.length }));
    packets += p.finish().packets;
  }
  report(`synthetic Produce v3 (2,000 exchanges, 50 records each) x${rounds}`, packets, entries, total * rounds, Number(process.hrtime.bigint() - t0) / 1e9);
}
