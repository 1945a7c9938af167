/**
 * Throughput of the Redis dissector: reads a capture (default the recorded
 * fixtures/redis/live.pcap) through a fresh pipeline N times and prints
 * packets/s and entries/s. Usage: node dist/dissectors/redis/bench.js [file] [repeats]
 */
import { readFileSync } from 'node:fs';
import { replayCapture, reportThroughput } from '../throughput.js';
import { redisRegistry } from './test-support.js';

const file = process.argv[2] ?? 'fixtures/redis/live.pcap';
const repeats = Number(process.argv[3] ?? 200);
reportThroughput(file, replayCapture(redisRegistry(), readFileSync(file), repeats));
