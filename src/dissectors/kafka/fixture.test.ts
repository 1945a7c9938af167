/**
 * The committed recording (fixtures/kafka/kafkajs.pcap, made by live.test.ts
 * with PODTAP_UPDATE_FIXTURES=1) against the client's record stored beside
 * it: runs without root, tcpdump or a broker.
 */
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { readKafkaCapture } from './test-support.js';
import { checkAgainstTruth, type KafkaTruth } from './truth.js';

test('fixtures/kafka/kafkajs.pcap matches what kafkajs and the raw clients saw', async () => {
  const truth = JSON.parse(await readFile('fixtures/kafka/kafkajs.truth.json', 'utf8')) as KafkaTruth & { brokerRequests: number };
  checkAgainstTruth(await readKafkaCapture('fixtures/kafka/kafkajs.pcap'), truth, truth.brokerRequests);
});
