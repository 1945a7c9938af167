/**
 * The entry model for Kafka: one request with the response carrying the same
 * correlation id. Produce with acks=0 has no response (`response: null`, no
 * flag).
 */
import type { EntryBase, EntryFlag } from '../../entries/types.js';
import type { ConnectionContext } from '../types.js';
import { elapsedMs } from '../../entries/time.js';
import type { KafkaRequestBody, KafkaResponseBody } from './parser.js';

export type { KafkaTopic, KafkaPartition, KafkaBroker, KafkaApiRange } from './parser.js';

export interface KafkaRequest extends KafkaRequestBody {
  apiKey: number;
  /** `Produce`, `Fetch`, …; `Unknown(<key>)` for keys past the table. */
  apiName: string;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Frame size from the size prefix (bytes after it). */
  size: number;
}

export interface KafkaResponse extends KafkaResponseBody {
  correlationId: number;
  size: number;
  /** First non-zero error code in the response (top level, topics, partitions); 0 when none. */
  errorCode: number;
  errorName: string;
}

export interface KafkaEntry extends EntryBase {
  protocol: 'kafka';
  transport: 'tcp';
  /** From the request, or remembered for the response; -1 / `""` when the request was not seen. */
  apiKey: number;
  apiName: string;
  request: KafkaRequest | null;
  response: KafkaResponse | null;
}

export interface SeenRequest { request: KafkaRequest; ts: number; flags: EntryFlag[] }
export interface SeenResponse { response: KafkaResponse; ts: number; flags: EntryFlag[] }

export function buildKafkaEntry(ctx: ConnectionContext, req: SeenRequest | null, res: SeenResponse | null, extra: readonly EntryFlag[] = []): KafkaEntry {
  const flags: EntryFlag[] = [];
  for (const f of [...(req?.flags ?? []), ...(res?.flags ?? []), ...extra]) if (!flags.includes(f)) flags.push(f);
  return {
    id: ctx.nextEntryId(),
    protocol: 'kafka',
    transport: 'tcp',
    timestamp: req?.ts ?? res?.ts ?? 0,
    elapsedTime: req !== null && res !== null ? elapsedMs(req.ts, res.ts) : 0,
    src: ctx.client,
    dst: ctx.server,
    connectionId: ctx.id,
    flags,
    apiKey: req?.request.apiKey ?? -1,
    apiName: req?.request.apiName ?? '',
    request: req?.request ?? null,
    response: res?.response ?? null,
  };
}
