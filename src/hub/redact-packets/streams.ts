/**
 * The TCP streams of an export's packets, rebuilt so that secrets split
 * across segments can be found, and the masks carried back to the packets.
 *
 * 1. Every record is decoded (link, IP, TCP) in place; its payload is placed
 *    in its direction's stream at `seq - base`, where base is the SYN's
 *    sequence number + 1 when the SYN is in the export, else the lowest
 *    sequence number seen (32-bit wrap-around taken into account).
 * 2. The scanners (`text.ts`, `binary.ts`, `http2.ts`) read `bytes` (gaps
 *    are zeros; `headRun` is the captured run from the stream's start) and
 *    mask through `mask`/`set`, which change a copy, `masked`.
 * 3. `applyMasks` copies back into each packet only the bytes the scanners
 *    changed, so a retransmission is masked like the original, and updates
 *    the TCP checksum incrementally (RFC 1624): a checksum that was right
 *    stays right, one left to offload stays as wrong as it was.
 *
 * Payload that cannot be placed in a stream (an IP fragment, a stream past
 * MAX_STREAM_BYTES) is masked whole: an export never carries bytes no
 * scanner has read.
 */
import { decodeLink, type LinkResult } from '../../layers/link.js';
import { IpPacket, IpProto, decodeIpv4, decodeIpv6 } from '../../layers/ip.js';
import { formatIp } from '../../layers/address.js';
import { adjustChecksum, onesSum } from '../../layers/checksum.js';

/** One direction's stream is rebuilt up to this many bytes; payload past it is masked whole. */
export const MAX_STREAM_BYTES = 64 * 1024 * 1024;
/** The byte that replaces a secret. */
export const MASK_BYTE = 0x2a; // '*'

export interface PacketRecord { ts: number; linkType: number; data: Buffer; origLength: number }

/** Where one record's TCP payload is. */
interface Placed {
  rec: PacketRecord;
  /** Offset of the TCP header and of the payload in rec.data, payload length. */
  tcpOff: number;
  payOff: number;
  len: number;
  seq: number;
  syn: boolean;
  /** The IP length is within the captured bytes and this is not a fragment: the checksum can be updated. */
  whole: boolean;
}

export class Stream {
  /** The captured bytes in stream order; gaps are zeros. */
  bytes: Buffer = Buffer.alloc(0);
  /** The same bytes with the secrets masked: a copy made on the first mask (most streams have none). */
  private copy: Buffer | null = null;
  /** Ranges changed in `masked`, in the order they were changed. */
  readonly dirty: Array<[number, number]> = [];
  /** The SYN of this direction is in the export: offset 0 is the stream's first byte. */
  fromStart = false;
  /** Captured ranges, sorted and merged. */
  ranges: Array<[number, number]> = [];
  readonly packets: Array<{ p: Placed; off: number }> = [];

  constructor(readonly key: string, readonly srcPort: number, readonly dstPort: number) {}

  /** The length of the captured run from offset 0 (0 when the stream's start was not captured). */
  get headRun(): number {
    return this.fromStart && this.ranges.length > 0 && this.ranges[0][0] === 0 ? this.ranges[0][1] : 0;
  }

  /** The masked bytes (the captured ones while nothing is masked). */
  get masked(): Buffer {
    return this.copy ?? this.bytes;
  }

  private writable(): Buffer {
    this.copy ??= Buffer.from(this.bytes);
    return this.copy;
  }

  /** Mask [start, end) with MASK_BYTE. */
  mask(start: number, end: number): void {
    const s = Math.max(0, start), e = Math.min(end, this.bytes.length);
    if (e <= s) return;
    this.writable().fill(MASK_BYTE, s, e);
    this.dirty.push([s, e]);
  }

  /** Set one byte of the masked copy (HTTP/2 clears a Huffman bit). */
  set(at: number, value: number): void {
    if (at < 0 || at >= this.bytes.length) return;
    this.writable()[at] = value;
    this.dirty.push([at, at + 1]);
  }
}

export interface Connection { a: Stream; b: Stream }

export interface Streams {
  connections: Connection[];
  /** Records whose payload could not be placed: masked whole. */
  unplaced: Placed[];
}

const link: LinkResult = { offset: 0, ipVersion: 0 };
const ip = new IpPacket();

function place(rec: PacketRecord): (Placed & { key: string; rev: string; sport: number; dport: number }) | null | 'fragment' {
  const d = rec.data;
  decodeLink(d, rec.linkType, link);
  if (link.offset < 0 || (link.ipVersion !== 4 && link.ipVersion !== 6)) return null;
  if (!(link.ipVersion === 4 ? decodeIpv4(d, link.offset, ip) : decodeIpv6(d, link.offset, ip))) return null;
  if (ip.protocol !== IpProto.TCP) return null;
  if (ip.isFragment) return ip.l4Buf === d ? 'fragment' : null;
  const t = ip.l4Off;
  if (ip.l4Buf !== d || ip.l4Len < 20) return null;
  const hl = (d[t + 12] >> 4) * 4;
  if (hl < 20 || hl > ip.l4Len) return null;
  const src = formatIp(d, ip.srcOff, ip.addrLen);
  const dst = formatIp(d, ip.dstOff, ip.addrLen);
  const sport = d.readUInt16BE(t), dport = d.readUInt16BE(t + 2);
  return {
    rec, tcpOff: t, payOff: t + hl, len: ip.l4Len - hl, seq: d.readUInt32BE(t + 4), syn: (d[t + 13] & 0x02) !== 0,
    whole: !ip.truncated, key: `${src}|${sport}|${dst}|${dport}`, rev: `${dst}|${dport}|${src}|${sport}`, sport, dport,
  };
}

