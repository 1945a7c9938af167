/**
 * Throughput of the Redis dissector: reads a capture (default the recorded
 * fixtures/redis/live.pcap) through a fresh pipeline N times and prints
 * packets/s and entries/s. Usage: node dist/dissectors/redis/bench.js [file] [repeats]
 */
import { readFileSync } from 'node:fs';
import { Pipeline } from '../../pipeline/pipeline.js';
import { createCaptureReader } from '../../capture/open.js';
import { redisRegistry } from './test-support.js';

const file = process.argv[2] ?? 'fixtures/redis/live.pcap';
const repeats = Number(process.argv[3] ?? 200);
const bytes = readFileSync(file);
const registry = redisRegistry();
let packets = 0;
let entries = 0;
const t0 = process.hrtime.bigint();
for (let i = 0; i < repeats; i++) {
  const p = new Pipeline(() => { entries++; }, {}, registry);
  const reader = createCaptureReader(bytes.subarray(0, 64), p);
  reader.push(bytes);
  reader.end();
  packets += p.finish().packets;
}
const s = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`${file}: ${packets} packets, ${entries} entries in ${s.toFixed(2)} s: ${Math.round(packets / s)} packets/s, ${Math.round(entries / s)} entries/s, ${((bytes.length * repeats) / s / 2 ** 20).toFixed(1)} MiB/s`);
