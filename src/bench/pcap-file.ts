/**
 * A minimal streaming reader for classic pcap files, for the benchmark's own
 * bookkeeping (counting packets, rewriting the big capture). Deliberately
 * independent of podtap's capture readers: the benchmark checks podtap, so it
 * must not share its code paths. pcapng is not needed (tcpdump -w writes pcap).
 *
 * Contract: `scanPcap` calls `visitor.header` once, then `visitor.record` for
 * every complete record in file order with `(buf, off, len)`: the 16-byte
 * record header starts at `buf[off]` and the record is `len` bytes including
 * that header. `buf` is only valid during the call (it is a read chunk or the
 * carry-over buffer). `chunkDone` is awaited after each chunk. A truncated
 * last record is reported as `truncatedTail` (files still being written end
 * that way), not thrown.
 */
import { createReadStream } from 'node:fs';

export const PCAP_HEADER_BYTES = 24;
export const RECORD_HEADER_BYTES = 16;
/** A record larger than this means a corrupt length field. */
export const MAX_PCAP_RECORD_BYTES = 256 * 1024;
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

export interface PcapHeader {
  littleEndian: boolean;
  /** Timestamps in nanoseconds (magic a1b23c4d) rather than microseconds. */
  nanos: boolean;
  linkType: number;
  snaplen: number;
  /** The 24 header bytes as read (copied). */
  raw: Buffer;
}

export interface PcapVisitor {
  header(h: PcapHeader): void;
  record(buf: Buffer, off: number, len: number): void;
  /** Called after each read chunk's records; awaited, so a writer can apply backpressure here. */
  chunkDone?(): Promise<void> | void;
}

export interface PcapScanResult {
  records: number;
  bytes: number;
  truncatedTail: boolean;
}

/** Not a classic pcap file, or a record length that cannot be right. */
export class PcapFileError extends Error {
  override readonly name = 'PcapFileError';
}

export function parsePcapHeader(b: Buffer): PcapHeader {
  if (b.length < PCAP_HEADER_BYTES) throw new PcapFileError('file shorter than a pcap header');
  const le = b.readUInt32LE(0);
  const be = b.readUInt32BE(0);
  const magic = [0xa1b2c3d4, 0xa1b23c4d];
  const littleEndian = magic.includes(le);
  if (!littleEndian && !magic.includes(be)) throw new PcapFileError(`not a classic pcap file (magic ${b.subarray(0, 4).toString('hex')})`);
  const nanos = (littleEndian ? le : be) === 0xa1b23c4d;
  const u32 = (o: number): number => (littleEndian ? b.readUInt32LE(o) : b.readUInt32BE(o));
  return { littleEndian, nanos, snaplen: u32(16), linkType: u32(20) & 0x0fffffff, raw: Buffer.from(b.subarray(0, PCAP_HEADER_BYTES)) };
}

export async function scanPcap(file: string, visitor: PcapVisitor): Promise<PcapScanResult> {
  let header: PcapHeader | undefined;
  let carry: Buffer | null = null;
  let records = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    // Copies only the unconsumed tail of the previous chunk (less than one record).
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    let off = 0;
    if (!header) {
      if (buf.length < PCAP_HEADER_BYTES) {
        carry = Buffer.from(buf);
        continue;
      }
      header = parsePcapHeader(buf);
      visitor.header(header);
      off = PCAP_HEADER_BYTES;
    }
    const le = header.littleEndian;
    while (buf.length - off >= RECORD_HEADER_BYTES) {
      const incl = le ? buf.readUInt32LE(off + 8) : buf.readUInt32BE(off + 8);
      if (incl > MAX_PCAP_RECORD_BYTES) throw new PcapFileError(`record ${records} claims ${incl} bytes`);
      const len = RECORD_HEADER_BYTES + incl;
      if (buf.length - off < len) break;
      visitor.record(buf, off, len);
      records++;
      off += len;
    }
    if (off < buf.length) carry = Buffer.from(buf.subarray(off));
    await visitor.chunkDone?.();
  }
  if (!header) throw new PcapFileError(`${file}: empty or shorter than a pcap header`);
  return { records, bytes, truncatedTail: carry !== null && carry.length > 0 };
}

/** Number of complete records in a pcap file. */
export async function countPcapRecords(file: string): Promise<PcapScanResult> {
  return scanPcap(file, { header: () => undefined, record: () => undefined });
}
