/**
 * pcapng reader (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html).
 * Hand-written rather than a library: it is the per-packet hot path, so it
 * reads block fields by byte arithmetic on the caller's chunk, keeps interface
 * parameters in flat arrays, reuses one record object and allocates nothing per
 * packet beyond the `data` view.
 *
 * Blocks: SHB (either byte order; each one starts a new section with an empty
 * interface list and may switch byte order), IDB (link type, snaplen,
 * if_tsresol, if_tsoffset), EPB, SPB (interface 0), the obsolete Packet Block
 * (type 2); every other block type (NRB, ISB, DSB, custom, unknown) is skipped
 * and counted in `stats.skippedBlocks`.
 */
import { FramedReader, type ReaderOptions } from './framed-reader.js';
import { u16be, u16le, u32be, u32le } from './bytes.js';
import { msFromSecNs, splitUnits, SPLIT_MAX_UNITS_PER_SEC, type SecondsSplit } from './time.js';
import {
  CaptureFormatError,
  MAX_BLOCK_BYTES,
  MAX_RECORD_BYTES,
  type CaptureReader,
  type PacketRecord,
  type PacketSink,
} from './types.js';

const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_PB = 2; // obsolete Packet Block
const BT_SPB = 3;
const BT_EPB = 6;
const BOM = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
/** Interfaces per section; more means a corrupt or hostile file. */
export const MAX_INTERFACES = 4096;
/** Smallest legal total length of each block type we read. */
const MIN_SHB = 28;
const MIN_IDB = 20;
const MIN_EPB = 32;
const MIN_SPB = 16;

/** A pcapng Section Header Block magic at `b[o]` (the type reads the same in both byte orders). */
export function isShbAt(b: Uint8Array, o: number): boolean {
  return b[o] === 0x0a && b[o + 1] === 0x0d && b[o + 2] === 0x0d && b[o + 3] === 0x0a;
}

export class PcapngReader extends FramedReader implements CaptureReader {
  readonly format = 'pcapng' as const;
  private readonly sink: PacketSink;
  private readonly rec: PacketRecord = { ts: 0, linkType: 0, iface: 0, data: new Uint8Array(0), origLength: 0 };
  private inSection = false;
  private le = true;
  // Per-interface parameters of the current section, indexed by interface id.
  private ifCount = 0;
  private readonly ifLinkType: number[] = [];
  private readonly ifSnaplen: number[] = [];
  /** Below 2^53 units, ts(ms) = units * ifTsMul / ifTsDiv + ifTsOffsetMs: one rounding. */
  private readonly ifTsMul: number[] = [];
  private readonly ifTsDiv: number[] = [];
  private readonly ifTsOffsetMs: number[] = [];
  /** Above, units are split exactly into seconds and units of 1/ifUnitsPerSec s worth ifNsPerUnit ns. */
  private readonly ifUnitsPerSec: number[] = [];
  private readonly ifNsPerUnit: number[] = [];
  private readonly split: SecondsSplit = { sec: 0, rem: 0 };

  constructor(sink: PacketSink, opts: ReaderOptions = {}) {
    super(opts);
    this.sink = sink;
  }

