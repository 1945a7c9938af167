/**
 * The shared conformance suite on conversations cut from the recording in
 * fixtures/kafka/kafkajs.pcap (live.test.ts): the kafkajs producer's
 * connection (first exchange ApiVersions v2), the admin's (ListOffsets), the
 * raw Fetch v4 and the raw flexible ApiVersions v3.
 */
import { test } from 'node:test';
import type { ConformanceSample } from '../conformance.js';
import { runConformance } from '../conformance.js';
import { KAFKA_PORT, kafkaSpec } from './index.js';
import { connectionStreams, exchangesOf } from './test-support.js';

const FIXTURE = 'fixtures/kafka/kafkajs.pcap';
const NAMES = ['kafkajs producer: ApiVersions, Metadata, Produce', 'kafkajs admin: ApiVersions, Metadata, ListOffsets', 'Fetch v4 with record batches', 'ApiVersions v3 (flexible)'];

test('Kafka passes the dissector conformance suite', async (t) => {
  const streams = await connectionStreams(FIXTURE);
  const samples: ConformanceSample[] = streams.map((s, i) => {
    const exchanges = exchangesOf(s);
    return { name: NAMES[i] ?? `connection ${i}`, port: KAFKA_PORT, exchanges, entries: exchanges.length, pipelining: true };
  });
  if (samples.length !== 4) throw new Error(`expected 4 connections in ${FIXTURE}, got ${samples.length}`);
  await runConformance(t, kafkaSpec, samples);
});
