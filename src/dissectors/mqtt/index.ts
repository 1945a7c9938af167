/**
 * MQTT 3.1, 3.1.1 and 5.0: packets (framer.ts) to messages (parser.ts),
 * messages to entries (entry.ts). This file is the binding: a PacketReader
 * per direction; the requests waiting for their acknowledgement, by
 * (requester, reply type, packet id); and the output queue that emits
 * entries in the order their requests were seen.
 *
 * Anomalies counted with ctx.weird():
 *   mqtt_violation          a fixed header broke the grammar (the reader resyncs)
 *   mqtt_resync_dropped     bytes skipped while looking for the next packet
 *   mqtt_malformed          a packet body did not fit its type
 *   mqtt_limit              MAX_PROPERTIES / MAX_TOPICS_PER_PACKET hit
 *   mqtt_payload_limit      a payload was kept only up to maxBodyBytes
 *   mqtt_unsolicited_ack    an acknowledgement with no request waiting
 *   mqtt_pending_limit      MAX_OPEN_EXCHANGES reached: the oldest is emitted unanswered
 *   mqtt_topic_alias_unknown / mqtt_topic_alias_limit   5.0 topic aliases
 */
import type { Entry, EntryFlag } from '../../entries/types.js';
import type { ConnectionContext, StreamDissector, StreamDissectorSpec } from '../types.js';
import { detectMqtt } from './detect.js';
import { addFlag, buildMqttEntry, type MqttExchange } from './entry.js';
import {
  CONNACK, CONNECT, PacketReader, PINGREQ, PINGRESP, PUBACK, PUBCOMP, PUBLISH, PUBREC, PUBREL, SUBACK, SUBSCRIBE, UNSUBACK, UNSUBSCRIBE,
} from './framer.js';
import { parsePacket } from './parser.js';

export type { MqttEntry, MqttMessage, MqttPayload, MqttWill, MqttSubscription, MqttProperties, MqttPropertyValue } from './entry.js';
export { detectMqtt } from './detect.js';

/** Exchanges waiting to be emitted; beyond it the oldest is emitted unanswered. */
export const MAX_OPEN_EXCHANGES = 4096;
/** Topic aliases remembered per direction (5.0). */
export const MAX_TOPIC_ALIASES = 1024;

/** The acknowledgement that answers a request: reply type by request type. */
const REPLY: Record<number, number> = { [CONNECT]: CONNACK, [PUBREL]: PUBCOMP, [SUBSCRIBE]: SUBACK, [UNSUBSCRIBE]: UNSUBACK, [PINGREQ]: PINGRESP };
const IS_REPLY = new Set([CONNACK, PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK, PINGRESP]);

class MqttDissector implements StreamDissector {
  /** Index 1: sent by ctx.client; index 0: by ctx.server. */
  private readonly readers: [PacketReader, PacketReader];
  private readonly waiting = new Map<number, MqttExchange[]>();
  private readonly out: MqttExchange[] = [];
  private readonly aliases: [Map<number, string>, Map<number, string>] = [new Map(), new Map()];
  private version = 0;
  private clientId = '';
  private ts = 0;

  constructor(private readonly ctx: ConnectionContext) {
    const sink = (side: number) => ({
      packet: (type: number, flags: number, body: Uint8Array) => this.packet(side, type, flags, body),
      violation: () => ctx.weird('mqtt_violation'),
      resyncOk: (type: number, flags: number, body: Uint8Array) => this.resyncOk(side, type, flags, body),
    });
    this.readers = [new PacketReader(sink(0), false), new PacketReader(sink(1), true)];
  }

  deliver(data: Uint8Array, isClient: boolean, ts: number): void {
    this.ts = ts;
    const r = this.readers[isClient ? 1 : 0];
    const hunted = r.counters.huntedBytes;
    r.push(data);
    if (r.counters.huntedBytes > hunted) this.ctx.weird('mqtt_resync_dropped');
    this.flush();
  }

  gap(_length: number, isClient: boolean): void {
    const side = isClient ? 1 : 0;
    this.readers[side].gap();
    // Acknowledgements this side owed may have been in the lost bytes.
    for (const [key, list] of this.waiting) if (key >>> 20 !== side) for (const x of list) addFlag(x.flags, 'gap');
  }

  end(): void {}

  close(): void {
    for (const x of this.out) if (!x.ready) this.giveUp(x);
    this.flush();
  }

