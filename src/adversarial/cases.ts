/**
 * Every adversarial case in one table: how to build the attack at a given
 * scale (1 = the size the hardening issue names), the scale the unit test
 * runs at, and what the pipeline must show for it — the named limit or
 * anomaly it hit, on the counters and on the attacked entry. The memory
 * bound and the normal connections are checked the same way for all cases
 * (`caseProblems`), by the unit tests and by full-run.ts alike.
 */
import type { Entry, HttpEntry } from '../entries/types.js';
import type { GrpcEntry } from '../dissectors/http2/types.js';
import type { PipelineOptions } from '../pipeline/types.js';
import { DEFAULT_PIPELINE_OPTIONS } from '../pipeline/stats.js';
import { memoryBudget } from '../pipeline/memory-budget.js';
import { SEGMENT_OVERHEAD_BYTES } from '../tcp/reassembly.js';
import { mib, MiB } from './memory.js';
import { runAttack, type Attack, type RunOptions, type RunResult } from './harness.js';
import { DECLARED_BODY_BYTES, endlessChunkSize, endlessHeaders, hugeChunkSize, hugeContentLength, millionHeaders } from './http1-attacks.js';
import { continuationFlood, hpackTableMax } from './http2-attacks.js';
import { deepBson, deepGrpc, deepJson } from './nesting-attacks.js';
import { redisHugeArrays } from './redis-attacks.js';
import { lengthFieldsPastFrame } from './length-attacks.js';
import { halfOpenFlood, outOfOrderFlood } from './tcp-attacks.js';
import { FRAGMENTED_DNS_CLIENT, fragmentFlood } from './fragment-attacks.js';

/** The memory cap the unit tests hold each attack to (the worker's default is 512 MiB; limits scale with it). */
export const TEST_MEMORY_CAP_BYTES = 64 * MiB;

export interface AdversarialCase {
  name: string;
  /** One line for reports. */
  what: string;
  /** The attack at `scale` (1 = full size), sized against the run's limits where it matters. */
  attack(scale: number, limits: PipelineOptions): Attack;
  /** Scale of the unit test: 1 where the full size runs in well under a second or two. */
  testScale: number;
  /** Options besides the memory budget. */
  options?: Partial<PipelineOptions>;
  /** Problems with the attack's handling (limits not hit or not marked); empty when all is well. */
  check(r: RunResult, limits: PipelineOptions, scale: number): string[];
  /**
   * Full size only (full-run.ts), where the memory guard must have shed: the
   * attack holds more state than the limits account for, and only the
   * guard's RSS checks keep the process under the cap. A unit test cannot
   * show it (node's own RSS is most of a test-sized cap).
   */
  expectShed?: boolean;
}

const n = (full: number, scale: number): number => Math.max(1, Math.round(full * scale));

/** A problem when `cond` is false. */
const want = (cond: boolean, text: string): string[] => (cond ? [] : [text]);
const weird = (r: RunResult, name: string): string[] => want((r.stats.weirds[name] ?? 0) > 0, `weird ${name} not counted (weirds: ${JSON.stringify(r.stats.weirds)})`);
const limit = (r: RunResult, name: string): string[] => want((r.stats.limitsHit[name] ?? 0) > 0, `limit ${name} not counted (limitsHit: ${JSON.stringify(r.stats.limitsHit)})`);
const flagged = (r: RunResult, flag: string, of: (e: Entry) => boolean = () => true): string[] =>
  want(r.attackEntries.some((e) => of(e) && (e.flags as string[]).includes(flag)), `no attack entry flagged '${flag}' (flags: ${JSON.stringify(r.attackEntries.map((e) => e.flags))})`);
const http = (r: RunResult, ip: string): HttpEntry | undefined => r.attackEntries.find((e): e is HttpEntry => e.protocol === 'http' && e.src.ip === ip);

