/**
 * Frame builders for tests, fuzzing and benchmarks: Ethernet/IPv4/IPv6 with
 * TCP or UDP, correct lengths (checksums are left zero; podtap ignores them).
 */

export interface TcpSpec {
  src: string; dst: string; sport: number; dport: number;
  seq: number; ack?: number; flags?: string; payload?: Uint8Array | string;
  /** IPv4 identification / fragment fields for crafted cases. */
  ipId?: number;
  vlan?: number[];
}

export interface UdpSpec {
  src: string; dst: string; sport: number; dport: number; payload: Uint8Array | string; vlan?: number[];
}

export function bytesOf(p: Uint8Array | string | undefined): Buffer {
  if (p === undefined) return Buffer.alloc(0);
  return typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p);
}

export function parseIpv4(a: string): Buffer {
  return Buffer.from(a.split('.').map((x) => Number(x)));
}

export function parseIpv6(a: string): Buffer {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

const isV6 = (a: string): boolean => a.includes(':');

function tcpFlags(f: string): number {
  let v = 0;
  for (const c of f) v |= ({ F: 1, S: 2, R: 4, P: 8, A: 16, U: 32 } as Record<string, number>)[c] ?? 0;
  return v;
}

export function tcpSegment(s: TcpSpec): Buffer {
  const payload = bytesOf(s.payload);
  const h = Buffer.alloc(20);
  h.writeUInt16BE(s.sport, 0);
  h.writeUInt16BE(s.dport, 2);
  h.writeUInt32BE(s.seq >>> 0, 4);
  h.writeUInt32BE((s.ack ?? 0) >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = tcpFlags(s.flags ?? (payload.length ? 'PA' : 'A'));
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, payload]);
}

export function udpDatagram(sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function ipv4(src: string, dst: string, proto: number, l4: Buffer, o: { id?: number; fragOffset?: number; more?: boolean } = {}): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + l4.length, 2);
  h.writeUInt16BE(o.id ?? 1, 4);
  h.writeUInt16BE(((o.fragOffset ?? 0) / 8) | (o.more ? 0x2000 : 0), 6);
  h[8] = 64;
  h[9] = proto;
  parseIpv4(src).copy(h, 12);
  parseIpv4(dst).copy(h, 16);
  return Buffer.concat([h, l4]);
}

export function ipv6(src: string, dst: string, nextHeader: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(payload.length, 4);
  h[6] = nextHeader;
  h[7] = 64;
  parseIpv6(src).copy(h, 8);
  parseIpv6(dst).copy(h, 24);
  return Buffer.concat([h, payload]);
}

export function ethernet(ethertype: number, payload: Buffer, vlan: number[] = []): Buffer {
  const tags = vlan.map((id) => { const t = Buffer.alloc(4); t.writeUInt16BE(0x8100, 0); t.writeUInt16BE(id, 2); return t; });
  const h = Buffer.alloc(14);
  h.set([2, 0, 0, 0, 0, 1], 0);
  h.set([2, 0, 0, 0, 0, 2], 6);
  if (tags.length === 0) { h.writeUInt16BE(ethertype, 12); return Buffer.concat([h, payload]); }
  // Tags go between the source MAC and the ethertype.
  const head = h.subarray(0, 12);
  const type = Buffer.alloc(2);
  type.writeUInt16BE(ethertype, 0);
  return Buffer.concat([head, ...tags, type, payload]);
}

/** An Ethernet frame carrying one TCP segment over IPv4 or IPv6. */
export function tcpFrame(s: TcpSpec): Buffer {
  const seg = tcpSegment(s);
  if (isV6(s.src)) return ethernet(0x86dd, ipv6(s.src, s.dst, 6, seg), s.vlan);
  return ethernet(0x0800, ipv4(s.src, s.dst, 6, seg, { id: s.ipId }), s.vlan);
}

export function udpFrame(s: UdpSpec): Buffer {
  const dg = udpDatagram(s.sport, s.dport, bytesOf(s.payload));
  if (isV6(s.src)) return ethernet(0x86dd, ipv6(s.src, s.dst, 17, dg), s.vlan);
  return ethernet(0x0800, ipv4(s.src, s.dst, 17, dg), s.vlan);
}

/**
 * A whole TCP conversation: handshake, the given exchanges (each side's data
 * sent as one segment, acknowledged by the other), and FIN/ACK teardown.
 * Returns frames in order with timestamps 1 ms apart.
 */
export function tcpConversation(o: { client: string; server: string; cport: number; sport: number; exchanges: Array<[string | Uint8Array, string | Uint8Array]>; isnC?: number; isnS?: number; handshake?: boolean; close?: boolean; mss?: number }): Buffer[] {
  const frames: Buffer[] = [];
  let cs = o.isnC ?? 1000;
  let ss = o.isnS ?? 5000;
  const C = { src: o.client, dst: o.server, sport: o.cport, dport: o.sport };
  const S = { src: o.server, dst: o.client, sport: o.sport, dport: o.cport };
  if (o.handshake !== false) {
    frames.push(tcpFrame({ ...C, seq: cs, flags: 'S' }));
    frames.push(tcpFrame({ ...S, seq: ss, ack: cs + 1, flags: 'SA' }));
    cs++; ss++;
    frames.push(tcpFrame({ ...C, seq: cs, ack: ss, flags: 'A' }));
  }
  const mss = o.mss ?? 1460;
  const send = (side: 'c' | 's', data: Buffer): void => {
    for (let off = 0; off < data.length; off += mss) {
      const part = data.subarray(off, off + mss);
      if (side === 'c') { frames.push(tcpFrame({ ...C, seq: cs, ack: ss, payload: part })); cs = (cs + part.length) >>> 0; }
      else { frames.push(tcpFrame({ ...S, seq: ss, ack: cs, payload: part })); ss = (ss + part.length) >>> 0; }
    }
  };
  for (const [req, res] of o.exchanges) {
    if (bytesOf(req).length) send('c', bytesOf(req));
    if (bytesOf(res).length) send('s', bytesOf(res));
  }
  if (o.close !== false) {
    frames.push(tcpFrame({ ...C, seq: cs, ack: ss, flags: 'FA' }));
    frames.push(tcpFrame({ ...S, seq: ss, ack: cs + 1, flags: 'FA' }));
    frames.push(tcpFrame({ ...C, seq: cs + 1, ack: ss + 1, flags: 'A' }));
  }
  return frames;
}
