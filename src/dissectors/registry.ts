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
  private readonly portHints = new Map<string, number[]>();

  constructor(specs: readonly DissectorSpec[] = DISSECTORS, enabled?: readonly string[]) {
    const on = (s: DissectorSpec): boolean => enabled === undefined || enabled.includes(s.name);
    this.tcp = specs.filter((s): s is StreamDissectorSpec => s.transport === 'tcp' && on(s));
    this.udp = specs.filter((s): s is DatagramDissectorSpec => s.transport === 'udp' && on(s));
  }

  /** Names of all registered protocols. */
  static names(specs: readonly DissectorSpec[] = DISSECTORS): string[] {
    return [...new Set(specs.map((s) => s.name))];
  }

  /**
   * Specs of one transport in detection order for a flow between two ports:
   * those that name either port first, then the rest in registration order.
   * Returned arrays are cached per port pair.
   */
  ordered<T extends DissectorSpec>(specs: readonly T[], portA: number, portB: number): readonly T[] {
    const key = `${specs === (this.tcp as readonly DissectorSpec[]) ? 't' : 'u'}${Math.min(portA, portB)}:${Math.max(portA, portB)}`;
    let idx = this.portHints.get(key);
    if (idx === undefined) {
      const hinted: number[] = [];
      const rest: number[] = [];
      specs.forEach((s, i) => (s.ports.includes(portA) || s.ports.includes(portB) ? hinted : rest).push(i));
      idx = [...hinted, ...rest];
      if (this.portHints.size < 65536) this.portHints.set(key, idx);
    }
    return idx.map((i) => specs[i]);
  }

  /** Does any spec of this transport name `port` as its own? */
  isKnownPort(transport: 'tcp' | 'udp', port: number): boolean {
    const list: readonly DissectorSpec[] = transport === 'tcp' ? this.tcp : this.udp;
    return list.some((s) => s.ports.includes(port));
  }
}