export const CASES: readonly AdversarialCase[] = [
  {
    name: 'http1-endless-headers',
    what: 'HTTP/1 request head that never ends (100 MiB of header lines)',
    attack: (s) => endlessHeaders(n(100 * MiB, s)),
    testScale: 0.02,
    check: (r) => [...weird(r, 'http_header_bytes_limit'), ...flagged(r, 'violation')],
  },
  {
    name: 'http1-million-headers',
    what: 'HTTP/1 request with 1,000,000 header fields',
    attack: (s) => millionHeaders(n(1_000_000, s)),
    testScale: 1,
    check: (r) => [...weird(r, 'http_header_count_limit'), ...flagged(r, 'violation')],
  },
  {
    name: 'http1-10gb-content-length',
    what: 'HTTP/1 Content-Length 10 GiB, 8 MiB sent, then close',
    attack: (s) => hugeContentLength(n(8 * MiB, s)),
    testScale: 1,
    check: (r, o, s) => {
      const e = http(r, '10.66.0.3');
      if (e === undefined || e.request === null) return ['no entry for the 10 GiB upload'];
      const sent = Math.ceil(n(8 * MiB, s) / 1400) * 1400;
      const b = e.request.body;
      return [
        ...want(e.request.headers['content-length'] === String(DECLARED_BODY_BYTES), 'declared length not kept in the headers'),
        ...want(b !== null && b.size === sent && b.truncated && b.content.length <= o.maxBodyBytes, `body not kept up to the cap with its true size ${sent} (${b === null ? 'null' : `size ${b.size}, kept ${b.content.length}`})`),
        ...want(e.flags.includes('body-truncated') && e.flags.includes('truncated'), `flags ${e.flags.join(',')}: want body-truncated and truncated`),
        ...want(e.response?.status === 413, 'the 413 answer is not paired'),
        ...weird(r, 'http_truncated_body'),
      ];
    },
  },
  {
    name: 'http1-endless-chunk-size',
    what: 'HTTP/1 chunk-size line of 1 MiB of hex digits',
    attack: (s) => endlessChunkSize(n(MiB, s)),
    testScale: 1,
    check: (r) => [...weird(r, 'http_chunk_line_limit'), ...flagged(r, 'violation')],
  },
  {
    name: 'http1-chunk-size-2^64',
    what: 'HTTP/1 chunk size 0xFFFFFFFFFFFFFFFF, then 4 MiB',
    attack: (s) => hugeChunkSize(n(4 * MiB, s)),
    testScale: 1,
    check: (r) => [...weird(r, 'http_bad_chunk_size'), ...flagged(r, 'violation')],
  },
  {
    name: 'hpack-table-max',
    what: 'HTTP/2 SETTINGS_HEADER_TABLE_SIZE 2^32-1, table-size updates to 2^28-1 and 2^32-1, 20,000 blocks of 4 KB literals',
    attack: (s) => hpackTableMax(n(20_000, s)),
    testScale: 0.05,
    check: (r, _o, s) => [
      ...weird(r, 'http2_dynamic_table_limit'), ...weird(r, 'http2_hpack_error'),
      ...want(r.attackEntryCount === n(20_000, s), `${r.attackEntryCount} entries for ${n(20_000, s)} streams`),
    ],
  },
  {
    name: 'http2-continuation-flood',
    what: 'HTTP/2 HEADERS then endless CONTINUATION (6,400 × 16 KiB and 1,000,000 empty), no END_HEADERS',
    attack: (s) => continuationFlood(n(6400, s), n(1_000_000, s)),
    testScale: 0.05,
    check: (r) => [...weird(r, 'http2_header_block_limit'), ...want(r.attackEntries.some((e) => e.protocol === 'http2'), 'no entry for the flooded stream')],
  },
  {
    name: 'json-100k-deep',
    what: 'GraphQL JSON body nested 100,000 levels (whole body kept: maxBodyBytes 1 MiB)',
    attack: (s) => deepJson(n(100_000, s)),
    testScale: 1,
    options: { maxBodyBytes: MiB },
    check: (r) => {
      const e = http(r, '10.66.2.1');
      return [
        ...weird(r, 'graphql_json_depth_limit'),
        ...want(e !== undefined && e.response?.status === 200 && e.request?.body !== null, 'the deep GraphQL request has no complete entry'),
      ];
    },
  },
  {
    name: 'bson-10k-deep',
    what: 'MongoDB OP_MSG with a BSON document nested 10,000 levels',
    attack: (s) => deepBson(n(10_000, s)),
    testScale: 1,
    check: (r) => [...weird(r, 'mongodb_truncated'), ...flagged(r, 'truncated', (e) => e.protocol === 'mongodb')],
  },
  {
    name: 'protobuf-10k-deep',
    what: 'gRPC message nested 10,000 levels (schemaless protobuf decoding)',
    attack: (s) => deepGrpc(n(10_000, s)),
    testScale: 1,
    check: (r) => {
      const e = r.attackEntries.find((x): x is GrpcEntry => x.protocol === 'grpc');
      return [
        ...weird(r, 'grpc_proto_depth_limit'),
        ...want(e !== undefined && e.request !== null && e.request.messages.length === 1 && e.request.messages[0]!.fields !== null, 'the deep gRPC call has no decoded message'),
      ];
    },
  },
  {
    name: 'redis-huge-arrays',
    what: 'Redis *1000000000, *536870912 with 8 MiB of elements, arrays nested 100,000 deep',
    attack: (s) => redisHugeArrays(n(8 * MiB, s), n(100_000, s)),
    testScale: 0.25,
    check: (r) => [...weird(r, 'redis_bad_length'), ...weird(r, 'redis_too_deep')],
  },
  {
    name: 'length-fields-past-frame',
    what: 'Kafka/AMQP/PostgreSQL frames declaring 100 MiB/4 MiB/1 GiB or 2 GiB: 10,000 connections each, held open',
    attack: (s) => lengthFieldsPastFrame(n(10_000, s), 200, n(4 * MiB, Math.max(s, 0.25))),
    testScale: 0.02,
    check: (r) => [
      ...weird(r, 'kafka_bad_frame_size'), ...weird(r, 'kafka_frame_truncated'),
      ...weird(r, 'amqp_violation'), ...weird(r, 'amqp_frame_size_limit'),
      ...weird(r, 'postgres_bad_header'), ...weird(r, 'postgres_message_size_limit'),
    ],
  },
  {
    name: 'memory-guard-pressure',
    what: 'the length-field attack on 20,000 connections per protocol (60,000 open, each ~6 KiB of dissector state): only the memory guard holds the cap',
    attack: (s) => lengthFieldsPastFrame(n(20_000, s), 200, n(4 * MiB, Math.max(s, 0.25))),
    testScale: 0.01,
    expectShed: true,
    check: () => [],
  },
  {
    name: 'tcp-half-open-flood',
    what: '100,000 half-open TCP connections (SYN only, or one segment each)',
    attack: (s) => halfOpenFlood(n(100_000, s)),
    testScale: 0.2,
    check: (r, o) => [
      ...limit(r, 'maxConnections'),
      ...want(r.peakOpenConnections <= o.maxConnections, `${r.peakOpenConnections} connections open, limit ${o.maxConnections}`),
    ],
  },
  {
    name: 'tcp-out-of-order-flood',
    what: '1,000,000 one-byte out-of-order segments on one connection (plus 24 connections to pass the total)',
    attack: (s, o) => outOfOrderFlood(n(1_000_000, s), 24, Math.ceil((o.maxBufferedBytesPerStream / (SEGMENT_OVERHEAD_BYTES + 1)) * 1.1)),
    testScale: 0.1,
    check: (r, o) => [
      ...want((r.stats.limitsHit.maxBufferedBytesPerStream ?? 0) + (r.stats.limitsHit.maxSegmentsPerStream ?? 0) > 0, `no per-stream limit counted (${JSON.stringify(r.stats.limitsHit)})`),
      ...limit(r, 'maxBufferedBytesTotal'),
      ...want(r.peakBufferedBytes <= o.maxBufferedBytesTotal, `buffered ${mib(r.peakBufferedBytes)} > total limit ${mib(o.maxBufferedBytesTotal)}`),
      ...flagged(r, 'gap'),
    ],
  },
  {
    name: 'ip-fragment-flood',
    what: '100,000 never-completed datagrams, 4 of 8,193 tiny fragments, 2,000 with 1,000 overlapping fragments',
    attack: (s) => fragmentFlood(n(100_000, s), 4, n(2000, s), 500),
    testScale: 0.1,
    check: (r, o, s) => [
      ...limit(r, 'maxFragmentDatagrams'), ...limit(r, 'maxFragmentsPerDatagram'),
      ...want(r.stats.fragmentsDropped > 0, 'no fragment counted as dropped'),
      ...weird(r, 'fragment_overlap'),
      ...want(r.stats.fragmentsReassembled >= Math.ceil(n(2000, s) / 2) + 2, `${r.stats.fragmentsReassembled} datagrams reassembled: the overlapping ones that were completed did not all come out`),
      ...want(r.peakBufferedBytes <= o.maxFragmentBytesTotal + o.maxBufferedBytesTotal, `buffered ${mib(r.peakBufferedBytes)} over the limits`),
      ...want(r.normalEntries.some((e) => e.protocol === 'dns' && e.src.ip === FRAGMENTED_DNS_CLIENT && e.flags.length === 0), 'the fragmented DNS exchange did not come out whole'),
    ],
  },
];

/** The pipeline options a case runs with under `capBytes`. */
export function caseOptions(c: AdversarialCase, capBytes: number): PipelineOptions {
  return { ...DEFAULT_PIPELINE_OPTIONS, ...memoryBudget(capBytes), ...c.options };
}

export interface CaseOutcome {
  result: RunResult;
  problems: string[];
}

/** Run one case at `scale` under `capBytes` and list every problem (memory, normal traffic, the case's own checks). */
export function runCase(c: AdversarialCase, scale: number, capBytes: number, run: RunOptions = {}): CaseOutcome {
  const options = caseOptions(c, capBytes);
  const result = runAttack(c.attack(scale, options), { ...run, options });
  const problems = [
    ...want(result.peakLiveBytes < capBytes, `live memory grew by ${mib(result.peakLiveBytes)}, cap ${mib(capBytes)}`),
    ...result.normalProblems,
    ...c.check(result, options, scale),
  ];
  return { result, problems };
}
