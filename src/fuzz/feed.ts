/**
 * Conversations (conversation.ts) turned into Ethernet frames and pushed
 * through a real Pipeline, the way a capture would: TCP with a handshake,
 * acknowledgements of what the other side sent, FIN/RST and idle gaps from
 * the segment flags; UDP datagrams; ICMP messages over IPv4 or IPv6.
 */
import type { Pipeline } from '../pipeline/pipeline.js';
import { parseIpv4, parseIpv6 } from '../testing/packets.js';
import { type Conversation, Option, SegFlag, isServer } from './conversation.js';
import { type Endpoints, FrameWriter, Proto, TcpBits } from './frame-writer.js';

const BASE_TS = 1_700_000_000_000;
/** Capture time skipped by a segment flagged IDLE: past the TCP (5 min) and UDP idle timeouts. */
const IDLE_JUMP_MS = 6 * 60_000;
/** Bytes a segment flagged CUT says it had on the wire beyond what was captured (snap length). */
const CUT_EXTRA_BYTES = 200;
const CLIENT_PORT = 40_000;

const V4 = [parseIpv4('10.0.0.1'), parseIpv4('10.0.0.2')];
const V6 = [parseIpv6('fd00::1'), parseIpv6('fd00::2')];
/** Client-to-server and server-to-client, per IP version. */
const WAYS: Record<'v4' | 'v6', [Endpoints, Endpoints]> = {
  v4: [{ v6: false, src: V4[0], dst: V4[1] }, { v6: false, src: V4[1], dst: V4[0] }],
  v6: [{ v6: true, src: V6[0], dst: V6[1] }, { v6: true, src: V6[1], dst: V6[0] }],
};

const writer = new FrameWriter();
const ways = (c: Conversation): [Endpoints, Endpoints] => WAYS[(c.options & Option.IPV6) !== 0 ? 'v6' : 'v4'];

function packet(p: Pipeline, data: Uint8Array, ts: number, cut: boolean): void {
  p.packet({ ts, linkType: 1, iface: 0, data, origLength: data.length + (cut ? CUT_EXTRA_BYTES : 0) });
}

function tcpBits(f: number): number {
  return ((f & SegFlag.NO_ACK) !== 0 ? 0 : TcpBits.ACK) | TcpBits.PSH
    | ((f & SegFlag.SYN) !== 0 ? TcpBits.SYN : 0) | ((f & SegFlag.FIN) !== 0 ? TcpBits.FIN : 0) | ((f & SegFlag.RST) !== 0 ? TcpBits.RST : 0);
}

const NONE = new Uint8Array(0);

export function feedTcp(p: Pipeline, c: Conversation): void {
  const [toServer, toClient] = ways(c);
  const seg = (d: number, seq: number, ack: number, flags: number, data: Uint8Array): Uint8Array =>
    d === 0 ? writer.tcp(toServer, CLIENT_PORT, c.port, seq, ack, flags, data) : writer.tcp(toClient, c.port, CLIENT_PORT, seq, ack, flags, data);
  const base = [(c.isnClient + 1) >>> 0, (c.isnServer + 1) >>> 0];
  const sent = [0, 0];
  let ts = BASE_TS;
  if ((c.options & Option.HANDSHAKE) !== 0) {
    packet(p, seg(0, c.isnClient, 0, TcpBits.SYN, NONE), ts++, false);
    packet(p, seg(1, c.isnServer, base[0], TcpBits.SYN | TcpBits.ACK, NONE), ts++, false);
    packet(p, seg(0, base[0], base[1], TcpBits.ACK, NONE), ts++, false);
  }
  for (const s of c.segments) {
    const d = isServer(s) ? 1 : 0;
    if ((s.flags & SegFlag.IDLE) !== 0) ts += IDLE_JUMP_MS;
    packet(p, seg(d, base[d] + s.seq, base[1 - d] + sent[1 - d], tcpBits(s.flags), s.data), ts++, (s.flags & SegFlag.CUT) !== 0);
    sent[d] = Math.max(sent[d], s.seq + s.data.length);
  }
  if ((c.options & Option.CLOSE) !== 0) {
    const [cs, ss] = [base[0] + sent[0], base[1] + sent[1]];
    packet(p, seg(0, cs, ss, TcpBits.FIN | TcpBits.ACK, NONE), ts++, false);
    packet(p, seg(1, ss, cs + 1, TcpBits.FIN | TcpBits.ACK, NONE), ts++, false);
    packet(p, seg(0, cs + 1, ss + 1, TcpBits.ACK, NONE), ts++, false);
  }
}

export function feedUdp(p: Pipeline, c: Conversation): void {
  const [toServer, toClient] = ways(c);
  let ts = BASE_TS;
  for (const s of c.segments) {
    if ((s.flags & SegFlag.IDLE) !== 0) ts += IDLE_JUMP_MS;
    const frame = isServer(s) ? writer.udp(toClient, c.port, CLIENT_PORT, s.data) : writer.udp(toServer, CLIENT_PORT, c.port, s.data);
    packet(p, frame, ts++, (s.flags & SegFlag.CUT) !== 0);
  }
}

/** Each segment is one ICMP (IPv4) or ICMPv6 message, header included. */
export function feedIcmp(p: Pipeline, c: Conversation): void {
  const [toServer, toClient] = ways(c);
  const proto = (c.options & Option.IPV6) !== 0 ? Proto.ICMPV6 : Proto.ICMP;
  let ts = BASE_TS;
  for (const s of c.segments) {
    if ((s.flags & SegFlag.IDLE) !== 0) ts += IDLE_JUMP_MS;
    packet(p, writer.raw(isServer(s) ? toClient : toServer, proto, s.data), ts++, (s.flags & SegFlag.CUT) !== 0);
  }
}
