/**
 * The loopback capture point of `podtap tap`: every TCP/UDP packet on `lo`
 * except podtap's own ports. The kernel filter says so first; this point
 * checks again and counts what it rejects (untargeted). Loopback has one
 * capture point, and libpcap drops the outgoing copy of each loopback
 * packet, so nothing here can be a duplicate of another point's packet.
 */
import type { PacketRecord, PacketSink } from '../capture/types.js';
import { decodeLink, type LinkResult } from '../layers/link.js';
import { IpPacket, decodeIpv4, decodeIpv6 } from '../layers/ip.js';
import { emptyCaptureCounters } from './capture-point.js';

/** The kernel filter for loopback without podtap's own ports. */
export function loopbackFilter(excludePorts: readonly number[]): string {
  const ports = [...new Set(excludePorts)].filter((p) => Number.isInteger(p) && p > 0 && p < 65_536);
  return ports.length === 0 ? '(tcp or udp)' : `(tcp or udp) and not (${ports.map((p) => `port ${p}`).join(' or ')})`;
}

export class LoopbackPoint implements PacketSink {
  readonly counters = emptyCaptureCounters();
  readonly iface = 'lo';
  private readonly link: LinkResult = { offset: 0, ipVersion: 0 };
  private readonly ip = new IpPacket();
  private readonly excluded: Set<number>;

  constructor(excludePorts: readonly number[], private readonly next: PacketSink) {
    this.excluded = new Set(excludePorts);
  }

  packet(rec: PacketRecord): void {
    const c = this.counters;
    c.captured++;
    const l = decodeLink(rec.data, rec.linkType, this.link);
    const p = this.ip;
    if (l.offset < 0 || (l.ipVersion !== 4 && l.ipVersion !== 6)) { c.untargeted++; return; }
    const ok = l.ipVersion === 4 ? decodeIpv4(rec.data, l.offset, p) : decodeIpv6(rec.data, l.offset, p);
    if (!ok || (p.protocol !== 6 && p.protocol !== 17)) { c.untargeted++; return; }
    if (!p.isFragment && p.l4Len >= 4) {
      const d = p.l4Buf;
      const sport = (d[p.l4Off]! << 8) | d[p.l4Off + 1]!;
      const dport = (d[p.l4Off + 2]! << 8) | d[p.l4Off + 3]!;
      if (this.excluded.has(sport) || this.excluded.has(dport)) { c.untargeted++; return; }
    }
    c.processed++;
    this.next.packet(rec);
  }
}
