/**
 * Throughput of the PostgreSQL dissector: (1) a capture (default the recorded
 * fixtures/postgres/live.pcap) through a fresh pipeline N times; (2) a
 * synthetic connection of 50 queries × 1,000 DataRows in 1,448-byte
 * segments. Prints packets/s, entries/s and MiB/s.
 * Usage: node dist/dissectors/postgres/bench.js [file] [repeats]
 */
import { readFileSync } from 'node:fs';
import { Pipeline } from '../../pipeline/pipeline.js';
import { createCaptureReader } from '../../capture/open.js';
import { DissectorRegistry, DISSECTORS } from '../registry.js';
import { tcpConversation } from '../../testing/packets.js';
import { postgresSpec } from './index.js';
import { complete, dataRowMsg, query, ready, rowDesc, startup, startupAnswer } from './test-support.js';

const file = process.argv[2] ?? 'fixtures/postgres/live.pcap';
const repeats = Number(process.argv[3] ?? 200);
const registry = new DissectorRegistry([...DISSECTORS, postgresSpec]);

function report(name: string, packets: number, entries: number, bytes: number, t0: bigint): void {
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${name}: ${packets} packets, ${entries} entries in ${s.toFixed(2)} s: ${Math.round(packets / s)} packets/s, ${Math.round(entries / s)} entries/s, ${(bytes / s / 2 ** 20).toFixed(1)} MiB/s`);
}

const bytes = readFileSync(file);
let packets = 0;
let entries = 0;
let t0 = process.hrtime.bigint();
for (let i = 0; i < repeats; i++) {
  const p = new Pipeline(() => { entries++; }, {}, registry);
  const reader = createCaptureReader(bytes.subarray(0, 64), p);
  reader.push(bytes);
  reader.end();
  packets += p.finish().packets;
}
report(file, packets, entries, bytes.length * repeats, t0);

const rows = Buffer.concat([rowDesc(['id', 'name', 'email']), ...Array.from({ length: 1000 }, (_, i) => dataRowMsg([String(i), `user ${i}`, `user${i}@example.com`])), complete('SELECT 1000'), ready()]);
const frames = tcpConversation({
  client: '10.0.0.1', server: '10.0.0.2', cport: 40_000, sport: 5432, mss: 1448,
  exchanges: [[startup({ user: 'postgres', database: 'test' }), startupAnswer()], ...Array.from({ length: 50 }, (_, i): [Buffer, Buffer] => [query(`SELECT id, name, email FROM users LIMIT 1000 OFFSET ${i}`), rows])],
});
const frameBytes = frames.reduce((a, f) => a + f.length, 0);
packets = 0;
entries = 0;
t0 = process.hrtime.bigint();
for (let i = 0; i < Math.max(1, Math.round(repeats / 10)); i++) {
  const p = new Pipeline(() => { entries++; }, {}, registry);
  frames.forEach((data, k) => p.packet({ ts: 1_700_000_000_000 + k, linkType: 1, iface: 0, data, origLength: data.length }));
  packets += p.finish().packets;
}
report('synthetic 50 × SELECT of 1,000 rows', packets, entries, frameBytes * Math.max(1, Math.round(repeats / 10)), t0);
