/**
 * The UDP layer: groups datagrams into flows by 5-tuple and hands them to the
 * datagram dissector that detected the flow. The client is the first sender,
 * unless only the other port is one a dissector names (a reply seen first).
 */
import type { DatagramDissector, DatagramDissectorSpec, DissectorOptions } from '../dissectors/types.js';
import type { Entry } from '../entries/types.js';
import type { IpPacket } from '../layers/ip.js';
import type { DissectorRegistry } from '../dissectors/registry.js';
import { Flow, FlowTable, flowHash, type Dir } from '../flows/flow-table.js';

/** Datagrams of a flow that no dissector matched before the flow is ignored. */
export const UDP_DETECT_ATTEMPTS = 4;

export interface UdpHost {
  readonly options: DissectorOptions;
  readonly registry: DissectorRegistry;
  emit(entry: Entry): void;
  weird(name: string): void;
}

export interface UdpLayerStats {
  udp: number;
  udpFlows: number;
  decodeErrors: number;
  undetectedStreams: number;
  limitsHit: Record<string, number>;
}

class UdpFlow extends Flow {
  clientDir: Dir = 0;
  dissector: DatagramDissector | null = null;
  misses = 0;
  constructor(hash: number, p: IpPacket, a: number, b: number, ts: number, readonly id: string) { super(hash, p, a, b, ts); }
}

export class UdpLayer {
  readonly table = new FlowTable<UdpFlow>();
  private nextId = 0;
  constructor(private readonly limits: { udpIdleTimeoutMs: number; maxConnections: number },
              private readonly stats: UdpLayerStats, private readonly host: UdpHost, private readonly idPrefix = 'u') {}

  datagram(p: IpPacket, ts: number): void {
    const d = p.l4Buf;
    const o = p.l4Off;
    this.stats.udp++;
    if (p.l4Len < 8) { this.stats.decodeErrors++; return; }
    const sport = (d[o] << 8) | d[o + 1];
    const dport = (d[o + 2] << 8) | d[o + 3];
    const ulen = (d[o + 4] << 8) | d[o + 5];
    // The UDP length bounds the payload (Ethernet padding follows short datagrams); 0 is jumbo/offload.
    const end = ulen >= 8 && ulen <= p.l4Len ? o + ulen : o + p.l4Len;
    const hash = flowHash(p, sport, dport);
    let flow = this.table.find(hash, p, sport, dport);
    let dir: Dir = this.table.lastDir;
    if (flow === null) {
      flow = this.open(hash, p, sport, dport, ts);
      dir = 0;
    }
    flow.lastSeen = ts;
    const payload = d.subarray(o + 8, end);
    if (flow.dissector === null) {
      if (flow.misses >= UDP_DETECT_ATTEMPTS) return;
      const spec = this.detect(flow, dir, payload);
      if (spec === null) {
        if (++flow.misses === UDP_DETECT_ATTEMPTS) this.stats.undetectedStreams++;
        return;
      }
      this.bind(flow, spec);
    }
    flow.dissector!.datagram(payload, dir === flow.clientDir, ts);
  }

  private detect(flow: UdpFlow, dir: Dir, payload: Uint8Array): DatagramDissectorSpec | null {
    const reg = this.host.registry;
    for (const spec of reg.ordered(reg.udp, flow.portA, flow.portB)) {
      if (spec.detect(payload, dir === flow.clientDir) === 'match') return spec;
      if (spec.detect(payload, dir !== flow.clientDir) === 'match') { flow.clientDir = dir === 0 ? 1 : 0; return spec; }
    }
    return null;
  }

  private bind(flow: UdpFlow, spec: DatagramDissectorSpec): void {
    flow.dissector = spec.create(flow.context(flow.id, 'udp', flow.clientDir, this.host));
  }

  private open(hash: number, p: IpPacket, sport: number, dport: number, ts: number): UdpFlow {
    if (this.table.size >= this.limits.maxConnections) {
      const oldest = this.table.oldest();
      if (oldest !== undefined) {
        this.stats.limitsHit.maxUdpFlows = (this.stats.limitsHit.maxUdpFlows ?? 0) + 1;
        this.close(oldest, ts);
      }
    }
    const flow = new UdpFlow(hash, p, sport, dport, ts, `${this.idPrefix}${++this.nextId}`);
    // A reply seen first: the side on a well-known port is the server.
    const reg = this.host.registry;
    if (reg.isKnownPort('udp', sport) && !reg.isKnownPort('udp', dport)) flow.clientDir = 1;
    this.table.add(flow);
    this.stats.udpFlows++;
    return flow;
  }

  close(flow: UdpFlow, ts: number): void {
    this.table.remove(flow);
    flow.dissector?.close(ts);
    flow.dissector = null;
  }

  expire(now: number): void {
    for (const flow of this.table.all) {
      if (now - flow.lastSeen > this.limits.udpIdleTimeoutMs) this.close(flow, now);
    }
  }

  closeAll(ts: number): void {
    for (const flow of [...this.table.all]) this.close(flow, ts);
  }
}
