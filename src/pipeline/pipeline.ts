/**
 * The packet-to-entry pipeline: link → IP (with fragment reassembly) →
 * TCP reassembly / UDP flows → dissectors → entries; ICMP/ICMPv6 echo
 * pairs and errors → entries (dissectors/icmp).
 *
 * Contract: `packet()` is called synchronously for every captured record, in
 * capture order; entries come out through `onEntry` synchronously as
 * dissectors finish them; `finish()` closes every open connection and flow
 * (their pending exchanges become entries) and must be called once at the end.
 * The pipeline never throws on packet content: malformed packets are counted.
 */
import type { PacketRecord, PacketSink } from '../capture/types.js';
import type { Entry } from '../entries/types.js';
import type { PipelineOptions, PipelineStats } from './types.js';
import { decodeLink, type LinkResult } from '../layers/link.js';
import { IpPacket, IpProto, decodeIpv4, decodeIpv6, walkIpv6Extensions } from '../layers/ip.js';
import { FragmentReassembler, type FragmentStats } from '../layers/fragments.js';
import { DissectorRegistry } from '../dissectors/registry.js';
import { TcpLayer } from '../tcp/tcp-layer.js';
import type { TcpConnection } from '../tcp/connection.js';
import { UdpLayer } from '../udp/udp-layer.js';
import { DEFAULT_PIPELINE_OPTIONS, emptyStats } from './stats.js';
import { IcmpLayer } from '../dissectors/icmp/icmp-layer.js';

/** How often (capture time, ms) idle connections, flows and fragments are swept. */
export const SWEEP_INTERVAL_MS = 1000;

export class Pipeline implements PacketSink {
  readonly stats: PipelineStats = emptyStats();
  readonly options: PipelineOptions;
  readonly registry: DissectorRegistry;
  private readonly link: LinkResult = { offset: 0, ipVersion: 0 };
  private readonly ip = new IpPacket();
  private readonly frags: FragmentReassembler;
  private readonly fragStats: FragmentStats;
  private readonly tcp: TcpLayer;
  private readonly udp: UdpLayer;
  /** ICMP/ICMPv6 echo pairs and errors as entries (dissectors/icmp). */
  private readonly icmp: IcmpLayer;
  private nextSweep = -Infinity;
  private lastTs = 0;

  constructor(private readonly onEntry: (e: Entry) => void, options: Partial<PipelineOptions> = {}, registry?: DissectorRegistry) {
    this.options = { ...DEFAULT_PIPELINE_OPTIONS, ...options };
    this.registry = registry ?? new DissectorRegistry();
    const stats = this.stats;
    this.fragStats = { fragments: 0, reassembled: 0, dropped: 0, overlapBytes: 0, limitsHit: stats.limitsHit };
    this.frags = new FragmentReassembler(this.fragStats, this.options.maxFragmentDatagrams, this.options.maxFragmentBytesTotal);
    const host = {
      options: this.options,
      registry: this.registry,
      emit: (e: Entry) => this.emit(e),
      weird: (name: string) => { stats.weirds[name] = (stats.weirds[name] ?? 0) + 1; },
      specsFor: (c: TcpConnection) => this.registry.ordered(this.registry.tcp, c.portA, c.portB),
      undetected: () => { stats.undetectedStreams++; },
    };
    this.tcp = new TcpLayer(this.options, stats, host, `${this.options.idPrefix}c`);
    this.udp = new UdpLayer(this.options, stats, host, `${this.options.idPrefix}u`);
    this.icmp = new IcmpLayer({
      timeoutMs: this.options.udpIdleTimeoutMs, // an unanswered echo waits as long as an idle UDP flow
      idPrefix: this.options.idPrefix,
      emit: host.emit,
      weird: host.weird,
      limitHit: (name: string) => { stats.limitsHit[name] = (stats.limitsHit[name] ?? 0) + 1; },
    });
  }

  packet(rec: PacketRecord): void {
    const s = this.stats;
    s.packets++;
    s.bytes += rec.origLength;
    const ts = rec.ts;
    if (ts > this.lastTs) this.lastTs = ts;
    if (ts >= this.nextSweep) this.sweep(ts);
    const l = decodeLink(rec.data, rec.linkType, this.link);
    if (l.ipVersion === -1) {
      const k = String(rec.linkType);
      s.unknownLinkType[k] = (s.unknownLinkType[k] ?? 0) + 1;
      return;
    }
    if (l.offset < 0) { s.decodeErrors++; return; }
    if (l.ipVersion === 0) return; // ARP, LLDP and other non-IP frames
    const p = this.ip;
    if (l.ipVersion === 4) {
      if (!decodeIpv4(rec.data, l.offset, p)) { s.decodeErrors++; return; }
      s.ipv4++;
    } else {
      if (!decodeIpv6(rec.data, l.offset, p)) { s.decodeErrors++; return; }
      s.ipv6++;
    }
    // Bytes of the upper layer on the wire: the snap length may have cut some.
    const wireL4Len = p.l4Len + Math.max(0, rec.origLength - rec.data.length);
    if (p.isFragment) { this.fragment(p, ts); return; }
    this.transport(p, p.truncated ? wireL4Len : p.l4Len, ts);
  }

