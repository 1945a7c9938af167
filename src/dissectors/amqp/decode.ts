/**
 * Frame payloads to values: method arguments by the table in methods.ts,
 * and content header properties (spec §4.2.6, basic class properties).
 * Strings and tables are decoded (copied) here; nothing keeps a view.
 */
import { methodSpec, methodName, type MethodSpec } from './methods.js';
import { WireCursor, type AmqpValue } from './wire.js';

export interface DecodedMethod {
  classId: number;
  methodId: number;
  name: string;
  spec: MethodSpec | undefined;
  arguments: Record<string, AmqpValue>;
  /** The payload ended inside an argument. */
  short: boolean;
  /** A table hit MAX_TABLE_DEPTH / MAX_TABLE_ENTRIES. */
  limited: boolean;
  /** A table held an unknown value type. */
  badType: boolean;
}

export function decodeMethod(payload: Uint8Array): DecodedMethod {
  const c = new WireCursor(payload);
  const classId = c.u16();
  const methodId = c.u16();
  const spec = methodSpec(classId, methodId);
  const out: Record<string, AmqpValue> = {};
  let bitOctet = 0;
  let bitIndex = 8;
  for (const a of spec?.args ?? []) {
    let v: AmqpValue;
    if (a.type === 'b') {
      if (bitIndex === 8) { bitOctet = c.u8(); bitIndex = 0; }
      v = (bitOctet & (1 << bitIndex++)) !== 0;
    } else {
      bitIndex = 8;
      switch (a.type) {
        case 'o': v = c.u8(); break;
        case 's': v = c.u16(); break;
        case 'l': v = c.u32(); break;
        case 'L': v = c.u64(); break;
        case 'S': v = c.shortstr(); break;
        case 'X': v = c.longstr(); break;
        case 'T': v = c.table(); break;
        case 'P': v = `<${c.bytes(c.u32()).length} bytes>`; break; // secrets (SASL responses) are never shown
      }
    }
    if (a.name !== null) out[a.name] = v;
  }
  return { classId, methodId, name: spec?.name ?? methodName(classId, methodId), spec, arguments: out, short: c.short, limited: c.limited, badType: c.badType };
}

/** Basic-class content properties, by their names in amqplib/RabbitMQ docs (camelCase). */
export interface AmqpProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: Record<string, AmqpValue>;
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  expiration?: string;
  messageId?: string;
  /** Seconds since the epoch, as sent. */
  timestamp?: number;
  type?: string;
  userId?: string;
  appId?: string;
  clusterId?: string;
}

export interface DecodedHeader {
  classId: number;
  bodySize: number;
  properties: AmqpProperties;
  short: boolean;
  limited: boolean;
  badType: boolean;
}

export function decodeContentHeader(payload: Uint8Array): DecodedHeader {
  const c = new WireCursor(payload);
  const classId = c.u16();
  c.u16(); // weight, always 0
  const bodySize = c.u64();
  const flags = c.u16();
  // Further flag words follow while bit 0 is set; basic uses only the first.
  for (let extra = flags; (extra & 1) !== 0 && !c.short;) extra = c.u16();
  const p: AmqpProperties = {};
  const has = (bit: number): boolean => (flags & (1 << bit)) !== 0;
  if (has(15)) p.contentType = c.shortstr();
  if (has(14)) p.contentEncoding = c.shortstr();
  if (has(13)) p.headers = c.table();
  if (has(12)) p.deliveryMode = c.u8();
  if (has(11)) p.priority = c.u8();
  if (has(10)) p.correlationId = c.shortstr();
  if (has(9)) p.replyTo = c.shortstr();
  if (has(8)) p.expiration = c.shortstr();
  if (has(7)) p.messageId = c.shortstr();
  if (has(6)) p.timestamp = c.u64();
  if (has(5)) p.type = c.shortstr();
  if (has(4)) p.userId = c.shortstr();
  if (has(3)) p.appId = c.shortstr();
  if (has(2)) p.clusterId = c.shortstr();
  return { classId, bodySize, properties: p, short: c.short, limited: c.limited, badType: c.badType };
}
