/** ICMP and ICMPv6 entries: an echo request with its reply, or one error message. */
import type { EntryBase } from '../../entries/types.js';

/** The 5-tuple of the packet an error message quotes (its IP header and first 8 bytes). */
export interface IcmpOriginal {
  /** 'tcp', 'udp', 'icmp', 'icmpv6', or the IP protocol number as text. */
  protocol: string;
  srcIp: string;
  dstIp: string;
  /** Ports of a quoted TCP or UDP header; null for other protocols or when cut off. */
  srcPort: number | null;
  dstPort: number | null;
}

export interface IcmpMessage {
  type: number;
  code: number;
  /** `echo-request`, `destination-unreachable`, ... (names.ts); `type-<n>` when unnamed. */
  typeName: string;
  /** `port-unreachable`, `ttl-exceeded-in-transit`, ...; '' for echo messages. */
  codeName: string;
  /** Echo identifier and sequence number; null on other messages. */
  identifier: number | null;
  sequence: number | null;
  /** Bytes of the ICMP message (header and data) as the IP header says. */
  size: number;
  /** Error messages: what the quoted original packet was, when its header was captured. */
  original?: IcmpOriginal;
}

export interface IcmpEntry extends EntryBase {
  protocol: 'icmp';
  transport: 'icmp';
  /** The echo request; null on an error entry and on a reply whose request was not seen. */
  request: IcmpMessage | null;
  /** The echo reply or the error message; null when no reply came. */
  response: IcmpMessage | null;
}
