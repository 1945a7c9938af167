/**
 * Small pcap and pcapng writers: test fixtures now, saved captures later.
 * Whole-file, allocation-happy and simple on purpose; not a hot path.
 *
 * Timestamps are milliseconds since the epoch (`ts`, exact to the
 * microsecond) or, for sub-microsecond precision, nanoseconds as a bigint
 * (`tsNs`, which wins when given).
 */

export interface WriteRecord {
  /** Milliseconds since the epoch. */
  ts: number;
  /** Nanoseconds since the epoch; overrides `ts` when set. */
  tsNs?: bigint;
  data: Uint8Array;
  /** Length on the wire; defaults to data.length. */
  origLength?: number;
  /** pcapng interface index; defaults to 0. */
  iface?: number;
}

export interface PcapFileOptions {
  linkType: number;
  nanosecond?: boolean;
  bigEndian?: boolean;
  /** Header snap length; defaults to 262144. Records are written whole regardless. */
  snaplen?: number;
}

export interface PcapngInterface {
  linkType: number;
  /** 0 (the default) means no limit. */
  snaplen?: number;
  /** Raw if_tsresol byte (e.g. 9 for ns, 0x80|20 for 2^-20 s); omitted means the default 6 (µs). */
  tsresol?: number;
  /** if_tsoffset in seconds, added by readers to every timestamp. */
  tsoffset?: number;
  name?: string;
}

export interface PcapngOptions {
  bigEndian?: boolean;
  /** Write Simple Packet Blocks (interface 0, no timestamps) instead of EPBs. */
  useSpb?: boolean;
}

/** A classic pcap file holding `records`. */
export function pcapFile(records: readonly WriteRecord[], opts: PcapFileOptions): Buffer {
  const be = opts.bigEndian === true;
  const parts: Buffer[] = [];
  const h = Buffer.alloc(24);
  u32(h, 0, opts.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, be);
  u16(h, 4, 2, be);
  u16(h, 6, 4, be);
  u32(h, 16, opts.snaplen ?? 262144, be);
  u32(h, 20, opts.linkType, be);
  parts.push(h);
  for (const r of records) {
    const ns = recordNs(r);
    const div = opts.nanosecond ? 1n : 1000n;
    const rh = Buffer.alloc(16);
    u32(rh, 0, Number(ns / 1_000_000_000n), be);
    u32(rh, 4, Number((ns % 1_000_000_000n) / div), be);
    u32(rh, 8, r.data.length, be);
    u32(rh, 12, r.origLength ?? r.data.length, be);
    parts.push(rh, Buffer.from(r.data));
  }
  return Buffer.concat(parts);
}

/** A one-section pcapng file: SHB, one IDB per interface, then one EPB (or SPB) per record. */
export function pcapngFile(
  interfaces: readonly PcapngInterface[],
  records: readonly WriteRecord[],
  opts: PcapngOptions = {},
): Buffer {
  const be = opts.bigEndian === true;
  const parts = [shbBlock(be), ...interfaces.map((i) => idbBlock(i, be))];
  for (const r of records) {
    const iface = r.iface ?? 0;
    if (opts.useSpb) {
      if (iface !== 0) throw new Error('simple packet blocks can only hold interface 0 records');
      parts.push(spbBlock(r, be));
    } else {
      const desc = interfaces[iface];
      if (desc === undefined) throw new Error(`record for undefined interface ${iface}`);
      parts.push(epbBlock(r, desc, be));
    }
  }
  return Buffer.concat(parts);
}

/** A pcapng block of `type` around `body` (padded to 4 bytes). */
export function pcapngBlock(type: number, body: Uint8Array, bigEndian = false): Buffer {
  const padded = (body.length + 3) & ~3;
  const len = 12 + padded;
  const b = Buffer.alloc(len);
  u32(b, 0, type, bigEndian);
  u32(b, 4, len, bigEndian);
  b.set(body, 8);
  u32(b, len - 4, len, bigEndian);
  return b;
}

