/** ICMP/ICMPv6 frame builders for tests (checksums left zero, as packets.ts does; podtap ignores them). */
import { ethernet, ipv4, ipv6, udpDatagram } from '../../testing/packets.js';

export interface IcmpSpec {
  src: string; dst: string; type: number; code?: number;
  /** Echo identifier and sequence (the 4 rest-of-header bytes); 0 otherwise. */
  identifier?: number; sequence?: number;
  payload?: Buffer;
}

export function icmpMessage(s: IcmpSpec): Buffer {
  const h = Buffer.alloc(8);
  h[0] = s.type;
  h[1] = s.code ?? 0;
  h.writeUInt16BE(s.identifier ?? 0, 4);
  h.writeUInt16BE(s.sequence ?? 0, 6);
  return Buffer.concat([h, s.payload ?? Buffer.alloc(0)]);
}

/** An Ethernet frame with one ICMP (IPv4 addresses) or ICMPv6 (IPv6 addresses) message. */
export function icmpFrame(s: IcmpSpec): Buffer {
  const m = icmpMessage(s);
  return s.src.includes(':') ? ethernet(0x86dd, ipv6(s.src, s.dst, 58, m)) : ethernet(0x0800, ipv4(s.src, s.dst, 1, m));
}

/** The IP packet an error quotes: a UDP datagram's IP header and first 8 bytes (as RFC 792 asks at least). */
export function quotedUdp(src: string, dst: string, sport: number, dport: number): Buffer {
  const dg = udpDatagram(sport, dport, Buffer.from('payload!'));
  const pkt = src.includes(':') ? ipv6(src, dst, 17, dg) : ipv4(src, dst, 17, dg);
  return pkt.subarray(0, (src.includes(':') ? 40 : 20) + 8);
}