/** Rebuild the TCP streams of `records` (step 1 of the module comment). */
export function buildStreams(records: readonly PacketRecord[]): Streams {
  const byKey = new Map<string, { s: Stream; segs: Placed[]; synSeq: number | null }>();
  const connections: Connection[] = [];
  const unplaced: Placed[] = [];
  for (const rec of records) {
    const p = place(rec);
    if (p === null) continue;
    if (p === 'fragment') {
      // A TCP segment in IP fragments: its payload is not placed, so it is masked whole past the IP header.
      unplaced.push({ rec, tcpOff: ip.l4Off, payOff: ip.l4Off, len: ip.l4Len, seq: 0, syn: false, whole: false });
      continue;
    }
    let dir = byKey.get(p.key);
    if (dir === undefined) {
      dir = { s: new Stream(p.key, p.sport, p.dport), segs: [], synSeq: null };
      byKey.set(p.key, dir);
      const other = byKey.get(p.rev);
      if (other !== undefined) connections.push({ a: other.s, b: dir.s });
    }
    if (p.syn && dir.synSeq === null) dir.synSeq = p.seq;
    dir.segs.push(p);
  }
  for (const dir of byKey.values()) {
    const s = dir.s;
    if (!connections.some((c) => c.a === s || c.b === s)) connections.push({ a: s, b: new Stream(`${s.key}~`, s.dstPort, s.srcPort) });
    let base: number;
    if (dir.synSeq !== null) { base = (dir.synSeq + 1) >>> 0; s.fromStart = true; } else {
      base = dir.segs[0]?.seq ?? 0;
      for (const p of dir.segs) if (((p.seq - base) | 0) < 0) base = p.seq;
    }
    let size = 0;
    const at: Array<{ p: Placed; off: number }> = [];
    for (const p of dir.segs) {
      if (p.len <= 0) continue;
      // A SYN's sequence number is the SYN itself; its data (TCP Fast Open) starts one later.
      const off = ((p.seq + (p.syn ? 1 : 0) - base) | 0);
      if (off < 0 || off + p.len > MAX_STREAM_BYTES) { unplaced.push(p); continue; }
      at.push({ p, off });
      size = Math.max(size, off + p.len);
    }
    s.bytes = Buffer.alloc(size);
    for (const { p, off } of at) p.rec.data.copy(s.bytes, off, p.payOff, p.payOff + p.len);
    at.sort((x, y) => x.off - y.off);
    s.packets.push(...at);
    s.ranges = merged(at.map(({ p, off }) => [off, off + p.len]));
  }
  return { connections, unplaced };
}

/** Overwrite `data[from, to)` with `next` and update the TCP checksum at `tcpOff` (RFC 1624, eqn. 3). */
function rewrite(p: Placed, from: number, next: Uint8Array): void {
  const d = p.rec.data;
  const to = from + next.length;
  // Whole 16-bit words around the change, counted from the TCP header.
  const ws = from - ((from - p.tcpOff) & 1);
  const we = Math.min(p.payOff + p.len, to + ((to - p.tcpOff) & 1));
  const old = onesSum(d, ws, we);
  Buffer.from(next).copy(d, from);
  if (!p.whole) return;
  d.writeUInt16BE(adjustChecksum(d.readUInt16BE(p.tcpOff + 16), old, onesSum(d, ws, we)), p.tcpOff + 16);
}

/** Ranges sorted and merged where they overlap or touch (a new array; the input is kept). */
function merged(ranges: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const r of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]); else out.push([r[0], r[1]]);
  }
  return out;
}

/** Copy one packet's share of a dirty range [a, b) (stream offsets) back into it; true when it changed. */
function carry(s: Stream, p: Placed, off: number, a: number, b: number): boolean {
  const masked = s.masked;
  let changed = false;
  for (let i = a - off; i < b - off;) {
    if (masked[off + i] === s.bytes[off + i]) { i++; continue; }
    let j = i;
    while (j < b - off && masked[off + j] !== s.bytes[off + j]) j++;
    // A retransmission with other bytes than the stream kept is masked whole where they differ.
    const same = p.rec.data.subarray(p.payOff + i, p.payOff + j).equals(s.bytes.subarray(off + i, off + j));
    rewrite(p, p.payOff + i, same ? masked.subarray(off + i, off + j) : Buffer.alloc(j - i, MASK_BYTE));
    changed = true;
    i = j;
  }
  return changed;
}

/** Step 3: the masks back into the packets. Returns the number of packets changed. */
export function applyMasks(streams: Streams): number {
  const changed = new Set<Placed>();
  for (const c of streams.connections) {
    for (const s of [c.a, c.b]) {
      if (s.dirty.length === 0) continue;
      const ranges = merged(s.dirty);
      // Packets are sorted by offset; a packet can overlap several ranges and (retransmissions) the other way round.
      let first = 0;
      for (const { p, off } of s.packets) {
        const end = off + p.len;
        while (first < ranges.length && ranges[first][1] <= off) first++;
        for (let k = first; k < ranges.length && ranges[k][0] < end; k++) {
          if (carry(s, p, off, Math.max(off, ranges[k][0]), Math.min(end, ranges[k][1]))) changed.add(p);
        }
      }
    }
  }
  for (const p of streams.unplaced) {
    if (p.len <= 0) continue;
    rewrite(p, p.payOff, Buffer.alloc(Math.min(p.len, p.rec.data.length - p.payOff), MASK_BYTE));
    changed.add(p);
  }
  return changed.size;
}
