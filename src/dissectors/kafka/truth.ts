/**
 * Test support: what the client saw (kafkajs' own results, the raw Fetch),
 * and the comparison of a capture's entries with it.
 */
import { strict as assert } from 'node:assert';
import type { CaptureResult } from './test-support.js';

export interface KafkaTruth {
  clientId: string;
  /** One row per topic of each send(): messages sent and the base offset kafkajs got back. */
  sent: Array<{ topic: string; messages: number; baseOffset: number; errorCode: number }>;
  /** admin.fetchTopicOffsets per topic (partition 0). */
  offsets: Array<{ topic: string; high: number; low: number }>;
  /** The raw Fetch: its correlation id and response frame size. */
  fetched: Array<{ topic: string; correlationId: number; frameBytes: number }>;
  /** The raw ApiVersions v3 (flexible): correlation id and number of API ranges returned. */
  apiVersionsV3?: { correlationId: number; apis: number };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

export function checkAgainstTruth({ entries, stats }: CaptureResult, truth: KafkaTruth, brokerRequests: number): void {
  assert.equal(entries.length, brokerRequests, 'one entry per request the broker handled');
  assert.ok(entries.every((e) => e.protocol === 'kafka' && e.request !== null && e.response !== null), 'every request paired with its response');
  assert.deepEqual(entries.filter((e) => e.flags.length > 0).map((e) => [e.apiName, e.flags]), [], 'no flags');
  assert.deepEqual(Object.keys(stats.weirds).filter((w) => w.startsWith('kafka')), [], 'no kafka weirds');

  const byConn = new Map<string, typeof entries>();
  for (const e of entries) byConn.set(e.connectionId, [...(byConn.get(e.connectionId) ?? []), e]);
  for (const [conn, es] of byConn) {
    const first = es[0]!;
    if (first.request!.clientId === 'podtap-raw' && first.apiName === 'Fetch') continue; // the hand-made Fetch skips ApiVersions
    assert.equal(first.apiName, 'ApiVersions', `${conn}: first exchange`);
    assert.ok((first.response!.apiVersions ?? []).some((a) => a.apiName === 'Produce' && a.minVersion === 3 && a.maxVersion === 3));
  }

  const produce = entries.filter((e) => e.apiName === 'Produce');
  for (const topic of new Set(truth.sent.map((s) => s.topic))) {
    const want = sum(truth.sent.filter((s) => s.topic === topic).map((s) => s.messages));
    const got = sum(produce.flatMap((e) => e.request!.topics ?? []).filter((t) => t.name === topic).flatMap((t) => t.partitions.map((p) => p.records ?? 0)));
    assert.equal(got, want, `records produced to ${topic}`);
    const offsets = produce.flatMap((e) => e.response!.topics ?? []).filter((t) => t.name === topic).flatMap((t) => t.partitions.map((p) => p.offset)).sort();
    assert.deepEqual(offsets, truth.sent.filter((s) => s.topic === topic).map((s) => s.baseOffset).sort(), `base offsets of ${topic}`);
  }
  assert.ok(produce.every((e) => e.request!.acks === -1 && e.response!.errorCode === 0 && e.response!.errorName === 'NONE' && e.request!.clientId === truth.clientId));

  const listed = entries.filter((e) => e.apiName === 'ListOffsets');
  for (const o of truth.offsets) {
    const offs = listed.flatMap((e) => e.response!.topics ?? []).filter((t) => t.name === o.topic).flatMap((t) => t.partitions.map((p) => p.offset ?? NaN));
    assert.deepEqual([Math.min(...offs), Math.max(...offs)], [o.low, o.high], `offsets of ${o.topic}`);
  }

  const metadata = entries.filter((e) => e.apiName === 'Metadata');
  assert.ok(metadata.length > 0 && metadata.every((e) => e.response!.brokers?.[0]?.host === '127.0.0.1'));
  assert.ok(metadata.some((e) => (e.response!.topics ?? []).some((t) => t.name === 'audit-log')));

  if (truth.apiVersionsV3 !== undefined) {
    const e = entries.find((x) => x.apiName === 'ApiVersions' && x.request!.apiVersion === 3);
    assert.ok(e !== undefined, 'the ApiVersions v3 is seen');
    assert.equal(e.request!.correlationId, truth.apiVersionsV3.correlationId);
    assert.equal(e.request!.clientId, 'podtap-raw');
    assert.equal(e.request!.clientSoftwareName, 'podtap!');
    assert.equal(e.request!.clientSoftwareVersion, '1.2.3');
    assert.equal(e.response!.apiVersions?.length, truth.apiVersionsV3.apis);
    assert.equal(e.response!.throttleTimeMs, 0);
  }

  for (const f of truth.fetched) {
    const e = entries.find((x) => x.apiName === 'Fetch' && x.request!.correlationId === f.correlationId);
    assert.ok(e !== undefined, 'the Fetch is seen');
    assert.equal(e.response!.size, f.frameBytes);
    assert.deepEqual(e.request!.topics?.map((t) => t.name), [f.topic]);
    const high = truth.offsets.find((o) => o.topic === f.topic)!.high;
    assert.equal(e.response!.records, high, 'every record of the topic fetched');
    assert.equal(e.response!.topics?.[0]?.partitions[0]?.highWatermark, high);
  }
}
