/**
 * Link layers: find where the network layer starts in a captured frame.
 * Hand-written because it runs once per packet and must not allocate.
 */
import { LinkType } from '../capture/types.js';

/** Ethertypes we follow. */
export const EtherType = { IPV4: 0x0800, IPV6: 0x86dd, VLAN: 0x8100, QINQ: 0x88a8, QINQ_OLD: 0x9100 } as const;

/** Most VLAN tags we skip before calling the frame malformed (QinQ is 2; 4 is generous). */
export const MAX_VLAN_TAGS = 4;

/** LINKTYPE_C_HDLC (Cisco HDLC), seen in some router captures. */
const LINKTYPE_C_HDLC = 104;

/** Result of link decoding, written into a reused object. */
export interface LinkResult {
  /** Offset of the network header, or -1 when the frame is too short or malformed. */
  offset: number;
  /** 4 or 6 for IP, 0 for anything else (ARP, LLDP…), -1 for an unknown link type. */
  ipVersion: number;
}

/** Is this link type one we can decode? */
export function isKnownLinkType(linkType: number): boolean {
  switch (linkType) {
    case LinkType.ETHERNET: case LinkType.LINUX_SLL: case LinkType.LINUX_SLL2: case LinkType.NULL:
    case LinkType.LOOP: case LinkType.RAW: case LinkType.RAW_ALT: case LinkType.RAW_ALT2:
    case LinkType.IPV4: case LinkType.IPV6: case LINKTYPE_C_HDLC:
      return true;
    default:
      return false;
  }
}

function fromEtherType(type: number, offset: number, out: LinkResult): LinkResult {
  out.offset = offset;
  out.ipVersion = type === EtherType.IPV4 ? 4 : type === EtherType.IPV6 ? 6 : 0;
  return out;
}

function fromVersionNibble(d: Uint8Array, offset: number, out: LinkResult): LinkResult {
  if (d.length <= offset) { out.offset = -1; out.ipVersion = 0; return out; }
  const v = d[offset] >> 4;
  out.offset = offset;
  out.ipVersion = v === 4 || v === 6 ? v : 0;
  return out;
}

/** BSD address families for IPv6 differ by OS (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS). */
function fromAddressFamily(af: number, offset: number, out: LinkResult): LinkResult {
  out.offset = offset;
  out.ipVersion = af === 2 ? 4 : af === 24 || af === 28 || af === 30 || af === 10 ? 6 : 0;
  return out;
}

/** Decode the link header of `d` (captured with `linkType`) into `out`. */
export function decodeLink(d: Uint8Array, linkType: number, out: LinkResult): LinkResult {
  const n = d.length;
  switch (linkType) {
    case LinkType.ETHERNET: {
      if (n < 14) break;
      let off = 12;
      let type = (d[off] << 8) | d[off + 1];
      let tags = 0;
      while (type === EtherType.VLAN || type === EtherType.QINQ || type === EtherType.QINQ_OLD) {
        if (++tags > MAX_VLAN_TAGS || off + 6 > n) { out.offset = -1; out.ipVersion = 0; return out; }
        off += 4;
        type = (d[off] << 8) | d[off + 1];
      }
      return fromEtherType(type, off + 2, out);
    }
    case LinkType.LINUX_SLL:
      if (n < 16) break;
      return fromEtherType((d[14] << 8) | d[15], 16, out);
    case LinkType.LINUX_SLL2:
      if (n < 20) break;
      return fromEtherType((d[0] << 8) | d[1], 20, out);
    case LinkType.NULL: {
      if (n < 4) break;
      // Host byte order of the capturing machine: whichever reading is small is right.
      const le = d[0] | (d[1] << 8) | (d[2] << 16) | (d[3] << 24);
      const be = (d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3];
      return fromAddressFamily((le >>> 0) <= 0xffff ? le : be, 4, out);
    }
    case LinkType.LOOP:
      if (n < 4) break;
      return fromAddressFamily(((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0, 4, out);
    case LinkType.RAW: case LinkType.RAW_ALT: case LinkType.RAW_ALT2: case LinkType.IPV4: case LinkType.IPV6:
      return fromVersionNibble(d, 0, out);
    case LINKTYPE_C_HDLC:
      if (n < 4) break;
      return fromEtherType((d[2] << 8) | d[3], 4, out);
    default:
      out.offset = -1;
      out.ipVersion = -1;
      return out;
  }
  out.offset = -1;
  out.ipVersion = 0;
  return out;
}
