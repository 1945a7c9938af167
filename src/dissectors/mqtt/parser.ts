/**
 * One MQTT control packet (after the fixed header) to an MqttMessage, for
 * protocol level 3/4 (3.1, 3.1.1) or 5 (5.0, with properties and reason
 * codes). Never throws: `bad` says the body did not fit its type.
 */
import { MqttCursor } from './cursor.js';
import type { MqttMessage, MqttSubscription } from './entry.js';
import { toPayload } from './entry.js';
import {
  AUTH, CONNACK, CONNECT, DISCONNECT, PACKET_NAMES, PUBACK, PUBCOMP, PUBLISH, PUBREC, PUBREL, SUBACK, SUBSCRIBE, UNSUBACK, UNSUBSCRIBE,
} from './framer.js';
import { readProperties } from './properties.js';

/** Most topics decoded per SUBSCRIBE / UNSUBSCRIBE / SUBACK. */
export const MAX_TOPICS_PER_PACKET = 256;

export interface ParsedPacket {
  msg: MqttMessage;
  bad: boolean;
  /** A table limit (properties, topics) was hit. */
  limited: boolean;
  /** The payload was kept only up to maxBodyBytes. */
  payloadCut: boolean;
}

export function parsePacket(type: number, flags: number, body: Uint8Array, version: number, maxPayload: number): ParsedPacket {
  const c = new MqttCursor(body);
  const msg: MqttMessage = { method: PACKET_NAMES[type] };
  let bad = false;
  let limited = false;
  let payloadCut = false;
  const v5 = version === 5;
  const props = (): void => {
    const p = readProperties(c);
    bad ||= p.bad;
    limited ||= p.limited;
    if (Object.keys(p.props).length > 0) msg.properties = p.props;
  };
  switch (type) {
    case CONNECT: {
      msg.protocolName = c.str();
      msg.protocolLevel = c.u8();
      const f = c.u8();
      msg.cleanSession = (f & 0x02) !== 0;
      msg.keepAlive = c.u16();
      const v5c = msg.protocolLevel === 5;
      if (v5c) props();
      msg.clientId = c.str();
      if (f & 0x04) {
        const willProps = v5c ? readProperties(c) : null;
        const topic = c.str();
        const payload = toPayload(c.binary(), maxPayload);
        msg.will = { topic, qos: (f >> 3) & 3, retain: (f & 0x20) !== 0, payload };
        if (willProps !== null && Object.keys(willProps.props).length > 0) msg.will.properties = willProps.props;
      }
      if (f & 0x80) msg.username = c.str();
      if (f & 0x40) msg.passwordSize = c.binary().length; // the password is never kept
      bad ||= (f & 1) !== 0;
      break;
    }
    case CONNACK:
      msg.sessionPresent = (c.u8() & 1) !== 0;
      msg.reasonCode = c.u8();
      if (v5 && c.left > 0) props();
      break;
    case PUBLISH: {
      msg.topic = c.str();
      msg.qos = (flags >> 1) & 3;
      msg.retain = (flags & 1) !== 0;
      msg.dup = (flags & 8) !== 0;
      if (msg.qos > 0) msg.packetId = c.u16();
      if (v5) props();
      const payload = c.short ? new Uint8Array(0) : body.subarray(c.pos);
      msg.payload = toPayload(payload, maxPayload);
      payloadCut = msg.payload.truncated;
      c.pos = c.end;
      break;
    }
    case PUBACK: case PUBREC: case PUBREL: case PUBCOMP:
      msg.packetId = c.u16();
      if (v5 && c.left > 0) msg.reasonCode = c.u8();
      if (v5 && c.left > 0) props();
      break;
    case SUBSCRIBE: case UNSUBSCRIBE: {
      msg.packetId = c.u16();
      if (v5) props();
      const subs: MqttSubscription[] = [];
      const topics: string[] = [];
      while (c.left > 0 && !c.short) {
        const topic = c.str();
        if (type === SUBSCRIBE) {
          const o = c.u8();
          const s: MqttSubscription = { topic, qos: o & 3 };
          if (v5) { s.noLocal = (o & 4) !== 0; s.retainAsPublished = (o & 8) !== 0; s.retainHandling = (o >> 4) & 3; }
          if (subs.length < MAX_TOPICS_PER_PACKET) subs.push(s); else limited = true;
        } else if (topics.length < MAX_TOPICS_PER_PACKET) topics.push(topic); else limited = true;
      }
      if (type === SUBSCRIBE) msg.subscriptions = subs; else msg.topics = topics;
      break;
    }
    case SUBACK: case UNSUBACK: {
      msg.packetId = c.u16();
      if (v5) props();
      if (type === SUBACK || v5) {
        const codes: number[] = [];
        while (c.left > 0) { const v = c.u8(); if (codes.length < MAX_TOPICS_PER_PACKET) codes.push(v); else limited = true; }
        msg.reasonCodes = codes;
      }
      break;
    }
    case DISCONNECT: case AUTH:
      if (v5 && c.left > 0) msg.reasonCode = c.u8();
      if (v5 && c.left > 0) props();
      break;
    default: // PINGREQ, PINGRESP: no body
      break;
  }
  if (c.short || c.left > 0) bad = true;
  return { msg, bad, limited, payloadCut };
}
