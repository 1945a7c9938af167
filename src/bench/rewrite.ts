/**
 * In-place rewriting of recorded pcap records, shared by the 1 GiB capture
 * (big.ts) and the live replay (live-replay.ts): per repetition a timestamp
 * shift and a bijection on ephemeral ports (so each repetition is a fresh set
 * of connections), optionally IPv4 addresses and MACs (so a recording made
 * in one lab can be replayed between the pods of another). Checksums are
 * fixed incrementally (RFC 1624). Only Ethernet/IPv4 TCP/UDP is rewritten.
 */
import { adjustChecksum } from '../layers/checksum.js';
import { RECORD_HEADER_BYTES, type PcapHeader } from './pcap-file.js';

const FIRST_EPHEMERAL_PORT = 1024;
const PORT_STRIDE = 4099; // prime, so remapped ports spread over the range

export function remapPort(port: number, rep: number): number {
  if (rep === 0 || port < FIRST_EPHEMERAL_PORT) return port;
  const span = 65536 - FIRST_EPHEMERAL_PORT;
  return FIRST_EPHEMERAL_PORT + ((port - FIRST_EPHEMERAL_PORT + rep * PORT_STRIDE) % span);
}

export { adjustChecksum };

export interface RewritePlan {
  /** Repetition number: 0 keeps ports. */
  rep: number;
  /** Seconds added to every timestamp. */
  shiftSeconds: number;
  /** IPv4 address (as uint32) → replacement; absent addresses are kept. */
  ipMap?: ReadonlyMap<number, number>;
  /** Destination MAC (6 bytes) by the packet's new destination IPv4 (uint32). */
  dstMac?: ReadonlyMap<number, Buffer>;
}

/** Replaces the 32-bit word at `at` with `to`, folding the change into both checksums. */
function swapAddress(b: Buffer, at: number, to: number, sums: { ip: number; l4: number }): void {
  const hi = b.readUInt16BE(at);
  const lo = b.readUInt16BE(at + 2);
  const nhi = to >>> 16;
  const nlo = to & 0xffff;
  b.writeUInt32BE(to >>> 0, at);
  sums.ip = adjustChecksum(adjustChecksum(sums.ip, hi, nhi), lo, nlo);
  sums.l4 = adjustChecksum(adjustChecksum(sums.l4, hi, nhi), lo, nlo); // pseudo-header
}

/** Rewrites the record at `off` in `b` (its 16-byte header included). False when it was not Ethernet/IPv4 TCP/UDP. */
export function rewriteRecord(b: Buffer, off: number, h: PcapHeader, plan: RewritePlan): boolean {
  const shift = plan.shiftSeconds;
  if (h.littleEndian) b.writeUInt32LE((b.readUInt32LE(off) + shift) >>> 0, off);
  else b.writeUInt32BE((b.readUInt32BE(off) + shift) >>> 0, off);
  const caplen = h.littleEndian ? b.readUInt32LE(off + 8) : b.readUInt32BE(off + 8);
  const p = off + RECORD_HEADER_BYTES;
  if (h.linkType !== 1 || caplen < 14 + 20 || b.readUInt16BE(p + 12) !== 0x0800) return false;
  const ip = p + 14;
  const ihl = (b[ip]! & 0x0f) * 4;
  const proto = b[ip + 9];
  const l4 = ip + ihl;
  const csumAt = proto === 6 ? l4 + 16 : proto === 17 ? l4 + 6 : -1;
  if (csumAt < 0 || csumAt + 2 > p + caplen) return false;
  const noChecksum = proto === 17 && b.readUInt16BE(csumAt) === 0; // UDP: 0 means none
  const sums = { ip: b.readUInt16BE(ip + 10), l4: b.readUInt16BE(csumAt) };
  if (plan.ipMap !== undefined) {
    for (const at of [ip + 12, ip + 16]) {
      const to = plan.ipMap.get(b.readUInt32BE(at));
      if (to !== undefined) swapAddress(b, at, to, sums);
    }
    b.writeUInt16BE(sums.ip, ip + 10);
  }
  const mac = plan.dstMac?.get(b.readUInt32BE(ip + 16));
  if (mac !== undefined) mac.copy(b, p);
  for (const at of [l4, l4 + 2]) {
    const oldPort = b.readUInt16BE(at);
    const newPort = remapPort(oldPort, plan.rep);
    if (newPort === oldPort) continue;
    b.writeUInt16BE(newPort, at);
    sums.l4 = adjustChecksum(sums.l4, oldPort, newPort);
  }
  if (!noChecksum) b.writeUInt16BE(proto === 17 && sums.l4 === 0 ? 0xffff : sums.l4, csumAt);
  return true;
}
