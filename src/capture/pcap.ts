/**
 * Classic pcap reader (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html).
 * Hand-written rather than a library: it is the per-packet hot path, so it
 * reads header fields by byte arithmetic on the caller's chunk, reuses one
 * record object and allocates nothing per packet beyond the `data` view.
 *
 * Both byte orders, microsecond (a1b2c3d4) and nanosecond (a1b23c4d)
 * timestamps. The link type comes from the file header with the FCS bits
 * (bits 26..31, as libpcap's LT_LINKTYPE) masked off.
 */
import { FramedReader, type ReaderOptions } from './framed-reader.js';
import { u16be, u16le, u32be, u32le, hexPrefix } from './bytes.js';
import { msFromSecNs } from './time.js';
import { CaptureFormatError, MAX_RECORD_BYTES, type CaptureReader, type PacketRecord, type PacketSink } from './types.js';

const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
/** Captured lengths up to this are accepted whatever the snap length says (libpcap's largest snaplen). */
const LIBPCAP_MAX_SNAPLEN = 262144;
/** Link-type bits of the header field; the bits above carry FCS information. */
const LINKTYPE_MASK = 0x03ffffff;

export type PcapMagic = 'usec' | 'nsec';

/** The timestamp resolution of a pcap magic number in either byte order, or null. */
export function pcapMagic(b: Uint8Array): { le: boolean; res: PcapMagic } | null {
  if (b.length < 4) return null;
  const le = u32le(b, 0);
  if (le === 0xa1b2c3d4) return { le: true, res: 'usec' };
  if (le === 0xa1b23c4d) return { le: true, res: 'nsec' };
  const be = u32be(b, 0);
  if (be === 0xa1b2c3d4) return { le: false, res: 'usec' };
  if (be === 0xa1b23c4d) return { le: false, res: 'nsec' };
  return null;
}

export class PcapReader extends FramedReader implements CaptureReader {
  readonly format = 'pcap' as const;
  private readonly sink: PacketSink;
  private readonly rec: PacketRecord = { ts: 0, linkType: 0, iface: 0, data: new Uint8Array(0), origLength: 0 };
  private haveHeader = false;
  private le = true;
  private nanosecond = false;
  private snaplen = 0;
  private maxCaplen = MAX_RECORD_BYTES;

  constructor(sink: PacketSink, opts: ReaderOptions = {}) {
    super(opts);
    this.sink = sink;
  }

  /** Link type from the file header (valid once the header has been pushed). */
  get linkType(): number {
    return this.rec.linkType;
  }

  protected frameSize(b: Uint8Array, o: number, avail: number, off: number): number {
    if (!this.haveHeader) return FILE_HEADER_BYTES;
    if (avail < RECORD_HEADER_BYTES) return RECORD_HEADER_BYTES;
    const caplen = this.le ? u32le(b, o + 8) : u32be(b, o + 8);
    if (caplen > this.maxCaplen) {
      throw new CaptureFormatError(
        `corrupt pcap record: captured length ${caplen} exceeds the limit ${this.maxCaplen} (snaplen ${this.snaplen})`,
        off,
      );
    }
    return RECORD_HEADER_BYTES + caplen;
  }

  protected frame(b: Uint8Array, o: number, len: number, off: number): void {
    if (!this.haveHeader) return this.fileHeader(b, o, off);
    const le = this.le;
    const sec = le ? u32le(b, o) : u32be(b, o);
    const frac = le ? u32le(b, o + 4) : u32be(b, o + 4);
    const orig = le ? u32le(b, o + 12) : u32be(b, o + 12);
    const caplen = len - RECORD_HEADER_BYTES;
    // µs: sec*1e6+usec is an exact integer below 2^53, so one rounding.
    const rec = this.rec;
    rec.ts = this.nanosecond ? msFromSecNs(sec, frac) : (sec * 1e6 + frac) / 1000;
    rec.data = b.subarray(o + RECORD_HEADER_BYTES, o + len);
    rec.origLength = orig;
    if (caplen > this.snaplen && this.snaplen !== 0) this.stats.oversizedRecords++;
    this.stats.records++;
    this.stats.bytes += caplen;
    this.sink.packet(rec);
  }

  private fileHeader(b: Uint8Array, o: number, off: number): void {
    const m = pcapMagic(b.subarray(o, o + 4));
    if (m === null) throw new CaptureFormatError(`not a pcap file: magic ${hexPrefix(b.subarray(o))}`, off);
    this.le = m.le;
    this.nanosecond = m.res === 'nsec';
    const major = m.le ? u16le(b, o + 4) : u16be(b, o + 4);
    if (major !== 2) throw new CaptureFormatError(`unsupported pcap version ${major}`, off + 4);
    this.snaplen = m.le ? u32le(b, o + 16) : u32be(b, o + 16);
    this.maxCaplen = Math.min(MAX_RECORD_BYTES, Math.max(this.snaplen, LIBPCAP_MAX_SNAPLEN));
    this.rec.linkType = (m.le ? u32le(b, o + 20) : u32be(b, o + 20)) & LINKTYPE_MASK;
    this.stats.interfaces = 1;
    this.haveHeader = true;
  }

  protected emptyInput(): never {
    throw new CaptureFormatError('empty input: no pcap file header', 0);
  }

  protected describeFrame(): string {
    return this.haveHeader ? 'pcap record' : 'pcap file header';
  }
}
