/**
 * The grammar: one Kafka frame (after its 4-byte size) to a request or a
 * response. Requests carry api key, version, correlation id and client id
 * in their header; responses carry only the correlation id, so the caller
 * passes the api key and version it remembered from the request.
 *
 * Bodies are decoded for the common APIs (Produce, Fetch, ListOffsets,
 * Metadata, ApiVersions, FindCoordinator and the group APIs); any other API
 * gives the header only. Decoding never throws: `short` says the frame ended
 * before the decoder did (a truncated frame or a malformed one).
 */
import { API, apiName, errorName, isFlexible, responseHeaderFlexible } from './apis.js';
import { Reader } from './reader.js';
import { countRecords } from './records.js';

export interface KafkaPartition {
  partition: number;
  /** Records in the batches carried (Produce request, Fetch response). */
  records?: number;
  /** Size of the records field (Produce request, Fetch response). */
  bytes?: number;
  errorCode?: number;
  errorName?: string;
  /** Produce response: base offset; ListOffsets response: the offset found. */
  offset?: number;
  /** Fetch request: fetch offset. */
  fetchOffset?: number;
  /** Fetch response. */
  highWatermark?: number;
  /** ListOffsets request: -1 latest, -2 earliest, else a time (ms). ListOffsets response: the record's time. */
  timestamp?: number;
  /** Metadata response: the leader's node id. */
  leader?: number;
}

export interface KafkaTopic {
  name: string;
  partitions: KafkaPartition[];
  errorCode?: number;
  errorName?: string;
}

export interface KafkaBroker { nodeId: number; host: string; port: number; rack: string | null }
export interface KafkaApiRange { apiKey: number; apiName: string; minVersion: number; maxVersion: number }

export interface KafkaRequestBody {
  topics?: KafkaTopic[];
  acks?: number;
  timeoutMs?: number;
  transactionalId?: string | null;
  records?: number;
  groupId?: string;
  memberId?: string;
  generationId?: number;
  coordinatorKey?: string;
  coordinatorType?: number;
  clientSoftwareName?: string;
  clientSoftwareVersion?: string;
}

export interface KafkaResponseBody {
  errorCode: number;
  topics?: KafkaTopic[];
  brokers?: KafkaBroker[];
  clusterId?: string | null;
  controllerId?: number;
  apiVersions?: KafkaApiRange[];
  coordinator?: KafkaBroker;
  throttleTimeMs?: number;
  records?: number;
  generationId?: number;
  memberId?: string;
}

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Offset of the body in the frame. */
  bodyAt: number;
}

export interface Decoded<T> { body: T; short: boolean; limited: boolean }

/** Request header v1 (v2 adds tagged fields) at the start of a frame. */
export function parseRequestHeader(frame: Uint8Array): RequestHeader | null {
  if (frame.length < 10) return null;
  const r = new Reader(frame);
  const apiKey = r.int16(); const apiVersion = r.int16(); const correlationId = r.int32();
  const clientId = r.string(); // always a non-compact nullable string, even in header v2
  if (isFlexible(apiKey, apiVersion)) { r.flexible = true; r.tags(); }
  if (r.short) return null;
  return { apiKey, apiVersion, correlationId, clientId, bodyAt: r.pos };
}

/** Where the response body starts: after the correlation id and, for flexible responses, the header's tagged fields. */
function responseReader(frame: Uint8Array, apiKey: number, v: number): Reader {
  const r = new Reader(frame, 4);
  if (responseHeaderFlexible(apiKey, v)) { r.flexible = true; r.tags(); }
  r.flexible = isFlexible(apiKey, v);
  return r;
}

const err = (code: number): { errorCode: number; errorName: string } => ({ errorCode: code, errorName: errorName(code) });
const str = (r: Reader): string => r.string() ?? '';