/** Section Header Block, version 1.0, section length -1 (unknown). */
export function shbBlock(bigEndian = false): Buffer {
  const body = Buffer.alloc(16);
  u32(body, 0, 0x1a2b3c4d, bigEndian);
  u16(body, 4, 1, bigEndian);
  u16(body, 6, 0, bigEndian);
  body.fill(0xff, 8, 16);
  return pcapngBlock(0x0a0d0d0a, body, bigEndian);
}

export function idbBlock(i: PcapngInterface, bigEndian = false): Buffer {
  const head = Buffer.alloc(8);
  u16(head, 0, i.linkType, bigEndian);
  u32(head, 4, i.snaplen ?? 0, bigEndian);
  const opts: Buffer[] = [];
  if (i.name !== undefined) opts.push(option(2, Buffer.from(i.name, 'utf8'), bigEndian));
  if (i.tsresol !== undefined) opts.push(option(9, Buffer.from([i.tsresol]), bigEndian));
  if (i.tsoffset !== undefined) {
    const v = Buffer.alloc(8);
    if (bigEndian) v.writeBigInt64BE(BigInt(i.tsoffset));
    else v.writeBigInt64LE(BigInt(i.tsoffset));
    opts.push(option(14, v, bigEndian));
  }
  if (opts.length > 0) opts.push(Buffer.alloc(4)); // opt_endofopt
  return pcapngBlock(1, Buffer.concat([head, ...opts]), bigEndian);
}

/** Enhanced Packet Block; the timestamp is converted to `iface`'s resolution and offset. */
export function epbBlock(r: WriteRecord, iface: PcapngInterface, bigEndian = false): Buffer {
  return packetBlock(6, r, iface, bigEndian);
}

/** Obsolete Packet Block (type 2): a 16-bit interface id and a drops count before the EPB fields. */
export function obsoletePacketBlock(r: WriteRecord, iface: PcapngInterface, bigEndian = false): Buffer {
  return packetBlock(2, r, iface, bigEndian);
}

export function spbBlock(r: WriteRecord, bigEndian = false): Buffer {
  const head = Buffer.alloc(4);
  u32(head, 0, r.origLength ?? r.data.length, bigEndian);
  return pcapngBlock(3, Buffer.concat([head, r.data]), bigEndian);
}

function packetBlock(type: 2 | 6, r: WriteRecord, iface: PcapngInterface, be: boolean): Buffer {
  const units = tsUnits(recordNs(r) - BigInt(iface.tsoffset ?? 0) * 1_000_000_000n, iface.tsresol ?? 6);
  const head = Buffer.alloc(20);
  if (type === 2) u16(head, 0, r.iface ?? 0, be);
  else u32(head, 0, r.iface ?? 0, be);
  u32(head, 4, Number(units >> 32n), be);
  u32(head, 8, Number(units & 0xffffffffn), be);
  u32(head, 12, r.data.length, be);
  u32(head, 16, r.origLength ?? r.data.length, be);
  return pcapngBlock(type, Buffer.concat([head, r.data]), be);
}

function option(code: number, value: Uint8Array, be: boolean): Buffer {
  const b = Buffer.alloc(4 + ((value.length + 3) & ~3));
  u16(b, 0, code, be);
  u16(b, 2, value.length, be);
  b.set(value, 4);
  return b;
}

function recordNs(r: WriteRecord): bigint {
  return r.tsNs ?? BigInt(Math.round(r.ts * 1000)) * 1000n;
}

/** Nanoseconds to if_tsresol units (truncating). */
function tsUnits(ns: bigint, tsresol: number): bigint {
  const exp = BigInt(tsresol & 0x7f);
  if (tsresol & 0x80) return (ns << exp) / 1_000_000_000n;
  return exp >= 9n ? ns * 10n ** (exp - 9n) : ns / 10n ** (9n - exp);
}

function u16(b: Buffer, o: number, v: number, be: boolean): void {
  if (be) b.writeUInt16BE(v, o);
  else b.writeUInt16LE(v, o);
}

function u32(b: Buffer, o: number, v: number, be: boolean): void {
  if (be) b.writeUInt32BE(v >>> 0, o);
  else b.writeUInt32LE(v >>> 0, o);
}
