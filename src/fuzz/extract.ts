/**
 * Seeds from real captures: every TCP connection, UDP flow and ICMP exchange
 * of a capture file as a conversation (conversation.ts), and its first
 * frames as they come off the reader (frames.ts). Decoding uses podtap's own
 * link and IP layers; labels (which protocols a conversation is) come from
 * running it through a real Pipeline and counting its entries.
 */
import { readCaptureBuffer } from '../capture/open.js';
import type { PacketRecord } from '../capture/types.js';
import { DissectorRegistry } from '../dissectors/registry.js';
import { IpPacket, IpProto, decodeIpv4, decodeIpv6 } from '../layers/ip.js';
import { decodeLink, type LinkResult } from '../layers/link.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { type Conversation, type Segment, Option, SegFlag } from './conversation.js';
import type { Frame } from './frames.js';
import { MAX_SEED_BYTES } from './limits.js';

/** Frames kept from the start of each capture for the layers target. */
const FRAMES_PER_CAPTURE = 24;

export interface Extracted { tcp: Conversation[]; udp: Conversation[]; icmp: Conversation[]; frames: Frame[] }

interface Side { key: string; port: number }
interface Seg { from: string; seq: number; flags: number; data: Uint8Array }
interface Flow { v6: boolean; sides: Side[]; syn: Map<string, number>; first: Map<string, number>; fin: boolean; segs: Seg[]; bytes: number }

const registry = new DissectorRegistry();

function flowOf(flows: Map<string, Flow>, p: IpPacket, sport: number, dport: number, tag: string): { f: Flow; from: string } {
  const hex = (o: number): string => Buffer.from(p.addrBuf.subarray(o, o + p.addrLen)).toString('hex');
  const a = `${hex(p.srcOff)}:${sport}`;
  const b = `${hex(p.dstOff)}:${dport}`;
  const key = tag + (a < b ? `${a}-${b}` : `${b}-${a}`);
  let f = flows.get(key);
  if (f === undefined) {
    f = { v6: p.version === 6, sides: [{ key: a, port: sport }, { key: b, port: dport }], syn: new Map(), first: new Map(), fin: false, segs: [], bytes: 0 };
    flows.set(key, f);
  }
  return { f, from: a };
}

function tcp(flows: Map<string, Flow>, p: IpPacket): void {
  const d = p.l4Buf;
  const o = p.l4Off;
  if (p.l4Len < 20) return;
  const hdr = (d[o + 12] >> 4) * 4;
  if (hdr < 20 || hdr > p.l4Len) return;
  const seq = ((d[o + 4] << 24) | (d[o + 5] << 16) | (d[o + 6] << 8) | d[o + 7]) >>> 0;
  const flags = d[o + 13];
  const { f, from } = flowOf(flows, p, (d[o] << 8) | d[o + 1], (d[o + 2] << 8) | d[o + 3], 't');
  if ((flags & 0x02) !== 0) { if (!f.syn.has(from)) f.syn.set(from, (flags & 0x10) === 0 ? seq : -seq - 1); return; }
  if ((flags & 0x01) !== 0) f.fin = true;
  const data = d.subarray(o + hdr, o + p.l4Len);
  if (data.length === 0 || f.bytes >= MAX_SEED_BYTES) return;
  if (!f.first.has(from)) f.first.set(from, seq);
  const kept = data.subarray(0, MAX_SEED_BYTES - f.bytes);
  f.segs.push({ from, seq, flags: (flags & 0x01 ? SegFlag.FIN : 0) | (flags & 0x04 ? SegFlag.RST : 0), data: Buffer.from(kept) }); // copy: the record is reused
  f.bytes += kept.length;
}

