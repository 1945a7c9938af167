/**
 * Redaction of exported packets (`GET /api/export.pcapng`): the secrets the
 * entry redactor masks before storage (`../redact.ts`) are masked in the
 * packets too, plus the credentials of the binary protocols that entries
 * never carry. Records are changed in place; lengths never change, so the
 * capture keeps its framing, sequence numbers and (updated) checksums.
 *
 * Steps: rebuild the TCP streams (`streams.ts`), let every scanner mark
 * what to mask (`text.ts`, `binary.ts`, `http2.ts`), copy the marks back
 * into the packets.
 */
import type { Redactor } from '../redact.js';
import { maskAmqp, maskMongo, maskMqtt, maskMysql, maskPostgres, maskRedis } from './binary.js';
import { maskHttp2 } from './http2.js';
import { applyMasks, buildStreams, type PacketRecord } from './streams.js';
import { maskText } from './text.js';

export interface PacketRedaction {
  /** Values masked (a header, a parameter, a password…). */
  values: number;
  /** Packets whose bytes changed. */
  packets: number;
}

export function redactPackets(records: readonly PacketRecord[], r: Redactor): PacketRedaction {
  if (!r.options.enabled) return { values: 0, packets: 0 };
  const streams = buildStreams(records);
  let values = 0;
  for (const c of streams.connections) {
    values += maskHttp2(c, r) + maskPostgres(c) + maskMysql(c) + maskAmqp(c) + maskMqtt(c);
    for (const s of [c.a, c.b]) values += maskText(s, r) + maskRedis(s) + maskMongo(s);
  }
  return { values, packets: applyMasks(streams) };
}
