/**
 * The link and IP layers (src/layers): link types, VLAN tags, IPv4 options
 * and lengths, IPv6 extension-header chains, and IPv4/IPv6 fragment
 * reassembly. Inputs are frame lists (frames.ts) pushed through a real
 * Pipeline, so what the layers pass on reaches TCP, UDP, ICMP and dissectors.
 */
import { Pipeline } from '../../pipeline/pipeline.js';
import { ethernet, ipv4, ipv6, udpDatagram, tcpSegment } from '../../testing/packets.js';
import { type Frame, decodeFrames, encodeFrames, mutateFrames } from '../frames.js';
import { fixtureFrames, spread } from '../library.js';
import { type FuzzTarget, tokens } from '../target.js';
import { consumeEntry } from './entries.js';

const ETH = 1, RAW = 101, SLL = 113, SLL2 = 276, NULL = 0, LOOP = 108, IPV4 = 228, IPV6 = 229, C_HDLC = 104;
const BASE_TS = 1_700_000_000_000;
const FRAGMENT_BYTES = 24;

/** The same IP packet under every link type the pipeline decodes, and behind VLAN and QinQ tags. */
function relinked(ip: Buffer): Frame[] {
  const v6 = ip[0] >> 4 === 6;
  const type = v6 ? 0x86dd : 0x0800;
  const sll = Buffer.alloc(16); sll.writeUInt16BE(type, 14);
  const sll2 = Buffer.alloc(20); sll2.writeUInt16BE(type, 0);
  const nullLe = Buffer.alloc(4); nullLe.writeUInt32LE(v6 ? 30 : 2, 0);
  const loop = Buffer.alloc(4); loop.writeUInt32BE(v6 ? 24 : 2, 0);
  const hdlc = Buffer.from([0x0f, 0x00, type >> 8, type & 0xff]);
  return [
    { linkType: RAW, data: ip }, { linkType: v6 ? IPV6 : IPV4, data: ip },
    { linkType: SLL, data: Buffer.concat([sll, ip]) }, { linkType: SLL2, data: Buffer.concat([sll2, ip]) },
    { linkType: NULL, data: Buffer.concat([nullLe, ip]) }, { linkType: LOOP, data: Buffer.concat([loop, ip]) },
    { linkType: C_HDLC, data: Buffer.concat([hdlc, ip]) },
    { linkType: ETH, data: ethernet(type, ip, [10]) }, { linkType: ETH, data: ethernet(type, ip, [10, 20]) },
  ];
}

/** A UDP datagram (DNS-looking) and a TCP segment cut into IPv4 and IPv6 fragments: in order, reversed, overlapping. */
function fragmented(): Frame[][] {
  const dns = Buffer.concat([Buffer.from('12340100000100000000000003777777076578616d706c6503636f6d0000010001', 'hex'), Buffer.alloc(40, 0x61)]);
  const udp = udpDatagram(40000, 53, dns);
  const tcp = tcpSegment({ src: '', dst: '', sport: 40000, dport: 80, seq: 1, flags: 'PA', payload: 'GET / HTTP/1.1\r\nHost: a\r\n\r\n' });
  const v4 = (l4: Buffer, proto: number, id: number): Frame[] => {
    const out: Frame[] = [];
    for (let o = 0; o < l4.length; o += FRAGMENT_BYTES) {
      const ip = ipv4('10.0.0.1', '10.0.0.2', proto, l4.subarray(o, o + FRAGMENT_BYTES), { id, fragOffset: o, more: o + FRAGMENT_BYTES < l4.length });
      out.push({ linkType: ETH, data: ethernet(0x0800, ip) });
    }
    return out;
  };
  const v6 = (l4: Buffer, proto: number, id: number): Frame[] => {
    const out: Frame[] = [];
    for (let o = 0; o < l4.length; o += FRAGMENT_BYTES) {
      const fh = Buffer.alloc(8);
      fh[0] = proto;
      fh.writeUInt16BE(o | (o + FRAGMENT_BYTES < l4.length ? 1 : 0), 2);
      fh.writeUInt32BE(id, 4);
      out.push({ linkType: ETH, data: ethernet(0x86dd, ipv6('fd00::1', 'fd00::2', 44, Buffer.concat([fh, l4.subarray(o, o + FRAGMENT_BYTES)]))) });
    }
    return out;
  };
  const a = v4(udp, 17, 7);
  const b = v6(udp, 17, 9);
  const overlap = [...a.slice(0, 2), { linkType: ETH, data: ethernet(0x0800, ipv4('10.0.0.1', '10.0.0.2', 17, Buffer.alloc(32, 0x42), { id: 7, fragOffset: 8, more: true })) }, ...a.slice(2)];
  return [a, [...a].reverse(), b, [...b].reverse(), overlap, v4(tcp, 6, 11), v6(tcp, 6, 12)];
}

export const layersTarget: FuzzTarget = {
  name: 'layers',
  about: 'link types, VLAN, IPv4/IPv6 headers and extension chains, fragment reassembly',
  dict: tokens('\x81\x00', '\x88\xa8', '\x08\x00', '\x86\xdd', '\x45', '\x4f', '\x60', '\x2c', '\x00\x00', '\x20\x00', '\x3f\xff', '\x00\x3b', '\x33'),
  seeds() {
    const captured = fixtureFrames();
    const ips = captured.flat().filter((f) => f.linkType === ETH && f.data.length > 34 && [0x0800, 0x86dd].includes((f.data[12] << 8) | f.data[13])).slice(0, 8);
    const relinks = ips.map((f) => relinked(Buffer.from(f.data.subarray(14))));
    return spread([...fragmented(), ...relinks, ...captured].map(encodeFrames));
  },
  mutate: (input, cx, rounds) => mutateFrames(input, cx, rounds),
  run(input) {
    const p = new Pipeline(consumeEntry);
    decodeFrames(input).forEach((f, i) => p.packet({ ts: BASE_TS + i, linkType: f.linkType, iface: 0, data: f.data, origLength: f.data.length }));
    p.finish();
  },
};
