/**
 * MQTT entries: a control packet and the packet that answers it.
 * CONNECT → CONNACK, PUBLISH QoS 1 → PUBACK, PUBLISH QoS 2 → PUBREC,
 * PUBREL → PUBCOMP, SUBSCRIBE → SUBACK, UNSUBSCRIBE → UNSUBACK,
 * PINGREQ → PINGRESP. A QoS 0 PUBLISH, DISCONNECT and AUTH are entries
 * without a response. `src` is the side that sent the request: the broker
 * for a PUBLISH it forwards to a subscriber.
 */
import type { EntryBase, EntryFlag } from '../../entries/types.js';
import { elapsedMs } from '../../entries/time.js';
import type { ConnectionContext } from '../types.js';
import type { MqttProperties } from './properties.js';

export type { MqttProperties, MqttPropertyValue } from './properties.js';

export interface MqttPayload {
  /** Payload size on the wire (the true size even when truncated). */
  size: number;
  /** Kept bytes as UTF-8 text, or base64 when they are not valid UTF-8. */
  content: string;
  encoding: 'text' | 'base64';
  truncated: boolean;
}

export interface MqttWill {
  topic: string;
  qos: number;
  retain: boolean;
  payload: MqttPayload;
  properties?: MqttProperties;
}

export interface MqttSubscription {
  topic: string;
  /** Requested maximum QoS. */
  qos: number;
  /** 5.0 subscription options. */
  noLocal?: boolean;
  retainAsPublished?: boolean;
  retainHandling?: number;
}

export interface MqttMessage {
  /** Packet type name: "CONNECT", "PUBLISH", "SUBACK", ... */
  method: string;
  packetId?: number;
  // CONNECT
  protocolName?: string;
  protocolLevel?: number;
  clientId?: string;
  username?: string;
  /** Bytes of the password (the password itself is never kept). */
  passwordSize?: number;
  cleanSession?: boolean;
  keepAlive?: number;
  will?: MqttWill;
  // CONNACK
  sessionPresent?: boolean;
  /** CONNACK return code (3.1.1) or reason code (5.0 CONNACK, PUBACK …, DISCONNECT). */
  reasonCode?: number;
  // PUBLISH
  topic?: string;
  qos?: number;
  retain?: boolean;
  dup?: boolean;
  payload?: MqttPayload;
  // SUBSCRIBE / SUBACK / UNSUBSCRIBE / UNSUBACK
  subscriptions?: MqttSubscription[];
  /** SUBACK return codes (granted QoS or 0x80+), UNSUBACK reason codes (5.0). */
  reasonCodes?: number[];
  topics?: string[];
  /** 5.0 properties. */
  properties?: MqttProperties;
}

export interface MqttEntry extends EntryBase {
  protocol: 'mqtt';
  transport: 'tcp';
  /** Protocol level from CONNECT: 3 (3.1), 4 (3.1.1), 5 (5.0); 0 when CONNECT was not seen. */
  protocolVersion: number;
  /** Client identifier from the connection's CONNECT; "" when not seen. */
  clientId: string;
  request: MqttMessage | null;
  response: MqttMessage | null;
}

export interface MqttExchange {
  fromClient: boolean;
  ts: number;
  endTs: number;
  request: MqttMessage | null;
  response: MqttMessage | null;
  flags: EntryFlag[];
  ready: boolean;
}

export function addFlag(flags: EntryFlag[], flag: EntryFlag): void {
  if (!flags.includes(flag)) flags.push(flag);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Copies what it keeps (at most `max` bytes of `bytes`). */
export function toPayload(bytes: Uint8Array, max: number): MqttPayload {
  const kept = bytes.subarray(0, Math.min(bytes.length, max));
  const truncated = kept.length < bytes.length;
  try {
    return { size: bytes.length, content: utf8.decode(kept), encoding: 'text', truncated };
  } catch {
    return { size: bytes.length, content: Buffer.from(kept).toString('base64'), encoding: 'base64', truncated };
  }
}

export function buildMqttEntry(ctx: ConnectionContext, x: MqttExchange, version: number, clientId: string): MqttEntry {
  return {
    id: ctx.nextEntryId(),
    protocol: 'mqtt',
    transport: 'tcp',
    timestamp: x.ts,
    elapsedTime: x.request !== null && x.response !== null ? elapsedMs(x.ts, x.endTs) : 0,
    src: x.fromClient ? ctx.client : ctx.server,
    dst: x.fromClient ? ctx.server : ctx.client,
    connectionId: ctx.id,
    flags: x.flags,
    protocolVersion: version,
    clientId,
    request: x.request,
    response: x.response,
  };
}