function datagram(flows: Map<string, Flow>, p: IpPacket, tag: 'u' | 'i'): void {
  const d = p.l4Buf;
  const o = p.l4Off;
  const udp = tag === 'u';
  if (p.l4Len < (udp ? 8 : 4)) return;
  const { f, from } = udp ? flowOf(flows, p, (d[o] << 8) | d[o + 1], (d[o + 2] << 8) | d[o + 3], 'u') : flowOf(flows, p, 0, 0, 'i');
  if (f.bytes >= MAX_SEED_BYTES) return;
  const data = Buffer.from(d.subarray(o + (udp ? 8 : 0), o + p.l4Len)); // copy: the record is reused
  f.segs.push({ from, seq: 0, flags: 0, data });
  f.bytes += data.length;
}

function toConversation(f: Flow, kind: 'tcp' | 'udp' | 'icmp'): Conversation {
  const [a, b] = f.sides;
  // The client: the SYN sender (TCP), the side off a dissector's known port (UDP), else whoever spoke first.
  let client = f.segs.length > 0 ? f.segs[0].from : a.key;
  for (const [k, v] of f.syn) if (v >= 0) client = k;
  if (kind === 'udp' && registry.isKnownPort('udp', a.port) !== registry.isKnownPort('udp', b.port)) client = registry.isKnownPort('udp', a.port) ? b.key : a.key;
  const server = client === a.key ? b : a;
  const isn = (k: string): number => {
    const s = f.syn.get(k);
    if (s !== undefined) return s >= 0 ? s : -s - 1;
    return ((f.first.get(k) ?? 1) - 1) >>> 0;
  };
  const [ic, is] = [isn(client), isn(server.key)];
  const segments: Segment[] = f.segs.map((s) => {
    const fromServer = s.from !== client;
    const seq = kind === 'tcp' ? (s.seq - (fromServer ? is : ic) - 1) >>> 0 : 0;
    return { flags: s.flags | (fromServer ? SegFlag.SERVER : 0), seq, data: s.data };
  });
  const options = (f.syn.size > 0 ? Option.HANDSHAKE : 0) | (f.fin ? Option.CLOSE : 0) | (f.v6 ? Option.IPV6 : 0);
  return { options, port: server.port, isnClient: ic, isnServer: is, segments };
}

export function extractCapture(bytes: Uint8Array): Extracted {
  const flows = new Map<string, Flow>();
  const frames: Frame[] = [];
  const link: LinkResult = { offset: 0, ipVersion: 0 };
  const ip = new IpPacket();
  const sink = {
    packet(rec: PacketRecord): void {
      if (frames.length < FRAMES_PER_CAPTURE) frames.push({ linkType: rec.linkType, data: Buffer.from(rec.data) }); // copy: reused
      const l = decodeLink(rec.data, rec.linkType, link);
      if (l.offset < 0 || (l.ipVersion !== 4 && l.ipVersion !== 6)) return;
      if (!(l.ipVersion === 4 ? decodeIpv4(rec.data, l.offset, ip) : decodeIpv6(rec.data, l.offset, ip)) || ip.isFragment) return;
      if (ip.protocol === IpProto.TCP) tcp(flows, ip);
      else if (ip.protocol === IpProto.UDP) datagram(flows, ip, 'u');
      else if (ip.protocol === IpProto.ICMP || ip.protocol === IpProto.ICMPV6) datagram(flows, ip, 'i');
    },
  };
  try {
    readCaptureBuffer(bytes, sink, { tolerateTruncation: true });
  } catch {
    // A fixture that breaks part-way still gives the flows read so far.
  }
  const out: Extracted = { tcp: [], udp: [], icmp: [], frames };
  for (const [key, f] of flows) {
    if (f.segs.length === 0) continue;
    const kind = key[0] === 't' ? 'tcp' : key[0] === 'u' ? 'udp' : 'icmp';
    out[kind].push(toConversation(f, kind));
  }
  return out;
}

/** Protocols a conversation gives entries of, fed through a Pipeline with every dissector. */
export function labelsOf(c: Conversation, feed: (p: Pipeline, c: Conversation) => void): string[] {
  const p = new Pipeline(() => {}, {}, registry);
  feed(p, c);
  return Object.keys(p.finish().entriesByProtocol);
}