  private packet(side: number, type: number, flags: number, body: Uint8Array): void {
    const p = parsePacket(type, flags, body, this.version === 0 ? 4 : this.version, this.ctx.options.maxBodyBytes);
    const msg = p.msg;
    const f: EntryFlag[] = [];
    if (p.bad) { this.ctx.weird('mqtt_malformed'); f.push('violation'); this.readers[side].resync(); }
    if (p.limited) this.ctx.weird('mqtt_limit');
    if (p.payloadCut) { this.ctx.weird('mqtt_payload_limit'); f.push('body-truncated'); }
    if (type === CONNECT && side === 1) {
      this.version = msg.protocolLevel ?? 0;
      this.clientId = msg.clientId ?? '';
    }
    if (type === PUBLISH) this.resolveAlias(side, msg);
    const pid = msg.packetId ?? 0;

    if (IS_REPLY.has(type)) {
      const key = (1 - side) * 2 ** 20 + type * 65536 + pid;
      const list = this.waiting.get(key);
      const x = list?.shift();
      if (list !== undefined && list.length === 0) this.waiting.delete(key);
      if (x !== undefined) {
        x.response = msg;
        x.endTs = this.ts;
        x.ready = true;
        for (const g of f) addFlag(x.flags, g);
        return;
      }
      this.ctx.weird('mqtt_unsolicited_ack');
      f.push('no-request');
      this.push({ fromClient: side === 0, ts: this.ts, endTs: this.ts, request: null, response: msg, flags: f, ready: true });
      return;
    }
    const x: MqttExchange = { fromClient: side === 1, ts: this.ts, endTs: this.ts, request: msg, response: null, flags: f, ready: true };
    const reply = type === PUBLISH ? (msg.qos === 1 ? PUBACK : msg.qos === 2 ? PUBREC : 0) : REPLY[type] ?? 0;
    if (reply !== 0) {
      x.ready = false;
      const key = side * 2 ** 20 + reply * 65536 + pid;
      const w = this.waiting.get(key);
      if (w === undefined) this.waiting.set(key, [x]); else w.push(x);
    }
    this.push(x);
  }

  /** A packet the reader may resynchronise on (see PacketSink.resyncOk). */
  private resyncOk(side: number, type: number, flags: number, body: Uint8Array): boolean {
    const p = parsePacket(type, flags, body, this.version === 0 ? 4 : this.version, 0);
    if (p.bad) return false;
    const m = p.msg;
    if (IS_REPLY.has(type)) return this.waiting.has((1 - side) * 2 ** 20 + type * 65536 + (m.packetId ?? 0));
    if (type === PUBLISH) return topicOk(m.topic ?? '');
    if (type === SUBSCRIBE) return (m.subscriptions ?? []).length > 0 && m.subscriptions!.every((s) => topicOk(s.topic, true));
    if (type === UNSUBSCRIBE) return (m.topics ?? []).length > 0 && m.topics!.every((t) => topicOk(t, true));
    if (type === CONNECT || type === PUBREL || type === PINGREQ) return true;
    return this.version === 5; // DISCONNECT, AUTH from either side
  }

  /** 5.0 topic aliases: remember topic by alias, fill an empty topic from it. */
  private resolveAlias(side: number, msg: { topic?: string; properties?: Record<string, unknown> }): void {
    const alias = msg.properties?.topicAlias;
    if (typeof alias !== 'number') return;
    const map = this.aliases[side];
    if (msg.topic !== undefined && msg.topic !== '') {
      if (map.size < MAX_TOPIC_ALIASES || map.has(alias)) map.set(alias, msg.topic); else this.ctx.weird('mqtt_topic_alias_limit');
      return;
    }
    const t = map.get(alias);
    if (t === undefined) this.ctx.weird('mqtt_topic_alias_unknown'); else msg.topic = t;
  }

  private push(x: MqttExchange): void {
    this.out.push(x);
    if (this.out.length > MAX_OPEN_EXCHANGES) {
      this.ctx.weird('mqtt_pending_limit');
      const head = this.out.find((o) => !o.ready);
      if (head !== undefined) this.giveUp(head);
    }
  }

  private giveUp(x: MqttExchange): void {
    for (const [key, list] of this.waiting) {
      const i = list.indexOf(x);
      if (i >= 0) { list.splice(i, 1); if (list.length === 0) this.waiting.delete(key); }
    }
    addFlag(x.flags, 'no-response');
    x.ready = true;
  }

  private flush(): void {
    let n = 0;
    while (n < this.out.length && this.out[n].ready) {
      this.ctx.emit(buildMqttEntry(this.ctx, this.out[n], this.version, this.clientId));
      n++;
    }
    if (n > 0) this.out.splice(0, n);
  }
}

/** A topic name (or filter) that looks like one: printable, no NUL, wildcards only in filters. */
function topicOk(t: string, filter = false): boolean {
  if (t.length === 0 || t.length > 1024) return false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0xfffd || (!filter && (c === 0x2b || c === 0x23))) return false;
  }
  return true;
}

export const mqttSpec: StreamDissectorSpec = {
  name: 'mqtt',
  transport: 'tcp',
  ports: [1883],
  detect: detectMqtt,
  create: (ctx) => new MqttDissector(ctx),
};
