/**
 * Throughput of the PostgreSQL dissector: (1) a capture (default the recorded
 * fixtures/postgres/live.pcap) through a fresh pipeline N times; (2) a
 * synthetic connection of 50 queries × 1,000 DataRows in 1,448-byte
 * segments. Prints packets/s, entries/s and MiB/s.
 * Usage: node dist/dissectors/postgres/bench.js [file] [repeats]
 */
import { readFileSync } from 'node:fs';
import { replayCapture, replayFrames, reportThroughput } from '../throughput.js';
import { DissectorRegistry, DISSECTORS } from '../registry.js';
import { tcpConversation } from '../../testing/packets.js';
import { postgresSpec } from './index.js';
import { complete, dataRowMsg, query, ready, rowDesc, startup, startupAnswer } from './test-support.js';

const file = process.argv[2] ?? 'fixtures/postgres/live.pcap';
const repeats = Number(process.argv[3] ?? 200);
const registry = new DissectorRegistry([...DISSECTORS, postgresSpec]);

reportThroughput(file, replayCapture(registry, readFileSync(file), repeats));

const rows = Buffer.concat([rowDesc(['id', 'name', 'email']), ...Array.from({ length: 1000 }, (_, i) => dataRowMsg([String(i), `user ${i}`, `user${i}@example.com`])), complete('SELECT 1000'), ready()]);
const frames = tcpConversation({
  client: '10.0.0.1', server: '10.0.0.2', cport: 40_000, sport: 5432, mss: 1448,
  exchanges: [[startup({ user: 'postgres', database: 'test' }), startupAnswer()], ...Array.from({ length: 50 }, (_, i): [Buffer, Buffer] => [query(`SELECT id, name, email FROM users LIMIT 1000 OFFSET ${i}`), rows])],
});
reportThroughput('synthetic 50 × SELECT of 1,000 rows', replayFrames(registry, frames, Math.max(1, Math.round(repeats / 10))));