export function parseRequestBody(frame: Uint8Array, h: RequestHeader): Decoded<KafkaRequestBody> {
  const v = h.apiVersion;
  const r = new Reader(frame, h.bodyAt, isFlexible(h.apiKey, v));
  const b: KafkaRequestBody = {};
  switch (h.apiKey) {
    case API.Produce: {
      if (v >= 3) b.transactionalId = r.string();
      b.acks = r.int16(); b.timeoutMs = r.int32();
      let total = 0;
      b.topics = r.array(() => {
        const name = str(r);
        const partitions = r.array(() => {
          const partition = r.int32();
          const recs = r.bytes();
          const p: KafkaPartition = { partition, records: 0, bytes: recs?.length ?? 0 };
          if (recs !== null) { p.records = countRecords(recs).records; total += p.records; }
          r.tags();
          return p;
        });
        r.tags();
        return { name, partitions };
      });
      b.records = total;
      break;
    }
    case API.Fetch: {
      r.int32(); // replica id
      b.timeoutMs = r.int32(); r.int32(); // max wait, min bytes
      if (v >= 3) r.int32();
      if (v >= 4) r.int8();
      if (v >= 7) { r.int32(); r.int32(); }
      b.topics = r.array(() => {
        const name = v >= 13 ? r.uuid() : str(r);
        const partitions = r.array(() => {
          const partition = r.int32();
          if (v >= 9) r.int32();
          const fetchOffset = r.int64();
          if (v >= 12) r.int32();
          if (v >= 5) r.int64();
          r.int32();
          r.tags();
          return { partition, fetchOffset };
        });
        r.tags();
        return { name, partitions };
      });
      break;
    }
    case API.ListOffsets: {
      r.int32();
      if (v >= 2) r.int8();
      b.topics = r.array(() => {
        const name = str(r);
        const partitions = r.array(() => {
          const partition = r.int32();
          if (v >= 4) r.int32();
          const timestamp = r.int64();
          if (v === 0) r.int32();
          r.tags();
          return { partition, timestamp };
        });
        r.tags();
        return { name, partitions };
      });
      break;
    }
    case API.Metadata: {
      const n = r.flexible ? r.uvarint() - 1 : r.int32();
      if (n >= 0) { // null (-1) asks for all topics
        const topics: KafkaTopic[] = [];
        for (let i = 0; i < Math.min(n, 10_000) && !r.short; i++) {
          if (v >= 10) r.uuid();
          topics.push({ name: str(r), partitions: [] });
          r.tags();
        }
        b.topics = topics;
      }
      break;
    }
    case API.ApiVersions:
      if (v >= 3) { b.clientSoftwareName = str(r); b.clientSoftwareVersion = str(r); }
      break;
    case API.FindCoordinator:
      if (v >= 4) { b.coordinatorType = r.int8(); b.coordinatorKey = r.array(() => str(r)).join(','); } else {
        b.coordinatorKey = str(r);
        if (v >= 1) b.coordinatorType = r.int8();
      }
      break;
    case API.JoinGroup: case API.SyncGroup: case API.Heartbeat: case API.LeaveGroup:
    case API.OffsetCommit: case API.OffsetFetch: case API.DeleteGroups: case API.DescribeGroups:
      if (h.apiKey === API.OffsetFetch && v >= 8) { if (r.arrayLength() > 0) b.groupId = str(r); break; } // groups array: the first group's id
      if (h.apiKey === API.DeleteGroups || h.apiKey === API.DescribeGroups) { b.groupId = r.array(() => str(r)).join(','); break; }
      b.groupId = str(r);
      if (h.apiKey === API.Heartbeat || h.apiKey === API.SyncGroup || (h.apiKey === API.OffsetCommit && v >= 1)) {
        b.generationId = r.int32(); b.memberId = str(r);
      }
      break;
    default:
      break;
  }
  return { body: b, short: r.short, limited: r.limited };
}

