/**
 * One capture point: a targeted pod's interface. Every packet the kernel
 * delivered passes the exact user-space checks here before the pipeline sees
 * it — the second layer behind the kernel filter:
 *   1. untargeted: neither end is this pod (the kernel filter should have
 *      dropped it; counted so a too-coarse filter shows);
 *   2. owned elsewhere: the ownership rule gives it to another capture point;
 *   3. duplicate: the same packet was already processed within the window;
 *   4. processed: handed to the shared pipeline.
 * Non-IP frames (ARP, neighbour discovery) are counted as untargeted.
 */
import type { PacketRecord, PacketSink } from '../capture/types.js';
import { decodeLink, type LinkResult } from '../layers/link.js';
import { IpPacket, decodeIpv4, decodeIpv6 } from '../layers/ip.js';
import { formatIpv6 } from '../layers/address.js';
import { Verdict, decide, isClientSide } from '../ownership/rule.js';
import type { DuplicateFilter } from '../ownership/dedup.js';
import type { TargetView } from './target-view.js';
import { ipv4ToUint32 } from '../cluster/ip-text.js';

export interface CaptureCounters {
  captured: number;
  untargeted: number;
  duplicate: number;
  processed: number;
}

export function emptyCaptureCounters(): CaptureCounters {
  return { captured: 0, untargeted: 0, duplicate: 0, processed: 0 };
}

export class CapturePoint implements PacketSink {
  readonly counters = emptyCaptureCounters();
  private readonly link: LinkResult = { offset: 0, ipVersion: 0 };
  private readonly ip = new IpPacket();
  /** The pod's IPv4 addresses as numbers, and IPv6 in text form. */
  private readonly local4: Set<number>;
  private readonly local6: Set<string>;

  constructor(readonly iface: string, readonly podKey: string, podIps: readonly string[],
              private readonly targets: TargetView, private readonly dedup: DuplicateFilter,
              private readonly next: PacketSink) {
    this.local4 = new Set(podIps.filter((a) => !a.includes(':')).map(ipv4ToUint32));
    this.local6 = new Set(podIps.filter((a) => a.includes(':')));
  }

  packet(rec: PacketRecord): void {
    const c = this.counters;
    c.captured++;
    const l = decodeLink(rec.data, rec.linkType, this.link);
    const p = this.ip;
    if (l.offset < 0 || (l.ipVersion !== 4 && l.ipVersion !== 6)) { c.untargeted++; return; }
    const ok = l.ipVersion === 4 ? decodeIpv4(rec.data, l.offset, p) : decodeIpv6(rec.data, l.offset, p);
    if (!ok) { c.untargeted++; return; }
    const d = p.l4Buf;
    const hasPorts = (p.protocol === 6 || p.protocol === 17) && !p.isFragment && p.l4Len >= 4;
    const sport = hasPorts ? (d[p.l4Off] << 8) | d[p.l4Off + 1] : 0;
    const dport = hasPorts ? (d[p.l4Off + 2] << 8) | d[p.l4Off + 3] : 0;
    let verdict: Verdict;
    let src = 0, dst = 0;
    if (p.version === 4) {
      const b = p.addrBuf;
      src = ((b[p.srcOff] << 24) | (b[p.srcOff + 1] << 16) | (b[p.srcOff + 2] << 8) | b[p.srcOff + 3]) >>> 0;
      dst = ((b[p.dstOff] << 24) | (b[p.dstOff + 1] << 16) | (b[p.dstOff + 2] << 8) | b[p.dstOff + 3]) >>> 0;
      verdict = decide(this.view4, src, sport, dst, dport);
    } else {
      verdict = this.decide6(p, sport, dport); // IPv6: text addresses, a slower path
    }
    if (verdict === Verdict.Untargeted) { c.untargeted++; return; }
    if (verdict === Verdict.OwnedElsewhere) { c.duplicate++; return; }
    if (p.version === 4 && hasPorts) {
      const srcIsClient = isClientSide(src, sport, dst, dport);
      if (this.dedup.isDuplicate(d, l.offset, p.l4Off, p.l4Off + p.l4Len, p.protocol,
        srcIsClient ? src : dst, srcIsClient ? sport : dport, rec.ts)) { c.duplicate++; return; }
    }
    c.processed++;
    this.next.packet(rec);
  }

  private readonly view4 = {
    isLocal: (ip: number) => this.local4.has(ip),
    isTargeted: (ip: number) => this.targets.isTargeted4(ip),
  };

  private decide6(p: IpPacket, sport: number, dport: number): Verdict {
    const src = formatIpv6(p.addrBuf, p.srcOff);
    const dst = formatIpv6(p.addrBuf, p.dstOff);
    const srcLocal = this.local6.has(src);
    const dstLocal = this.local6.has(dst);
    if (!srcLocal && !dstLocal) return Verdict.Untargeted;
    if (srcLocal && dstLocal) return Verdict.Own;
    const remote = srcLocal ? dst : src;
    const remotePort = srcLocal ? dport : sport;
    const localPort = srcLocal ? sport : dport;
    const remoteIsClient = remotePort !== localPort ? remotePort > localPort : remote > (srcLocal ? src : dst);
    return this.targets.isTargeted6(remote) && remoteIsClient ? Verdict.OwnedElsewhere : Verdict.Own;
  }
}
