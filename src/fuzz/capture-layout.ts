/**
 * A capture file cut into its frames — the pcap file header and records, or
 * the pcapng blocks — so mutations can drop, repeat, reorder and rewrite
 * whole records, and change a packet's bytes while keeping its length fields
 * right. Bytes after the last whole frame are kept as `rest`.
 */
import { u32be, u32le } from '../capture/bytes.js';
import { pcapMagic } from '../capture/pcap.js';
import { isShbAt } from '../capture/pcapng.js';

export interface CaptureLayout {
  kind: 'pcap' | 'pcapng';
  /** Byte order of the (first) section. */
  le: boolean;
  frames: Uint8Array[];
  rest: Uint8Array;
}

const PCAP_HEADER_BYTES = 24;
const PCAP_RECORD_HEADER_BYTES = 16;
const PCAPNG_BOM = 0x1a2b3c4d;
/** pcapng Enhanced Packet Block: type, fixed part before the packet bytes. */
const EPB_TYPE = 6;
const EPB_DATA_OFFSET = 28;

export function splitCapture(b: Uint8Array): CaptureLayout | null {
  if (b.length >= 4 && isShbAt(b, 0)) return splitPcapng(b);
  const m = pcapMagic(b);
  if (m === null || b.length < PCAP_HEADER_BYTES) return null;
  const frames = [b.subarray(0, PCAP_HEADER_BYTES)];
  let o = PCAP_HEADER_BYTES;
  while (o + PCAP_RECORD_HEADER_BYTES <= b.length) {
    const caplen = m.le ? u32le(b, o + 8) : u32be(b, o + 8);
    const end = o + PCAP_RECORD_HEADER_BYTES + caplen;
    if (end > b.length) break;
    frames.push(b.subarray(o, end));
    o = end;
  }
  return { kind: 'pcap', le: m.le, frames, rest: b.subarray(o) };
}

function splitPcapng(b: Uint8Array): CaptureLayout {
  const frames: Uint8Array[] = [];
  let o = 0;
  let le = true;
  let firstLe: boolean | undefined;
  while (o + 12 <= b.length) {
    if (isShbAt(b, o)) le = u32le(b, o + 8) === PCAPNG_BOM;
    firstLe ??= le;
    const len = le ? u32le(b, o + 4) : u32be(b, o + 4);
    if (len < 12 || len % 4 !== 0 || o + len > b.length) break;
    frames.push(b.subarray(o, o + len));
    o += len;
  }
  return { kind: 'pcapng', le: firstLe ?? true, frames, rest: b.subarray(o) };
}

export function joinCapture(l: CaptureLayout, keepRest = true): Uint8Array {
  return Buffer.concat([...l.frames, ...(keepRest ? [l.rest] : [])]);
}

function put32(b: Uint8Array, o: number, v: number, le: boolean): void {
  const x = v >>> 0;
  if (le) { b[o] = x & 0xff; b[o + 1] = (x >>> 8) & 0xff; b[o + 2] = (x >>> 16) & 0xff; b[o + 3] = x >>> 24; }
  else { b[o] = x >>> 24; b[o + 1] = (x >>> 16) & 0xff; b[o + 2] = (x >>> 8) & 0xff; b[o + 3] = x & 0xff; }
}

/** The packet bytes of a record frame (pcap record or pcapng EPB), or null for other frames. */
export function packetOf(l: CaptureLayout, i: number): Uint8Array | null {
  const f = l.frames[i];
  if (l.kind === 'pcap') return i === 0 ? null : f.subarray(PCAP_RECORD_HEADER_BYTES);
  const type = l.le ? u32le(f, 0) : u32be(f, 0);
  if (type !== EPB_TYPE || f.length < EPB_DATA_OFFSET + 4) return null;
  const caplen = l.le ? u32le(f, 20) : u32be(f, 20);
  return EPB_DATA_OFFSET + caplen + 4 <= f.length ? f.subarray(EPB_DATA_OFFSET, EPB_DATA_OFFSET + caplen) : null;
}

/** Frame `i` rebuilt around new packet bytes, its length fields (and the original length) made to match. */
export function withPacket(l: CaptureLayout, i: number, data: Uint8Array): Uint8Array {
  const f = l.frames[i];
  if (l.kind === 'pcap') {
    const out = new Uint8Array(PCAP_RECORD_HEADER_BYTES + data.length);
    out.set(f.subarray(0, PCAP_RECORD_HEADER_BYTES));
    out.set(data, PCAP_RECORD_HEADER_BYTES);
    put32(out, 8, data.length, l.le);
    put32(out, 12, data.length, l.le);
    return out;
  }
  const old = packetOf(l, i)!;
  const oldPadded = (old.length + 3) & ~3;
  const options = f.subarray(EPB_DATA_OFFSET + oldPadded, f.length - 4);
  const padded = (data.length + 3) & ~3;
  const total = EPB_DATA_OFFSET + padded + options.length + 4;
  const out = new Uint8Array(total);
  out.set(f.subarray(0, EPB_DATA_OFFSET));
  out.set(data, EPB_DATA_OFFSET);
  out.set(options, EPB_DATA_OFFSET + padded);
  put32(out, 4, total, l.le);
  put32(out, 20, data.length, l.le);
  put32(out, 24, data.length, l.le);
  put32(out, total - 4, total, l.le);
  return out;
}
