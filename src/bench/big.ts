/**
 * Builds a capture of at least BIG_MIN_BYTES by repeating a recorded pcap:
 * repetition k shifts every timestamp by k × (the source's span + 2 s) and
 * remaps every port >= 1024 (the clients' ephemeral ports; the servers' are
 * below) with a per-repetition bijection, fixing the TCP/UDP checksum
 * incrementally (RFC 1624). So each repetition is a fresh set of connections
 * later in time. Streaming: one read chunk and its rewritten copy in memory.
 * Only Ethernet/IPv4 packets are rewritten; others are copied as they are.
 */
import { open, stat } from 'node:fs/promises';
import { RECORD_HEADER_BYTES, scanPcap, type PcapHeader } from './pcap-file.js';

/** The --big capture must be at least this large. */
export const BIG_MIN_BYTES = 1024 * 1024 * 1024;
const OUT_BUFFER_BYTES = 8 * 1024 * 1024;
const FIRST_EPHEMERAL_PORT = 1024;
const PORT_STRIDE = 4099; // prime, so remapped ports spread over the range
/** Safety stop: a source this small would need too many passes. */
const MAX_REPETITIONS = 10_000;

export interface BigCaptureInfo {
  file: string;
  source: string;
  repetitions: number;
  packets: number;
  bytes: number;
  /** Packets copied without rewriting (not Ethernet/IPv4/TCP-or-UDP). */
  notRewritten: number;
}

export function remapPort(port: number, rep: number): number {
  if (rep === 0 || port < FIRST_EPHEMERAL_PORT) return port;
  const span = 65536 - FIRST_EPHEMERAL_PORT;
  return FIRST_EPHEMERAL_PORT + ((port - FIRST_EPHEMERAL_PORT + rep * PORT_STRIDE) % span);
}

/** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for one 16-bit word m → m'. */
export function adjustChecksum(sum: number, oldWord: number, newWord: number): number {
  let s = (~sum & 0xffff) + (~oldWord & 0xffff) + newWord;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Source span in whole seconds (first to last record), read once. */
async function spanSeconds(source: string): Promise<number> {
  let first = -1;
  let last = 0;
  let le = true;
  await scanPcap(source, {
    header: (h) => void (le = h.littleEndian),
    record: (buf, off) => {
      const sec = le ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
      if (first < 0) first = sec;
      last = sec;
    },
  });
  return Math.max(0, last - first);
}

/** Rewrites one record in place (at `off` in `b`, header included) for repetition `rep`. */
function rewrite(b: Buffer, off: number, h: PcapHeader, rep: number, shift: number): boolean {
  if (h.littleEndian) b.writeUInt32LE((b.readUInt32LE(off) + shift) >>> 0, off);
  else b.writeUInt32BE((b.readUInt32BE(off) + shift) >>> 0, off);
  const caplen = h.littleEndian ? b.readUInt32LE(off + 8) : b.readUInt32BE(off + 8);
  const p = off + RECORD_HEADER_BYTES;
  if (h.linkType !== 1 || caplen < 14 + 20 || b.readUInt16BE(p + 12) !== 0x0800) return false;
  const ihl = (b[p + 14]! & 0x0f) * 4;
  const proto = b[p + 14 + 9];
  const l4 = p + 14 + ihl;
  const csumAt = proto === 6 ? l4 + 16 : proto === 17 ? l4 + 6 : -1;
  if (csumAt < 0 || csumAt + 2 > p + caplen) return false;
  const noChecksum = proto === 17 && b.readUInt16BE(csumAt) === 0; // UDP: 0 means none
  let sum = b.readUInt16BE(csumAt);
  for (const at of [l4, l4 + 2]) {
    const oldPort = b.readUInt16BE(at);
    const newPort = remapPort(oldPort, rep);
    if (newPort === oldPort) continue;
    b.writeUInt16BE(newPort, at);
    sum = adjustChecksum(sum, oldPort, newPort);
  }
  if (!noChecksum) b.writeUInt16BE(proto === 17 && sum === 0 ? 0xffff : sum, csumAt);
  return true;
}

/** Writes `target` from repetitions of `source` until it holds at least `minBytes`. */
export async function buildBigCapture(source: string, target: string, minBytes = BIG_MIN_BYTES, log: (l: string) => void = () => undefined): Promise<BigCaptureInfo> {
  const srcBytes = (await stat(source)).size;
  const shiftPerRep = (await spanSeconds(source)) + 2;
  const out = await open(target, 'w');
  let bytes = 0;
  let packets = 0;
  let notRewritten = 0;
  let rep = 0;
  let hdr: PcapHeader | undefined;
  try {
    const full: Buffer[] = [];
    let cur = Buffer.allocUnsafe(OUT_BUFFER_BYTES);
    let pos = 0;
    const flush = async (): Promise<void> => {
      for (const b of full.splice(0)) await out.write(b, 0, b.length);
      if (pos > 0) await out.write(cur, 0, pos);
      cur = Buffer.allocUnsafe(OUT_BUFFER_BYTES);
      pos = 0;
    };
    for (; rep < MAX_REPETITIONS && bytes < minBytes; rep++) {
      await scanPcap(source, {
        header: (h) => {
          hdr = h;
          if (rep === 0) {
            h.raw.copy(cur, pos);
            pos += h.raw.length;
            bytes += h.raw.length;
          }
        },
        record: (buf, off, len) => {
          if (pos + len > cur.length) {
            full.push(cur.subarray(0, pos));
            cur = Buffer.allocUnsafe(Math.max(OUT_BUFFER_BYTES, len));
            pos = 0;
          }
          buf.copy(cur, pos, off, off + len);
          if (!rewrite(cur, pos, hdr as PcapHeader, rep, rep * shiftPerRep)) notRewritten++;
          pos += len;
          bytes += len;
          packets++;
        },
        chunkDone: flush,
      });
      if (rep % 4 === 3) log(`  big capture: ${rep + 1} repetitions, ${(bytes / 2 ** 20).toFixed(0)} MiB`);
    }
    await flush();
  } finally {
    await out.close();
  }
  if (bytes < minBytes) throw new Error(`${source} (${srcBytes} bytes) is too small to reach ${minBytes} bytes`);
  return { file: target, source, repetitions: rep, packets, bytes, notRewritten };
}
