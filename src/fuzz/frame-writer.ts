/**
 * Ethernet/IPv4/IPv6 + TCP/UDP/ICMP frames written in place into one reused
 * buffer — the same bytes testing/packets.ts builds (checked in fuzz.test.ts),
 * without its per-frame allocations, which took a third of each fuzz
 * execution. Handing the pipeline a view into a buffer that is rewritten for
 * the next frame is exactly its byte-ownership contract (ARCHITECTURE.md).
 */
const ETH_BYTES = 14;
const IPV4_BYTES = 20;
const IPV6_BYTES = 40;
const TCP_BYTES = 20;
const UDP_BYTES = 8;
const TTL = 64;
const WINDOW = 65535;
/** Largest transport header plus payload an IPv4 packet holds (its total length is 16 bits); IPv6 gets the same. */
const MAX_L4_BYTES = 0xffff - IPV4_BYTES;

export const Proto = { TCP: 6, UDP: 17, ICMP: 1, ICMPV6: 58 } as const;
export const TcpBits = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 } as const;

const MAC_A = [2, 0, 0, 0, 0, 1];
const MAC_B = [2, 0, 0, 0, 0, 2];

export interface Endpoints { v6: boolean; src: Uint8Array; dst: Uint8Array }

export class FrameWriter {
  private readonly buf = Buffer.alloc(ETH_BYTES + IPV6_BYTES + MAX_L4_BYTES);

  /** Link and IP headers; returns where the transport header starts. */
  private ip(e: Endpoints, proto: number, l4Len: number): number {
    const b = this.buf;
    b.set(MAC_A, 0);
    b.set(MAC_B, 6);
    b.writeUInt16BE(e.v6 ? 0x86dd : 0x0800, 12);
    if (e.v6) {
      b.fill(0, ETH_BYTES, ETH_BYTES + 8);
      b[ETH_BYTES] = 0x60;
      b.writeUInt16BE(l4Len, ETH_BYTES + 4);
      b[ETH_BYTES + 6] = proto;
      b[ETH_BYTES + 7] = TTL;
      b.set(e.src, ETH_BYTES + 8);
      b.set(e.dst, ETH_BYTES + 24);
      return ETH_BYTES + IPV6_BYTES;
    }
    b.fill(0, ETH_BYTES, ETH_BYTES + 12);
    b[ETH_BYTES] = 0x45;
    b.writeUInt16BE(IPV4_BYTES + l4Len, ETH_BYTES + 2);
    b.writeUInt16BE(1, ETH_BYTES + 4); // identification, as packets.ts
    b[ETH_BYTES + 8] = TTL;
    b[ETH_BYTES + 9] = proto;
    b.set(e.src, ETH_BYTES + 12);
    b.set(e.dst, ETH_BYTES + 16);
    return ETH_BYTES + IPV4_BYTES;
  }

  /** A TCP segment (payload cut to what one IP packet holds); the view is valid until the next call. */
  tcp(e: Endpoints, sport: number, dport: number, seq: number, ack: number, flags: number, payload: Uint8Array): Uint8Array {
    const data = payload.subarray(0, MAX_L4_BYTES - TCP_BYTES);
    const o = this.ip(e, Proto.TCP, TCP_BYTES + data.length);
    const b = this.buf;
    b.writeUInt16BE(sport, o);
    b.writeUInt16BE(dport, o + 2);
    b.writeUInt32BE(seq >>> 0, o + 4);
    b.writeUInt32BE(ack >>> 0, o + 8);
    b[o + 12] = (TCP_BYTES / 4) << 4;
    b[o + 13] = flags;
    b.writeUInt16BE(WINDOW, o + 14);
    b.fill(0, o + 16, o + TCP_BYTES);
    b.set(data, o + TCP_BYTES);
    return b.subarray(0, o + TCP_BYTES + data.length);
  }

  /** A UDP datagram; the view is valid until the next call. */
  udp(e: Endpoints, sport: number, dport: number, payload: Uint8Array): Uint8Array {
    const data = payload.subarray(0, MAX_L4_BYTES - UDP_BYTES);
    const o = this.ip(e, Proto.UDP, UDP_BYTES + data.length);
    const b = this.buf;
    b.writeUInt16BE(sport, o);
    b.writeUInt16BE(dport, o + 2);
    b.writeUInt16BE(UDP_BYTES + data.length, o + 4);
    b.writeUInt16BE(0, o + 6);
    b.set(data, o + UDP_BYTES);
    return b.subarray(0, o + UDP_BYTES + data.length);
  }

  /** An IP packet carrying `l4` as is (ICMP/ICMPv6 messages); the view is valid until the next call. */
  raw(e: Endpoints, proto: number, l4: Uint8Array): Uint8Array {
    const data = l4.subarray(0, MAX_L4_BYTES);
    const o = this.ip(e, proto, data.length);
    this.buf.set(data, o);
    return this.buf.subarray(0, o + data.length);
  }
}