export function parseResponseBody(frame: Uint8Array, apiKey: number, v: number): Decoded<KafkaResponseBody> {
  const r = responseReader(frame, apiKey, v);
  const b: KafkaResponseBody = { errorCode: 0 };
  const firstError = (code: number): void => { if (b.errorCode === 0 && code !== 0) b.errorCode = code; };
  switch (apiKey) {
    case API.Produce: {
      b.topics = r.array(() => {
        const name = str(r);
        const partitions = r.array(() => {
          const partition = r.int32(); const code = r.int16(); const offset = r.int64();
          if (v >= 2) r.int64();
          if (v >= 5) r.int64();
          if (v >= 8) { r.array(() => { r.int32(); r.string(); r.tags(); }); r.string(); }
          r.tags();
          firstError(code);
          return { partition, ...err(code), offset };
        });
        r.tags();
        return { name, partitions };
      });
      if (v >= 1) b.throttleTimeMs = r.int32();
      break;
    }
    case API.Fetch: {
      if (v >= 1) b.throttleTimeMs = r.int32();
      if (v >= 7) { firstError(r.int16()); r.int32(); }
      let total = 0;
      b.topics = r.array(() => {
        const name = v >= 13 ? r.uuid() : str(r);
        const partitions = r.array(() => {
          const partition = r.int32(); const code = r.int16(); const highWatermark = r.int64();
          if (v >= 4) r.int64();
          if (v >= 5) r.int64();
          if (v >= 4) r.array(() => { r.int64(); r.int64(); r.tags(); });
          if (v >= 11) r.int32();
          const recs = r.bytes();
          r.tags();
          firstError(code);
          const records = recs === null ? 0 : countRecords(recs).records;
          total += records;
          return { partition, ...err(code), highWatermark, records, bytes: recs?.length ?? 0 };
        });
        r.tags();
        return { name, partitions };
      });
      b.records = total;
      break;
    }
    case API.ListOffsets: {
      if (v >= 2) b.throttleTimeMs = r.int32();
      b.topics = r.array(() => {
        const name = str(r);
        const partitions = r.array(() => {
          const partition = r.int32(); const code = r.int16();
          const p: KafkaPartition = { partition, ...err(code) };
          if (v === 0) { const offsets = r.array(() => r.int64()); if (offsets.length > 0) p.offset = offsets[0]; } else {
            p.timestamp = r.int64(); p.offset = r.int64();
            if (v >= 4) r.int32();
          }
          r.tags();
          firstError(code);
          return p;
        });
        r.tags();
        return { name, partitions };
      });
      break;
    }
    case API.Metadata: {
      if (v >= 3) b.throttleTimeMs = r.int32();
      b.brokers = r.array(() => {
        const nodeId = r.int32(); const host = str(r); const port = r.int32();
        const rack = v >= 1 ? r.string() : null;
        r.tags();
        return { nodeId, host, port, rack };
      });
      if (v >= 2) b.clusterId = r.string();
      if (v >= 1) b.controllerId = r.int32();
      b.topics = r.array(() => {
        const code = r.int16(); const name = str(r);
        if (v >= 10) r.uuid();
        if (v >= 1) r.int8();
        const partitions = r.array(() => {
          const pcode = r.int16(); const partition = r.int32(); const leader = r.int32();
          if (v >= 7) r.int32();
          r.array(() => r.int32()); r.array(() => r.int32());
          if (v >= 5) r.array(() => r.int32());
          r.tags();
          return { partition, ...err(pcode), leader };
        });
        if (v >= 8) r.int32();
        r.tags();
        firstError(code);
        return { name, ...err(code), partitions };
      });
      break;
    }
    case API.ApiVersions: {
      b.errorCode = r.int16();
      b.apiVersions = r.array(() => {
        const key = r.int16(); const minVersion = r.int16(); const maxVersion = r.int16();
        r.tags();
        return { apiKey: key, apiName: apiName(key), minVersion, maxVersion };
      });
      if (v >= 1) b.throttleTimeMs = r.int32();
      break;
    }
    case API.FindCoordinator: {
      if (v >= 1) b.throttleTimeMs = r.int32();
      if (v >= 4) {
        const cs = r.array(() => {
          r.string(); const nodeId = r.int32(); const host = str(r); const port = r.int32(); const code = r.int16(); r.string(); r.tags();
          firstError(code);
          return { nodeId, host, port, rack: null };
        });
        if (cs.length > 0) b.coordinator = cs[0];
      } else {
        b.errorCode = r.int16();
        if (v >= 1) r.string();
        b.coordinator = { nodeId: r.int32(), host: str(r), port: r.int32(), rack: null };
      }
      break;
    }
    case API.JoinGroup: case API.SyncGroup: case API.Heartbeat: case API.LeaveGroup: {
      const throttledFrom = apiKey === API.JoinGroup ? 2 : 1;
      if (v >= throttledFrom) b.throttleTimeMs = r.int32();
      b.errorCode = r.int16();
      if (apiKey === API.JoinGroup) { b.generationId = r.int32(); if (v >= 7) r.string(); if (v >= 7) r.string(); else str(r); str(r); b.memberId = str(r); }
      break;
    }
    case API.OffsetCommit: {
      if (v >= 3) b.throttleTimeMs = r.int32();
      b.topics = r.array(() => {
        const name = str(r);
        const partitions = r.array(() => { const partition = r.int32(); const code = r.int16(); r.tags(); firstError(code); return { partition, ...err(code) }; });
        r.tags();
        return { name, partitions };
      });
      break;
    }
    case API.OffsetFetch: {
      if (v >= 3) b.throttleTimeMs = r.int32();
      if (v >= 8) break; // groups array: header only
      b.topics = r.array(() => {
        const name = str(r);
        const partitions = r.array(() => {
          const partition = r.int32(); const offset = r.int64();
          if (v >= 5) r.int32();
          r.string(); const code = r.int16(); r.tags();
          firstError(code);
          return { partition, offset, ...err(code) };
        });
        r.tags();
        return { name, partitions };
      });
      if (v >= 2) firstError(r.int16());
      break;
    }
    default:
      break;
  }
  return { body: b, short: r.short, limited: r.limited };
}
