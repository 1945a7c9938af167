/**
 * IPv4 and IPv6 headers, decoded in place into a reused `IpPacket`.
 * Hand-written because it runs once per packet and must not allocate:
 * addresses and payload are offsets into the caller's bytes, not copies.
 */

export const IpProto = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58, FRAGMENT6: 44, NONE6: 59 } as const;

/** Most IPv6 extension headers we walk before giving up on a packet. */
export const MAX_IPV6_EXT_HEADERS = 8;

export class IpPacket {
  version = 0;
  /** Bytes holding the addresses (view; valid during the packet callback). */
  addrBuf: Uint8Array = new Uint8Array(0);
  srcOff = 0;
  dstOff = 0;
  /** 4 or 16. */
  addrLen = 4;
  /** Upper-layer protocol after all extension headers. */
  protocol = 0;
  /** Bytes holding the upper-layer header and payload. */
  l4Buf: Uint8Array = new Uint8Array(0);
  l4Off = 0;
  l4Len = 0;
  /** The IP length says more bytes than were captured. */
  truncated = false;
  isFragment = false;
  fragOffset = 0;
  moreFragments = false;
  fragId = 0;
}

/** Decode an IPv4 header at `off`; false when it is not a usable IPv4 header. */
export function decodeIpv4(d: Uint8Array, off: number, p: IpPacket): boolean {
  const n = d.length;
  if (off + 20 > n || d[off] >> 4 !== 4) return false;
  const ihl = (d[off] & 0x0f) * 4;
  if (ihl < 20 || off + ihl > n) return false;
  const total = (d[off + 2] << 8) | d[off + 3];
  // TSO/GRO captures carry total length 0 on oversized frames: trust the captured length then.
  let end: number;
  if (total === 0) end = n;
  else if (total < ihl) return false;
  else end = off + total;
  p.truncated = end > n;
  if (p.truncated) end = n;
  const frag = (d[off + 6] << 8) | d[off + 7];
  p.version = 4;
  p.addrBuf = d;
  p.srcOff = off + 12;
  p.dstOff = off + 16;
  p.addrLen = 4;
  p.protocol = d[off + 9];
  p.l4Buf = d;
  p.l4Off = off + ihl;
  p.l4Len = end - p.l4Off;
  p.moreFragments = (frag & 0x2000) !== 0;
  p.fragOffset = (frag & 0x1fff) * 8;
  p.isFragment = p.moreFragments || p.fragOffset !== 0;
  p.fragId = (d[off + 4] << 8) | d[off + 5];
  return true;
}

/** Decode an IPv6 header and its extension headers at `off`. */
export function decodeIpv6(d: Uint8Array, off: number, p: IpPacket): boolean {
  const n = d.length;
  if (off + 40 > n || d[off] >> 4 !== 6) return false;
  const payloadLen = (d[off + 4] << 8) | d[off + 5];
  let end = payloadLen === 0 ? n : off + 40 + payloadLen; // 0: jumbogram or TSO, use what was captured
  p.truncated = end > n;
  if (p.truncated) end = n;
  p.version = 6;
  p.addrBuf = d;
  p.srcOff = off + 8;
  p.dstOff = off + 24;
  p.addrLen = 16;
  p.l4Buf = d;
  p.isFragment = false;
  p.moreFragments = false;
  p.fragOffset = 0;
  p.fragId = 0;
  return walkIpv6Extensions(d, off + 40, end, d[off + 6], p);
}

/**
 * Follow the IPv6 extension-header chain from `nh` at `off` up to `end`,
 * leaving the upper-layer protocol and payload bounds in `p`. Also used on a
 * reassembled fragmentable part, which may itself start with extension headers.
 */
export function walkIpv6Extensions(d: Uint8Array, off: number, end: number, nh: number, p: IpPacket): boolean {
  for (let i = 0; i <= MAX_IPV6_EXT_HEADERS; i++) {
    switch (nh) {
      case 0: case 43: case 60: case 135: case 139: case 140: { // hop-by-hop, routing, dest opts, mobility, HIP, shim6
        if (off + 8 > end) return false;
        const next = d[off];
        off += (d[off + 1] + 1) * 8;
        nh = next;
        continue;
      }
      case 51: { // AH: length in 4-octet units minus 2
        if (off + 8 > end) return false;
        const next = d[off];
        off += (d[off + 1] + 2) * 4;
        nh = next;
        continue;
      }
      case IpProto.FRAGMENT6: {
        if (off + 8 > end) return false;
        const fo = (d[off + 2] << 8) | d[off + 3];
        p.isFragment = true;
        p.fragOffset = fo & 0xfff8;
        p.moreFragments = (fo & 1) !== 0;
        p.fragId = ((d[off + 4] << 24) | (d[off + 5] << 16) | (d[off + 6] << 8) | d[off + 7]) >>> 0;
        // An atomic fragment (offset 0, no more) is a whole datagram: keep walking.
        if (p.fragOffset === 0 && !p.moreFragments) p.isFragment = false;
        nh = d[off];
        off += 8;
        if (p.isFragment) {
          p.protocol = nh;
          p.l4Off = off;
          p.l4Len = Math.max(0, end - off);
          return true;
        }
        continue;
      }
      default:
        if (off > end) return false;
        p.protocol = nh;
        p.l4Off = off;
        p.l4Len = end - off;
        return true;
    }
  }
  return false;
}
