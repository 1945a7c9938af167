/**
 * MQTT 5.0 properties (§2.2.2): identifier, then a value of the type the
 * identifier fixes. Decoded into a plain object by camelCase name; user
 * properties (0x26) into `userProperties` (a repeated name keeps its values
 * joined with ", "), binary data as base64.
 */
import { MqttCursor } from './cursor.js';

export type MqttPropertyValue = number | string | number[] | Record<string, string>;
export type MqttProperties = Record<string, MqttPropertyValue>;

type Kind = 'byte' | 'u16' | 'u32' | 'varint' | 'str' | 'bin' | 'pair';
const PROPS: Record<number, [string, Kind]> = {
  0x01: ['payloadFormatIndicator', 'byte'], 0x02: ['messageExpiryInterval', 'u32'], 0x03: ['contentType', 'str'],
  0x08: ['responseTopic', 'str'], 0x09: ['correlationData', 'bin'], 0x0b: ['subscriptionIdentifier', 'varint'],
  0x11: ['sessionExpiryInterval', 'u32'], 0x12: ['assignedClientIdentifier', 'str'], 0x13: ['serverKeepAlive', 'u16'],
  0x15: ['authenticationMethod', 'str'], 0x16: ['authenticationData', 'bin'], 0x17: ['requestProblemInformation', 'byte'],
  0x18: ['willDelayInterval', 'u32'], 0x19: ['requestResponseInformation', 'byte'], 0x1a: ['responseInformation', 'str'],
  0x1c: ['serverReference', 'str'], 0x1f: ['reasonString', 'str'], 0x21: ['receiveMaximum', 'u16'],
  0x22: ['topicAliasMaximum', 'u16'], 0x23: ['topicAlias', 'u16'], 0x24: ['maximumQos', 'byte'],
  0x25: ['retainAvailable', 'byte'], 0x26: ['userProperties', 'pair'], 0x27: ['maximumPacketSize', 'u32'],
  0x28: ['wildcardSubscriptionAvailable', 'byte'], 0x29: ['subscriptionIdentifierAvailable', 'byte'], 0x2a: ['sharedSubscriptionAvailable', 'byte'],
};

/** Most properties decoded per packet; the rest are skipped (the caller counts `limited`). */
export const MAX_PROPERTIES = 128;

export interface DecodedProperties { props: MqttProperties; bad: boolean; limited: boolean }

/** Reads the property length and the properties; `c` ends after them. */
export function readProperties(c: MqttCursor): DecodedProperties {
  const len = c.varint();
  const end = Math.min(c.pos + len, c.end);
  const bad0 = c.pos + len > c.end;
  const r = new MqttCursor(c.buf, c.pos, end);
  const props: MqttProperties = {};
  let n = 0;
  let bad = bad0;
  let limited = false;
  while (r.left > 0 && !r.short) {
    const id = r.varint();
    const def = PROPS[id];
    if (def === undefined) { bad = true; break; }
    const [name, kind] = def;
    let v: number | string;
    if (kind === 'pair') {
      const k = r.str();
      const val = r.str();
      if (n++ >= MAX_PROPERTIES) { limited = true; continue; }
      const up = (props.userProperties ??= {}) as Record<string, string>;
      up[k] = k in up ? `${up[k]}, ${val}` : val;
      continue;
    }
    switch (kind) {
      case 'byte': v = r.u8(); break;
      case 'u16': v = r.u16(); break;
      case 'u32': v = r.u32(); break;
      case 'varint': v = r.varint(); break;
      case 'str': v = r.str(); break;
      case 'bin': v = Buffer.from(r.binary()).toString('base64'); break;
    }
    if (n++ >= MAX_PROPERTIES) { limited = true; continue; }
    if (name === 'subscriptionIdentifier') ((props[name] ??= []) as number[]).push(v as number);
    else props[name] = v;
  }
  bad ||= r.short;
  c.pos = end;
  return { props, bad, limited };
}
