/**
 * ICMP/ICMPv6 message decoding from the IP payload view. Reads only the
 * 8-byte header and, for errors, the quoted IP header and first 4 bytes of
 * its payload (ports); strings are made here, once per message, because
 * every message becomes (part of) an entry.
 */
import { IpPacket, IpProto, decodeIpv4, decodeIpv6 } from '../../layers/ip.js';
import { formatIp } from '../../layers/address.js';
import type { IcmpMessage, IcmpOriginal } from './entry.js';
import { ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, ICMPV6_ECHO_REPLY, ICMPV6_ECHO_REQUEST, icmpCodeName, icmpTypeName, isIcmpError } from './names.js';

/** Bytes of the fixed ICMP header (type, code, checksum, 4 bytes of rest-of-header). */
export const ICMP_HEADER_BYTES = 8;

export type IcmpKind = 'echo-request' | 'echo-reply' | 'error' | 'other';

export function kindOf(v6: boolean, type: number): IcmpKind {
  if (type === (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO_REQUEST)) return 'echo-request';
  if (type === (v6 ? ICMPV6_ECHO_REPLY : ICMP_ECHO_REPLY)) return 'echo-reply';
  return isIcmpError(v6, type) ? 'error' : 'other';
}

/** Scratch packet for quoted headers (reused; never the pipeline's own). */
const quoted = new IpPacket();

/**
 * The message in `d` (a view of the ICMP bytes as captured); `size` is the
 * length on the wire. Callers check `d.length >= ICMP_HEADER_BYTES` first.
 */
export function decodeIcmp(d: Uint8Array, v6: boolean, size: number, kind: IcmpKind): IcmpMessage {
  const type = d[0];
  const code = d[1];
  const echo = kind === 'echo-request' || kind === 'echo-reply';
  const m: IcmpMessage = {
    type, code,
    typeName: icmpTypeName(v6, type),
    codeName: icmpCodeName(v6, type, code),
    identifier: echo ? (d[4] << 8) | d[5] : null,
    sequence: echo ? (d[6] << 8) | d[7] : null,
    size,
  };
  if (kind === 'error') {
    const o = originalOf(d.subarray(ICMP_HEADER_BYTES));
    if (o !== null) m.original = o;
  }
  return m;
}

const PROTO_NAMES: Record<number, string> = { [IpProto.TCP]: 'tcp', [IpProto.UDP]: 'udp', [IpProto.ICMP]: 'icmp', [IpProto.ICMPV6]: 'icmpv6' };

/** The quoted packet's 5-tuple, or null when its IP header was not captured whole. */
export function originalOf(q: Uint8Array): IcmpOriginal | null {
  if (q.length < 20) return null;
  const v = q[0] >> 4;
  const p = quoted;
  if (v === 4 ? !decodeIpv4(q, 0, p) : v === 6 ? !decodeIpv6(q, 0, p) : true) return null;
  // Ports are in the first fragment only; 4 bytes of the quoted header are enough.
  const withPorts = (p.protocol === IpProto.TCP || p.protocol === IpProto.UDP) && p.fragOffset === 0 && p.l4Len >= 4;
  const b = p.l4Buf;
  const o = p.l4Off;
  return {
    protocol: PROTO_NAMES[p.protocol] ?? String(p.protocol),
    srcIp: formatIp(p.addrBuf, p.srcOff, p.addrLen),
    dstIp: formatIp(p.addrBuf, p.dstOff, p.addrLen),
    srcPort: withPorts ? (b[o] << 8) | b[o + 1] : null,
    dstPort: withPorts ? (b[o + 2] << 8) | b[o + 3] : null,
  };
}
