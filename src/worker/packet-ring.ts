/**
 * The worker's bounded memory of raw packets, for `GET /api/export.pcapng`:
 * every processed packet is copied into 1 MiB chunks; past `maxBytes` the
 * oldest chunk is dropped (counted). The hub asks for the packets of some
 * connections (`FlowQuery`: both ends and a time window) and gets them back
 * in the wire format below. Decoding happens only when asked, so the hot
 * path pays one copy per packet.
 *
 * Record layout (little endian): f64 ts (ms) · u16 linkType · u32 captured
 * length · u32 original length · bytes.
 */
import type { PacketRecord } from '../capture/types.js';
import { decodeLink } from '../layers/link.js';
import { IpPacket, decodeIpv4, decodeIpv6 } from '../layers/ip.js';
import { formatIpv4, formatIpv6 } from '../layers/address.js';

export const RING_CHUNK_BYTES = 1024 * 1024;
export const DEFAULT_RING_BYTES = 64 * 1024 * 1024;
const HEADER = 18;
/** Most bytes one answer carries; a bigger answer is cut and says so. */
export const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

export interface FlowQuery {
  /** The two ends (either order), transport and a time window in ms. */
  a: string; ap: number; b: string; bp: number;
  proto: 'tcp' | 'udp';
  from: number; to: number;
}

export interface RingCounters { packets: number; bytes: number; droppedChunks: number; droppedPackets: number }

interface Chunk { buf: Buffer; used: number; packets: number }

export class PacketRing {
  readonly counters: RingCounters = { packets: 0, bytes: 0, droppedChunks: 0, droppedPackets: 0 };
  private readonly chunks: Chunk[] = [];
  private readonly link = { offset: 0, ipVersion: 0 };
  private readonly ip = new IpPacket();

  constructor(readonly maxBytes = DEFAULT_RING_BYTES) {}

  add(rec: PacketRecord): void {
    const need = HEADER + rec.data.length;
    if (need > RING_CHUNK_BYTES) return; // larger than any snap length podtap uses
    let c = this.chunks[this.chunks.length - 1];
    if (c === undefined || c.used + need > RING_CHUNK_BYTES) {
      if ((this.chunks.length + 1) * RING_CHUNK_BYTES > this.maxBytes && this.chunks.length > 0) {
        const old = this.chunks.shift()!;
        this.counters.droppedChunks++;
        this.counters.droppedPackets += old.packets;
        c = { buf: old.buf, used: 0, packets: 0 }; // reuse the memory
      } else {
        c = { buf: Buffer.allocUnsafe(RING_CHUNK_BYTES), used: 0, packets: 0 };
      }
      this.chunks.push(c);
    }
    const b = c.buf, o = c.used;
    b.writeDoubleLE(rec.ts, o);
    b.writeUInt16LE(rec.linkType, o + 8);
    b.writeUInt32LE(rec.data.length, o + 10);
    b.writeUInt32LE(rec.origLength, o + 14);
    b.set(rec.data, o + HEADER);
    c.used += need;
    c.packets++;
    this.counters.packets++;
    this.counters.bytes += rec.data.length;
  }

  /** The packets of the queried flows, as records in the wire format; `truncated` when the answer hit MAX_ANSWER_BYTES. */
  find(flows: readonly FlowQuery[], maxBytes = MAX_ANSWER_BYTES): { data: Buffer; count: number; truncated: boolean } {
    const parts: Buffer[] = [];
    let size = 0, count = 0, truncated = false;
    const byPorts = new Map<string, FlowQuery[]>();
    for (const f of flows) {
      const k = `${Math.min(f.ap, f.bp)}:${Math.max(f.ap, f.bp)}`;
      (byPorts.get(k) ?? byPorts.set(k, []).get(k)!).push(f);
    }
    for (const c of this.chunks) {
      for (let o = 0; o < c.used;) {
        const len = c.buf.readUInt32LE(o + 10);
        const end = o + HEADER + len;
        if (this.matches(c.buf, o, len, byPorts)) {
          if (size + end - o > maxBytes) { truncated = true; break; }
          parts.push(c.buf.subarray(o, end));
          size += end - o;
          count++;
        }
        o = end;
      }
      if (truncated) break;
    }
    return { data: Buffer.concat(parts, size), count, truncated };
  }

  private matches(b: Buffer, o: number, len: number, byPorts: Map<string, FlowQuery[]>): boolean {
    const data = b.subarray(o + HEADER, o + HEADER + len);
    const l = decodeLink(data, b.readUInt16LE(o + 8), this.link);
    if (l.offset < 0) return false;
    const p = this.ip;
    const ok = l.ipVersion === 4 ? decodeIpv4(data, l.offset, p) : l.ipVersion === 6 ? decodeIpv6(data, l.offset, p) : false;
    if (!ok || (p.protocol !== 6 && p.protocol !== 17) || p.isFragment || p.l4Len < 4) return false;
    const d = p.l4Buf;
    const sp = (d[p.l4Off]! << 8) | d[p.l4Off + 1]!, dp = (d[p.l4Off + 2]! << 8) | d[p.l4Off + 3]!;
    const candidates = byPorts.get(`${Math.min(sp, dp)}:${Math.max(sp, dp)}`);
    if (candidates === undefined) return false;
    const ts = b.readDoubleLE(o);
    const fmt = p.version === 4 ? formatIpv4 : formatIpv6;
    const src = fmt(p.addrBuf, p.srcOff), dst = fmt(p.addrBuf, p.dstOff);
    const proto = p.protocol === 6 ? 'tcp' : 'udp';
    return candidates.some((f) => f.proto === proto && ts >= f.from && ts <= f.to
      && ((f.a === src && f.ap === sp && f.b === dst && f.bp === dp) || (f.a === dst && f.ap === dp && f.b === src && f.bp === sp)));
  }
}

/** Split an answer back into records (the hub's side). Stops at a malformed record. */
export function* ringRecords(data: Buffer): Generator<{ ts: number; linkType: number; data: Buffer; origLength: number }> {
  for (let o = 0; o + HEADER <= data.length;) {
    const len = data.readUInt32LE(o + 10);
    if (o + HEADER + len > data.length) return;
    yield { ts: data.readDoubleLE(o), linkType: data.readUInt16LE(o + 8), origLength: data.readUInt32LE(o + 14), data: data.subarray(o + HEADER, o + HEADER + len) };
    o += HEADER + len;
  }
}
