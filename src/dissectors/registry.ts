/**
 * The one place where dissectors are registered. Order is the tie-break for
 * detection when no port hint applies; ports only move a spec to the front.
 */
import type { DatagramDissectorSpec, DissectorSpec, StreamDissectorSpec } from './types.js';
import { http1Spec } from './http1/index.js';
import { dnsTcpSpec, dnsUdpSpec } from './dns/index.js';
import { mysqlSpec } from './mysql/index.js';
import { amqpSpec } from './amqp/index.js';
import { mqttSpec } from './mqtt/index.js';
import { http2Spec } from './http2/index.js';
import { redisSpec } from './redis/index.js';
import { postgresSpec } from './postgres/index.js';
import { tlsSpec } from './tls/index.js';
import { websocketSpec } from './websocket/index.js';
import { kafkaSpec } from './kafka/index.js';
import { mongodbSpec } from './mongodb/index.js';

// HTTP/2 before HTTP/1: HTTP/1's detect() would take the h2c preface "PRI * HTTP/2.0" for a request.
export const DISSECTORS: readonly DissectorSpec[] = [http2Spec, http1Spec, dnsTcpSpec, dnsUdpSpec, redisSpec, postgresSpec, mysqlSpec, amqpSpec, mqttSpec, tlsSpec, websocketSpec, kafkaSpec, mongodbSpec];

export class DissectorRegistry {
  readonly tcp: readonly StreamDissectorSpec[];
  readonly udp: readonly DatagramDissectorSpec[];
  /** Per transport: port → bit i set when spec i names the port (ports no spec names are absent). */
  private readonly portBits: { tcp: Map<number, number>; udp: Map<number, number> };
  /** Per transport: detection order by the union of both ports' bits (few distinct values, so cached whole). */
  private readonly byBits: { tcp: Map<number, readonly StreamDissectorSpec[]>; udp: Map<number, readonly DatagramDissectorSpec[]> } = { tcp: new Map(), udp: new Map() };

  constructor(specs: readonly DissectorSpec[] = DISSECTORS, enabled?: readonly string[]) {
    const on = (s: DissectorSpec): boolean => enabled === undefined || enabled.includes(s.name);
    this.tcp = specs.filter((s): s is StreamDissectorSpec => s.transport === 'tcp' && on(s));
    this.udp = specs.filter((s): s is DatagramDissectorSpec => s.transport === 'udp' && on(s));
    const bits = (list: readonly DissectorSpec[]): Map<number, number> => {
      const m = new Map<number, number>();
      list.forEach((spec, i) => { for (const port of spec.ports) m.set(port, (m.get(port) ?? 0) | (1 << i)); });
      return m;
    };
    if (this.tcp.length > 30 || this.udp.length > 30) throw new RangeError('more than 30 dissectors of one transport: widen the port bit sets');
    this.portBits = { tcp: bits(this.tcp), udp: bits(this.udp) };
  }

  /** Names of all registered protocols. */
  static names(specs: readonly DissectorSpec[] = DISSECTORS): string[] {
    return [...new Set(specs.map((s) => s.name))];
  }

  /**
   * Specs of one transport in detection order for a flow between two ports:
   * those that name either port first, then the rest in registration order.
   * Called once per new connection, so it allocates nothing: the order
   * depends only on which specs name either port, and each such set's order
   * is cached (ephemeral ports name no spec).
   */
  ordered<T extends DissectorSpec>(specs: readonly T[], portA: number, portB: number): readonly T[] {
    const t = specs === (this.tcp as readonly DissectorSpec[]) ? 'tcp' : 'udp';
    const bits = (this.portBits[t].get(portA) ?? 0) | (this.portBits[t].get(portB) ?? 0);
    const cache = this.byBits[t] as Map<number, readonly DissectorSpec[]>;
    let list = cache.get(bits);
    if (list === undefined) {
      const hinted: DissectorSpec[] = [];
      const rest: DissectorSpec[] = [];
      specs.forEach((s, i) => ((bits & (1 << i)) !== 0 ? hinted : rest).push(s));
      list = [...hinted, ...rest];
      cache.set(bits, list);
    }
    return list as readonly T[];
  }

  /** Does any spec of this transport name `port` as its own? */
  isKnownPort(transport: 'tcp' | 'udp', port: number): boolean {
    const list: readonly DissectorSpec[] = transport === 'tcp' ? this.tcp : this.udp;
    return list.some((s) => s.ports.includes(port));
  }
}
