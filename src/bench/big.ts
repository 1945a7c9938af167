/**
 * Builds a capture of at least BIG_MIN_BYTES by repeating a recorded pcap:
 * repetition k shifts every timestamp by k × (the source's span + 2 s) and
 * remaps every port >= 1024 (the clients' ephemeral ports; the servers' are
 * below) with a per-repetition bijection, fixing the TCP/UDP checksum
 * incrementally (RFC 1624). So each repetition is a fresh set of connections
 * later in time. Streaming: one read chunk and its rewritten copy in memory.
 * Only Ethernet/IPv4 packets are rewritten; others are copied as they are.
 * The live replay (live-replay.ts) uses the same repetition, with addresses
 * and MACs rewritten to the lab's pods.
 */
import { open, stat } from 'node:fs/promises';
import { scanPcap, type PcapHeader } from './pcap-file.js';
import { rewriteRecord, type RewritePlan } from './rewrite.js';

export { adjustChecksum, remapPort } from './rewrite.js';

/** The --big capture must be at least this large. */
export const BIG_MIN_BYTES = 1024 * 1024 * 1024;
const OUT_BUFFER_BYTES = 8 * 1024 * 1024;
/**
 * Safety stop: a source this small would need too many passes. The protocols
 * bench repeats a 13-packet ICMP recording about 70,000 times to match the
 * HTTP/1 baseline's 900k packets; ports are remapped per repetition and the
 * repetitions are seconds apart, so a 4-tuple used again is a new connection.
 */
const MAX_REPETITIONS = 200_000;

export interface BigCaptureInfo {
  file: string;
  source: string;
  repetitions: number;
  packets: number;
  bytes: number;
  /** Packets copied without rewriting (not Ethernet/IPv4/TCP-or-UDP). */
  notRewritten: number;
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

/** When repeating stops, and what else each repetition rewrites. */
export interface RepeatOptions {
  /** Stop after the repetition that reaches this many bytes … */
  minBytes?: number;
  /** … or this many repetitions (whichever comes first). */
  repetitions?: number;
  /** Address and MAC rewriting applied to every repetition. */
  rewrite?: Pick<RewritePlan, 'ipMap' | 'dstMac'>;
  log?: (line: string) => void;
}

/** Writes `target` from repetitions of `source` until it holds at least `minBytes`. */
export async function buildBigCapture(source: string, target: string, minBytes = BIG_MIN_BYTES, log: (l: string) => void = () => undefined): Promise<BigCaptureInfo> {
  const srcBytes = (await stat(source)).size;
  const info = await repeatCapture(source, target, { minBytes, log });
  if (info.bytes < minBytes) throw new Error(`${source} (${srcBytes} bytes) is too small to reach ${minBytes} bytes`);
  return info;
}

/** Writes `target` from whole repetitions of `source`, each a fresh set of connections later in time. */
export async function repeatCapture(source: string, target: string, o: RepeatOptions): Promise<BigCaptureInfo> {
  const minBytes = o.minBytes ?? Infinity;
  const maxReps = Math.min(MAX_REPETITIONS, o.repetitions ?? MAX_REPETITIONS);
  const log = o.log ?? ((): void => undefined);
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
    for (; rep < maxReps && bytes < minBytes; rep++) {
      const plan: RewritePlan = { ...o.rewrite, rep, shiftSeconds: rep * shiftPerRep };
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
          if (!rewriteRecord(cur, pos, hdr as PcapHeader, plan)) notRewritten++;
          pos += len;
          bytes += len;
          packets++;
        },
        chunkDone: flush,
      });
      if (rep % 4 === 3) log(`  repeated capture: ${rep + 1} repetitions, ${(bytes / 2 ** 20).toFixed(0)} MiB`);
    }
    await flush();
  } finally {
    await out.close();
  }
  return { file: target, source, repetitions: rep, packets, bytes, notRewritten };
}
