/**
 * Unit tests on hand-built frames: flexible versions (header v2, compact
 * encodings, tagged fields), the ApiVersions response header quirk, pairing
 * (out of order, acks=0, duplicates, the pending limit), record counting,
 * frames over the kept limit, detection.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { Entry } from '../../entries/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import type { PipelineStats } from '../../pipeline/types.js';
import { tcpConversation } from '../../testing/packets.js';
import { DISSECTORS, DissectorRegistry } from '../registry.js';
import { apiName, errorName } from './apis.js';
import { detectKafka } from './detect.js';
import type { KafkaEntry } from './entry.js';
import { MAX_KEPT_FRAME_BYTES } from './framer.js';
import { KAFKA_PORT, kafkaSpec, MAX_PENDING_REQUESTS } from './index.js';
import { countRecords } from './records.js';
import { recordBatch, request, response, W } from './test-frames.js';

function run(exchanges: Array<[Buffer | string, Buffer | string]>, mss?: number): { entries: KafkaEntry[]; stats: PipelineStats } {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e), {}, new DissectorRegistry([...DISSECTORS, kafkaSpec]));
  const frames = tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40_000, sport: KAFKA_PORT, exchanges, mss });
  frames.forEach((data, i) => p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
  const stats = p.finish();
  return { entries: entries as unknown as KafkaEntry[], stats };
}

test('names: API keys and error codes', () => {
  assert.equal(apiName(0), 'Produce');
  assert.equal(apiName(18), 'ApiVersions');
  assert.equal(apiName(75), 'DescribeTopicPartitions');
  assert.equal(apiName(999), 'Unknown(999)');
  assert.equal(errorName(0), 'NONE');
  assert.equal(errorName(3), 'UNKNOWN_TOPIC_OR_PARTITION');
  assert.equal(errorName(-1), 'UNKNOWN_SERVER_ERROR');
  assert.equal(errorName(5000), 'UNKNOWN_ERROR_5000');
});

test('ApiVersions v3: request header v2 with compact body; response header v0 with compact body', () => {
  const reqBody = new W(true).str('librdkafka').str('2.3.0').tags().done();
  const resW = new W(true);
  resW.i16(0).array([[0, 0, 9], [1, 0, 13], [18, 0, 3]] as const, ([k, a, b]) => resW.i16(k).i16(a).i16(b).tags()).i32(0).tags();
  const { entries } = run([[request(18, 3, 5, 'rdkafka', reqBody, true), response(5, resW.done(), false)]]);
  assert.equal(entries.length, 1);
  const e = entries[0]!;
  assert.deepEqual(e.flags, []);
  assert.equal(e.apiName, 'ApiVersions');
  assert.equal(e.request!.clientId, 'rdkafka');
  assert.equal(e.request!.clientSoftwareName, 'librdkafka');
  assert.equal(e.request!.clientSoftwareVersion, '2.3.0');
  assert.deepEqual(e.response!.apiVersions!.map((a) => [a.apiName, a.maxVersion]), [['Produce', 9], ['Fetch', 13], ['ApiVersions', 3]]);
});

test('Produce v9 (flexible) and its response: topics, partitions, records from batch headers, errors', () => {
  const records = Buffer.concat([recordBatch(3), recordBatch(4, 3)]);
  const body = new W(true);
  body.str(null).i16(1).i32(30_000).array(['t1', 't2'], (name) => {
    body.str(name).array([0, 1], (p) => body.i32(p).bytes(p === 0 ? records : recordBatch(1)).tags()).tags();
  }).tags();
  const res = new W(true);
  res.array(['t1', 't2'], (name) => {
    res.str(name).array([0, 1], (p) => {
      res.i32(p).i16(name === 't2' && p === 1 ? 6 : 0).i64(100 + p).i64(-1).i64(0).array([], () => undefined).str(null).tags();
    }).tags();
  }).i32(0).tags();
  const { entries } = run([[request(0, 9, 1, 'c', body.done(), true), response(1, res.done(), true)]], 50);
  const e = entries[0]!;
  assert.deepEqual(e.flags, []);
  assert.equal(e.request!.acks, 1);
  assert.equal(e.request!.records, 7 + 1 + 7 + 1);
  assert.deepEqual(e.request!.topics!.map((t) => [t.name, t.partitions.map((p) => p.records)]), [['t1', [7, 1]], ['t2', [7, 1]]]);
  assert.equal(e.response!.errorCode, 6);
  assert.equal(e.response!.errorName, 'NOT_LEADER_OR_FOLLOWER');
  assert.equal(e.response!.topics![0]!.partitions[1]!.offset, 101);
});

test('Metadata v12 (flexible, topic ids), FindCoordinator v3, Heartbeat group and member ids', () => {
  const mreq = new W(true); mreq.array(['orders'], (n) => mreq.raw(Buffer.alloc(16)).str(n).tags()).i8(1).i8(0).tags();
  const mres = new W(true);
  mres.i32(0).array([[1, 'b1'], [2, 'b2']] as const, ([id, host]) => mres.i32(id).str(host).i32(9092).str(null).tags()).str('cluster-x').i32(1);
  mres.array(['orders'], (n) => {
    mres.i16(0).str(n).raw(Buffer.alloc(16, 1)).i8(0).array([0], (p) => mres.i16(0).i32(p).i32(2).i32(0).array([2], (r) => mres.i32(r)).array([2], (r) => mres.i32(r)).array([], () => undefined).tags()).i32(0).tags();
  }).tags();
  const fcReq = new W(true).str('group-a').i8(0).tags().done();
  const fcRes = new W(true).i32(0).i16(15).str('not available').i32(-1).str('').i32(-1).tags().done();
  const hbReq = new W().str('group-a').i32(3).str('member-1').done();
  const hbRes = new W().i32(0).i16(27).done();
  const { entries } = run([
    [request(3, 12, 1, 'c', mreq.done(), true), response(1, mres.done(), true)],
    [request(10, 3, 2, 'c', fcReq, true), response(2, fcRes, true)],
    [request(12, 3, 3, 'c', hbReq), response(3, hbRes)],
  ]);
  assert.deepEqual(entries.map((e) => e.flags), [[], [], []]);
  const [m, fc, hb] = entries;
  assert.deepEqual(m!.request!.topics!.map((t) => t.name), ['orders']);
  assert.deepEqual(m!.response!.brokers!.map((b) => `${b.nodeId}@${b.host}:${b.port}`), ['1@b1:9092', '2@b2:9092']);
  assert.equal(m!.response!.clusterId, 'cluster-x');
  assert.equal(m!.response!.topics![0]!.partitions[0]!.leader, 2);
  assert.equal(fc!.request!.coordinatorKey, 'group-a');
  assert.equal(fc!.response!.errorName, 'COORDINATOR_NOT_AVAILABLE');
  assert.equal(hb!.request!.groupId, 'group-a');
  assert.equal(hb!.request!.memberId, 'member-1');
  assert.equal(hb!.response!.errorName, 'REBALANCE_IN_PROGRESS');
});

test('pairing: acks=0 Produce has no response; responses pair by correlation id; unknown ids are flagged', () => {
  const p0 = new W(); p0.str(null).i16(0).i32(100).array(['t'], (n) => p0.str(n).array([0], (p) => p0.i32(p).bytes(recordBatch(2))));
  const produce0 = p0.done();
  const hb = (corr: number) => request(12, 0, corr, 'c', new W().str('g').i32(1).str('m').done());
  const { entries, stats } = run([
    [request(0, 3, 7, 'c', produce0), ''],
    [Buffer.concat([hb(8), hb(9)]), Buffer.concat([response(9, new W().i16(0).done()), response(8, new W().i16(0).done()), response(4242, new W().i16(0).done())])],
  ]);
  assert.deepEqual(entries.map((e) => [e.apiName, e.request?.correlationId ?? null, e.response?.correlationId ?? null, e.flags]), [
    ['Produce', 7, null, []], // acks=0: emitted at once, no flag
    ['Heartbeat', 9, 9, []],
    ['Heartbeat', 8, 8, []],
    ['', null, 4242, ['no-request']],
  ]);
  assert.equal(stats.weirds['kafka_unmatched_response'], 1);
});

test('pending limit: the oldest unanswered request is emitted when the map is full', () => {
  const reqs = Array.from({ length: MAX_PENDING_REQUESTS + 5 }, (_, i) => request(12, 0, i, 'c', new W().str('g').i32(1).str('m').done()));
  const { entries, stats } = run([[Buffer.concat(reqs), '']]);
  assert.equal(entries.length, MAX_PENDING_REQUESTS + 5);
  assert.ok(entries.every((e) => e.flags.includes('no-response')));
  assert.equal(stats.weirds['kafka_pending_limit'], 5);
  assert.equal(entries[0]!.request!.correlationId, 0);
});

test('Fetch v4 response over MAX_KEPT_FRAME_BYTES: records counted from the kept prefix, flagged truncated', () => {
  const rq = new W(); rq.i32(-1).i32(500).i32(1).i32(1 << 30).i8(0).array(['big'], (n) => rq.str(n).array([0], (p) => rq.i32(p).i64(0).i32(1 << 30)));
  const batches = Buffer.concat(Array.from({ length: 3000 }, (_, i) => recordBatch(2, i * 2, 500)));
  assert.ok(batches.length > MAX_KEPT_FRAME_BYTES);
  const rs = new W(); rs.i32(0).array(['big'], (n) => rs.str(n).array([0], (p) => rs.i32(p).i16(0).i64(6000).i64(6000).i32(-1).bytes(batches)));
  const { entries, stats } = run([[request(1, 4, 1, 'c', rq.done()), response(1, rs.done())]], 1400);
  const e = entries[0]!;
  assert.deepEqual(e.flags, ['truncated']);
  assert.equal(e.response!.topics![0]!.partitions[0]!.highWatermark, 6000);
  const kept = e.response!.records!;
  assert.ok(kept > 3000 && kept < 6000, `records in the kept prefix: ${kept}`);
  assert.equal(stats.weirds['kafka_frame_truncated'], 1);
});

test('record counting: several batches, a partial last one, legacy message sets', () => {
  assert.deepEqual(countRecords(Buffer.concat([recordBatch(3), recordBatch(5)])), { records: 8, batches: 2, partial: false });
  assert.deepEqual(countRecords(Buffer.concat([recordBatch(3), recordBatch(5).subarray(0, 70)])), { records: 8, batches: 2, partial: true });
  assert.deepEqual(countRecords(Buffer.concat([recordBatch(3), recordBatch(5).subarray(0, 30)])), { records: 3, batches: 1, partial: true });
  const legacy = Buffer.alloc(12 + 14 + 12 + 14); legacy.writeInt32BE(14, 8); legacy.writeInt8(1, 16); legacy.writeInt32BE(14, 34); legacy.writeInt8(1, 42);
  assert.deepEqual(countRecords(legacy), { records: 2, batches: 2, partial: false });
});

test('detection: requests by their header, responses by exact framing, others refused', () => {
  const hb = request(12, 0, 1, 'client-1', new W().str('g').i32(1).str('m').done());
  assert.equal(detectKafka(hb, true), 'match');
  assert.equal(detectKafka(hb.subarray(0, 8), true), 'more');
  assert.equal(detectKafka(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), true), 'no');
  assert.equal(detectKafka(Buffer.from('*1\r\n$4\r\nPING\r\n'), true), 'no');
  const res = response(1, new W().i16(0).done());
  assert.equal(detectKafka(res, false), 'match');
  assert.equal(detectKafka(Buffer.concat([res, res]), false), 'match');
  assert.equal(detectKafka(Buffer.concat([res, Buffer.from('garbage!!')]), false), 'no');
  // A response read as a request: its "client id" is binary.
  const avBody = new W(); avBody.i16(0).array([[0, 3, 3], [18, 0, 2]] as const, ([k, a, b]) => avBody.i16(k).i16(a).i16(b));
  const av = response(0, avBody.done());
  assert.equal(detectKafka(Buffer.concat([av, Buffer.alloc(20)]), true), 'no');
});