  private fragment(p: IpPacket, ts: number): void {
    const s = this.stats;
    s.fragments++;
    const overlap = this.fragStats.overlapBytes;
    const r = this.frags.add(p.version, p.addrBuf, p.srcOff, p.dstOff, p.addrLen, p.fragId, p.protocol, p.fragOffset,
      p.moreFragments, p.l4Buf.subarray(p.l4Off, p.l4Off + p.l4Len), ts);
    s.fragmentsReassembled = this.fragStats.reassembled;
    s.fragmentsDropped = this.fragStats.dropped;
    if (this.fragStats.overlapBytes > overlap) s.weirds.fragment_overlap = (s.weirds.fragment_overlap ?? 0) + 1; // first copy won (fragments.ts)
    if (r === null) return;
    p.addrBuf = r.addresses;
    p.srcOff = 0;
    p.dstOff = r.addrLen;
    p.addrLen = r.addrLen;
    p.isFragment = false;
    if (p.version === 6) {
      if (!walkIpv6Extensions(r.payload, 0, r.payload.length, r.protocol, p)) { s.decodeErrors++; return; }
      p.l4Buf = r.payload;
    } else {
      p.protocol = r.protocol;
      p.l4Buf = r.payload;
      p.l4Off = 0;
      p.l4Len = r.payload.length;
    }
    this.transport(p, p.l4Len, ts);
  }

  private transport(p: IpPacket, wireL4Len: number, ts: number): void {
    switch (p.protocol) {
      case IpProto.TCP: this.tcp.segment(p, wireL4Len, ts); return;
      case IpProto.UDP: this.udp.datagram(p, ts); return;
      case IpProto.ICMP: this.stats.icmp++; this.icmp.packet(p, wireL4Len, ts); return;
      case IpProto.ICMPV6: this.stats.icmpv6++; this.icmp.packet(p, wireL4Len, ts); return;
      default: this.stats.otherIp++;
    }
  }

  private emit(e: Entry): void {
    const s = this.stats;
    s.entries++;
    s.entriesByProtocol[e.protocol] = (s.entriesByProtocol[e.protocol] ?? 0) + 1;
    this.onEntry(e);
  }

  private sweep(ts: number): void {
    this.nextSweep = ts + SWEEP_INTERVAL_MS;
    this.tcp.expire(ts);
    this.udp.expire(ts);
    this.icmp.expire(ts);
    this.frags.expire(ts);
  }

  /**
   * Live capture: move the clock when no packet arrives, so idle connections
   * and flows still time out and their pending exchanges come out.
   */
  advance(ts: number): void {
    if (ts > this.lastTs) this.lastTs = ts;
    if (ts >= this.nextSweep) this.sweep(ts);
  }

  /** Bytes held in pipeline buffers: out-of-order TCP segments and incomplete IP datagrams (overheads included). */
  get bufferedBytes(): number {
    return this.tcp.bufferedBytes + this.frags.heldBytes;
  }

  /** Connections tracked now. */
  get openConnections(): number {
    return this.tcp.table.size;
  }

  /**
   * Memory pressure (memory-guard.ts): give up buffered state, oldest first.
   * Stage 1 drops every incomplete IP datagram and delivers out-of-order TCP
   * bytes (holes become gaps) until `bytes` are freed; stage 2, when
   * `closeFraction` > 0, also closes that share of the connections quiet
   * the longest (their pending exchanges become entries). Counted as the limit
   * `memoryCap` (one per call).
   */
  shed(bytes: number, closeFraction = 0): { freedBytes: number; closedConnections: number } {
    const s = this.stats;
    s.limitsHit.memoryCap = (s.limitsHit.memoryCap ?? 0) + 1;
    let freedBytes = this.frags.shed();
    s.fragmentsDropped = this.fragStats.dropped;
    if (freedBytes < bytes) freedBytes += this.tcp.shedBuffered(bytes - freedBytes);
    const closedConnections = closeFraction > 0 ? this.tcp.closeIdlest(Math.ceil(this.tcp.table.size * closeFraction), this.lastTs) : 0;
    return { freedBytes, closedConnections };
  }

  /** End of input: flush every connection and flow. */
  finish(): PipelineStats {
    this.tcp.closeAll(this.lastTs);
    this.udp.closeAll(this.lastTs);
    this.icmp.closeAll();
    return this.stats;
  }
}