  protected frameSize(b: Uint8Array, o: number, avail: number, off: number): number {
    if (avail < 8) return 8;
    let le = this.le;
    if (isShbAt(b, o)) {
      if (avail < 12) return 12;
      le = shbByteOrder(b, o, off);
    } else if (!this.inSection) {
      throw new CaptureFormatError('not a pcapng file: first block is not a Section Header Block', off);
    }
    const len = le ? u32le(b, o + 4) : u32be(b, o + 4);
    if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK_BYTES) {
      throw new CaptureFormatError(`corrupt pcapng block: total length ${len} (must be a multiple of 4, 12..${MAX_BLOCK_BYTES})`, off);
    }
    return len;
  }

  protected frame(b: Uint8Array, o: number, len: number, off: number): void {
    if (isShbAt(b, o)) return this.sectionHeader(b, o, len, off);
    const le = this.le;
    const type = le ? u32le(b, o) : u32be(b, o);
    const trailer = le ? u32le(b, o + len - 4) : u32be(b, o + len - 4);
    if (trailer !== len) {
      throw new CaptureFormatError(`corrupt pcapng block: trailing length ${trailer} differs from leading length ${len}`, off);
    }
    switch (type) {
      case BT_EPB:
        return this.packet(b, o, len, off, le ? u32le(b, o + 8) : u32be(b, o + 8));
      case BT_SPB:
        return this.simplePacket(b, o, len, off);
      case BT_PB:
        return this.packet(b, o, len, off, le ? u16le(b, o + 8) : u16be(b, o + 8));
      case BT_IDB:
        return this.interfaceDescription(b, o, len, off);
      default:
        this.stats.skippedBlocks++;
    }
  }

  /** EPB and the obsolete Packet Block share one layout after the interface id. */
  private packet(b: Uint8Array, o: number, len: number, off: number, iface: number): void {
    if (len < MIN_EPB) throw new CaptureFormatError(`corrupt pcapng packet block: total length ${len} < ${MIN_EPB}`, off);
    if (iface >= this.ifCount) {
      throw new CaptureFormatError(`pcapng packet block references interface ${iface}; the section has ${this.ifCount}`, off);
    }
    const le = this.le;
    const hi = le ? u32le(b, o + 12) : u32be(b, o + 12);
    const lo = le ? u32le(b, o + 16) : u32be(b, o + 16);
    const caplen = le ? u32le(b, o + 20) : u32be(b, o + 20);
    const orig = le ? u32le(b, o + 24) : u32be(b, o + 24);
    if (caplen > len - MIN_EPB) {
      throw new CaptureFormatError(`corrupt pcapng packet block: captured length ${caplen} exceeds the block`, off);
    }
    if (caplen > MAX_RECORD_BYTES) {
      this.stats.oversizedRecords++; // framing is intact, so skip the record rather than fail the file
      return;
    }
    const snap = this.ifSnaplen[iface];
    if (caplen > snap && snap !== 0) this.stats.oversizedRecords++;
    this.rec.ts = this.timestamp(hi, lo, iface);
    this.deliver(b, o + 28, caplen, orig, iface);
  }

  /** SPB: no timestamp, so `ts` stays that of the previous packet (0 if none); interface 0. */
  private simplePacket(b: Uint8Array, o: number, len: number, off: number): void {
    if (len < MIN_SPB) throw new CaptureFormatError(`corrupt pcapng simple packet block: total length ${len} < ${MIN_SPB}`, off);
    if (this.ifCount === 0) throw new CaptureFormatError('pcapng simple packet block before any interface description', off);
    const orig = this.le ? u32le(b, o + 8) : u32be(b, o + 8);
    const snap = this.ifSnaplen[0];
    let caplen = Math.min(orig, len - MIN_SPB);
    if (snap !== 0 && caplen > snap) caplen = snap;
    if (caplen > MAX_RECORD_BYTES) {
      this.stats.oversizedRecords++;
      return;
    }
    this.deliver(b, o + 12, caplen, orig, 0);
  }

  /** ms since the epoch of the 64-bit timestamp hi:lo of interface `i`. */
  private timestamp(hi: number, lo: number, i: number): number {
    const perSec = this.ifUnitsPerSec[i];
    // ns (and finer) timestamps of this century exceed 2^53 units: split them exactly, then convert.
    if (hi < 0x200000 || perSec > SPLIT_MAX_UNITS_PER_SEC) {
      return ((hi * 4294967296 + lo) * this.ifTsMul[i]) / this.ifTsDiv[i] + this.ifTsOffsetMs[i];
    }
    splitUnits(hi, lo, perSec, this.split);
    return msFromSecNs(this.split.sec, this.split.rem * this.ifNsPerUnit[i]) + this.ifTsOffsetMs[i];
  }

  private deliver(b: Uint8Array, start: number, caplen: number, orig: number, iface: number): void {
    const rec = this.rec;
    rec.data = b.subarray(start, start + caplen);
    rec.origLength = orig;
    rec.iface = iface;
    rec.linkType = this.ifLinkType[iface];
    this.stats.records++;
    this.stats.bytes += caplen;
    this.sink.packet(rec);
  }

  private sectionHeader(b: Uint8Array, o: number, len: number, off: number): void {
    if (len < MIN_SHB) throw new CaptureFormatError(`corrupt pcapng section header: total length ${len} < ${MIN_SHB}`, off);
    const le = shbByteOrder(b, o, off);
    const trailer = le ? u32le(b, o + len - 4) : u32be(b, o + len - 4);
    if (trailer !== len) {
      throw new CaptureFormatError(`corrupt pcapng block: trailing length ${trailer} differs from leading length ${len}`, off);
    }
    const major = le ? u16le(b, o + 12) : u16be(b, o + 12);
    if (major !== 1) throw new CaptureFormatError(`unsupported pcapng version ${major}`, off + 12);
    // Section length (o+16, 64 bits) may be -1 (unknown); blocks are walked one by one, so it is not needed.
    this.le = le;
    this.inSection = true;
    this.ifCount = 0;
    this.ifLinkType.length = 0;
    this.ifSnaplen.length = 0;
    this.ifTsMul.length = 0;
    this.ifTsDiv.length = 0;
    this.ifTsOffsetMs.length = 0;
    this.ifUnitsPerSec.length = 0;
    this.ifNsPerUnit.length = 0;
  }

  private interfaceDescription(b: Uint8Array, o: number, len: number, off: number): void {
    if (len < MIN_IDB) throw new CaptureFormatError(`corrupt pcapng interface description: total length ${len} < ${MIN_IDB}`, off);
    if (this.ifCount >= MAX_INTERFACES) {
      throw new CaptureFormatError(`more than ${MAX_INTERFACES} interfaces in one pcapng section`, off);
    }
    const le = this.le;
    let tsresol = 6; // default 10^-6 s
    let tsoffsetSec = 0;
    const end = o + len - 4;
    for (let p = o + 16; p + 4 <= end; ) {
      const code = le ? u16le(b, p) : u16be(b, p);
      const olen = le ? u16le(b, p + 2) : u16be(b, p + 2);
      if (code === OPT_ENDOFOPT) break;
      if (p + 4 + olen > end) throw new CaptureFormatError(`corrupt pcapng option ${code}: length ${olen} overruns the block`, off);
      if (code === OPT_IF_TSRESOL && olen >= 1) tsresol = b[p + 4];
      else if (code === OPT_IF_TSOFFSET && olen === 8) tsoffsetSec = readI64(b, p + 4, le);
      p += 4 + ((olen + 3) & ~3);
    }
    const i = this.ifCount++;
    this.ifLinkType[i] = le ? u16le(b, o + 8) : u16be(b, o + 8);
    this.ifSnaplen[i] = le ? u32le(b, o + 12) : u32be(b, o + 12);
    const exp = tsresol & 0x7f;
    if (tsresol & 0x80) {
      this.ifTsMul[i] = 1000; // units of 2^-exp s
      this.ifTsDiv[i] = 2 ** exp;
    } else if (exp >= 3) {
      this.ifTsMul[i] = 1; // units of 10^-exp s
      this.ifTsDiv[i] = 10 ** (exp - 3);
    } else {
      this.ifTsMul[i] = 10 ** (3 - exp);
      this.ifTsDiv[i] = 1;
    }
    this.ifTsOffsetMs[i] = tsoffsetSec * 1000;
    this.ifUnitsPerSec[i] = tsresol & 0x80 ? 2 ** exp : 10 ** exp;
    this.ifNsPerUnit[i] = tsresol & 0x80 ? 1e9 / 2 ** exp : exp <= 9 ? 10 ** (9 - exp) : 1 / 10 ** (exp - 9);
    this.stats.interfaces++;
  }

  protected emptyInput(): never {
    throw new CaptureFormatError('empty input: no pcapng section header', 0);
  }

  protected describeFrame(b: Uint8Array, len: number): string {
    if (len < 4) return 'pcapng block';
    const type = isShbAt(b, 0) ? BT_SHB : this.le ? u32le(b, 0) : u32be(b, 0);
    return `pcapng block type 0x${type.toString(16)}`;
  }
}

/** Byte order of the SHB at `b[o]` from its byte-order magic. */
function shbByteOrder(b: Uint8Array, o: number, off: number): boolean {
  if (u32le(b, o + 8) === BOM) return true;
  if (u32be(b, o + 8) === BOM) return false;
  throw new CaptureFormatError('corrupt pcapng section header: bad byte-order magic', off + 8);
}

/** Signed 64-bit integer (exact up to 2^53). */
function readI64(b: Uint8Array, o: number, le: boolean): number {
  const hi = le ? u32le(b, o + 4) : u32be(b, o);
  const lo = le ? u32le(b, o) : u32be(b, o + 4);
  return (hi | 0) * 4294967296 + lo;
}
