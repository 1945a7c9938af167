import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PcapngReader } from './pcapng.js';
import { readCaptureBuffer } from './open.js';
import {
  epbBlock,
  idbBlock,
  obsoletePacketBlock,
  pcapFile,
  pcapngBlock,
  pcapngFile,
  shbBlock,
  spbBlock,
  type PcapngInterface,
  type WriteRecord,
} from './writer.js';
import { collector, payloads, type CollectedRecord } from './testing.js';
import { CaptureFormatError, LinkType, MAX_BLOCK_BYTES, MAX_RECORD_BYTES } from './types.js';

const CHUNK_SIZES = [1, 7, 4096, undefined];
const TWO_IFACES: PcapngInterface[] = [
  { linkType: LinkType.ETHERNET, name: 'eth0' },
  { linkType: LinkType.LINUX_SLL, snaplen: 65535, tsresol: 9 },
];

/** Records alternating between interfaces 0 and 1, with µs-exact timestamps. */
function records(n = 30, ifaces = 2): WriteRecord[] {
  return payloads(n).map((data, i) => ({ ts: (1700000000123456 + i * 1234567) / 1000, data, iface: i % ifaces }));
}

/** Parse `file` with every chunk size, assert they all agree, return the records and stats. */
function readAllWays(file: Uint8Array) {
  let first: { records: CollectedRecord[]; stats: unknown } | undefined;
  for (const chunkSize of CHUNK_SIZES) {
    const sink = collector();
    const { format, stats } = readCaptureBuffer(file, sink, { chunkSize });
    assert.equal(format, 'pcapng');
    assert.equal(sink.seen.size <= 1, true, 'one record object reused');
    if (first === undefined) first = { records: sink.records, stats };
    else assert.deepEqual({ records: sink.records, stats }, first, `chunk size ${chunkSize} disagrees`);
  }
  return first as { records: CollectedRecord[]; stats: ReturnType<typeof readCaptureBuffer>['stats'] };
}

for (const bigEndian of [false, true]) {
  test(`pcapng round trip, ${bigEndian ? 'big' : 'little'}-endian, two interfaces with different link types`, () => {
    const recs = records();
    const { records: got, stats } = readAllWays(pcapngFile(TWO_IFACES, recs, { bigEndian }));
    assert.equal(stats.records, recs.length);
    assert.equal(stats.interfaces, 2);
    assert.equal(stats.skippedBlocks, 0);
    got.forEach((r, i) => {
      assert.deepEqual(r.data, Buffer.from(recs[i].data));
      assert.equal(r.iface, i % 2);
      assert.equal(r.linkType, i % 2 === 0 ? LinkType.ETHERNET : LinkType.LINUX_SLL);
      assert.equal(r.origLength, recs[i].data.length);
      assert.equal(r.ts, recs[i].ts); // µs on iface 0, ns on iface 1: both exact here
    });
  });
}

// Hand-written, independent of the writer: a big-endian section, LINKTYPE_RAW, if_tsresol 9 (ns).
//   SHB 0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffffffffffff 0000001c
//   IDB 00000001 00000020 0065 0000 0000ffff | opt 0009 0001 09000000 | 00000000 | 00000020
//   EPB 00000006 00000024 00000000 17979cfe 53f76500 00000004 00000028 45000028 00000024
//       (ts 1700000000500000000 ns, caplen 4, orig 40)
const HAND_PCAPNG = Buffer.from(
  [
    '0a0d0d0a' + '0000001c' + '1a2b3c4d' + '0001' + '0000' + 'ffffffffffffffff' + '0000001c',
    '00000001' + '00000020' + '0065' + '0000' + '0000ffff' + '0009' + '0001' + '09000000' + '00000000' + '00000020',
    '00000006' + '00000024' + '00000000' + '17979cfe' + '53f76500' + '00000004' + '00000028' + '45000028' + '00000024',
  ].join(''),
  'hex',
);

test('pcapng: hand-written big-endian file with if_tsresol 9', () => {
  const sink = collector();
  const { stats } = readCaptureBuffer(HAND_PCAPNG, sink);
  assert.equal(stats.records, 1);
  assert.deepEqual(sink.records[0], {
    ts: 1700000000500,
    linkType: LinkType.RAW,
    iface: 0,
    data: Buffer.from([0x45, 0, 0, 0x28]),
    origLength: 40,
  });
});

test('pcapng: Simple Packet Blocks use interface 0 and cut to its snaplen', () => {
  const recs: WriteRecord[] = [
    { ts: 0, data: Buffer.alloc(50, 1) },
    { ts: 0, data: Buffer.alloc(150, 2) },
    { ts: 0, data: Buffer.alloc(100, 3), origLength: 1500 },
  ];
  const { records: got, stats } = readAllWays(pcapngFile([{ linkType: LinkType.RAW, snaplen: 100 }], recs, { useSpb: true }));
  assert.deepEqual(got.map((r) => [r.data.length, r.origLength, r.linkType, r.iface]), [
    [50, 50, LinkType.RAW, 0],
    [100, 150, LinkType.RAW, 0],
    [100, 1500, LinkType.RAW, 0],
  ]);
  assert.deepEqual(got[1].data, Buffer.alloc(100, 2));
  assert.equal(stats.records, 3);
});

test('pcapng: a Simple Packet Block keeps the previous packet timestamp', () => {
  const iface = { linkType: LinkType.ETHERNET };
  const file = Buffer.concat([
    shbBlock(),
    idbBlock(iface),
    epbBlock({ ts: 1700000000123, data: Buffer.alloc(4) }, iface),
    spbBlock({ ts: 0, data: Buffer.alloc(8) }),
  ]);
  assert.deepEqual(readAllWays(file).records.map((r) => r.ts), [1700000000123, 1700000000123]);
});

test('pcapng: obsolete Packet Blocks (type 2) are read like EPBs', () => {
  const file = Buffer.concat([
    shbBlock(true),
    idbBlock(TWO_IFACES[0], true),
    idbBlock(TWO_IFACES[1], true),
    obsoletePacketBlock({ ts: 1700000000000.5, data: Buffer.from('ab'), iface: 1, origLength: 9 }, TWO_IFACES[1], true),
  ]);
  const { records: got } = readAllWays(file);
  assert.deepEqual(got, [{ ts: 1700000000000.5, linkType: LinkType.LINUX_SLL, iface: 1, data: Buffer.from('ab'), origLength: 9 }]);
});

test('pcapng: NRB, ISB, custom and unknown blocks interleaved are skipped and counted', () => {
  const [a, b, c] = records(3, 1);
  const iface = TWO_IFACES[0];
  const nrb = pcapngBlock(4, Buffer.from('0100090000000000' + '0a000001' + '6578616d706c652e636f6d00' + '00000000', 'hex'));
  const isb = pcapngBlock(5, Buffer.alloc(12));
  const custom = pcapngBlock(0x00000bad, Buffer.from('00007ed9' + 'deadbeef', 'hex'));
  const unknown = pcapngBlock(0x12345678, Buffer.alloc(5));
  const file = Buffer.concat([shbBlock(), nrb, idbBlock(iface), epbBlock(a, iface), isb, epbBlock(b, iface), custom, unknown, epbBlock(c, iface), isb]);
  const { records: got, stats } = readAllWays(file);
  assert.equal(got.length, 3);
  assert.deepEqual(got.map((r) => r.data), [a, b, c].map((r) => Buffer.from(r.data)));
  assert.equal(stats.skippedBlocks, 5);
});

test('pcapng: a second SHB switches byte order and resets the interface list', () => {
  const first = records(10);
  const second = records(7, 1).map((r) => ({ ...r, ts: r.ts + 5000 }));
  const file = Buffer.concat([
    pcapngFile(TWO_IFACES, first, { bigEndian: false }),
    pcapngFile([{ linkType: LinkType.RAW }], second, { bigEndian: true }),
  ]);
  const { records: got, stats } = readAllWays(file);
  assert.equal(got.length, 17);
  assert.equal(stats.interfaces, 3);
  assert.deepEqual(got.slice(10).map((r) => [r.linkType, r.iface, r.ts]), second.map((r) => [LinkType.RAW, 0, r.ts]));
  // Interface 1 belonged to the first section only.
  const stale = Buffer.concat([
    pcapngFile(TWO_IFACES, first),
    shbBlock(true),
    idbBlock({ linkType: LinkType.RAW }, true),
    epbBlock({ ts: 0, data: Buffer.alloc(4), iface: 1 }, TWO_IFACES[1], true),
  ]);
  assert.throws(() => readCaptureBuffer(stale, collector()), /references interface 1; the section has 1/);
});

test('pcapng: if_tsresol (decimal and power-of-2) and if_tsoffset', () => {
  const cases: { tsresol?: number; tsoffset?: number; tsNs: bigint; want: number; tolerance?: number }[] = [
    { tsresol: 0, tsNs: 1700000001000000000n, want: 1700000001000 },
    { tsresol: 3, tsNs: 1700000000123000000n, want: 1700000000123 },
    { tsNs: 1700000000123456000n, want: 1700000000123.456 },
    { tsresol: 6, tsNs: 1700000000123456000n, want: 1700000000123.456 },
    { tsresol: 9, tsNs: 1700000000123456789n, want: 1700000000123.456789, tolerance: 1e-3 },
    { tsresol: 0x80 | 10, tsNs: 1700000000250000000n, want: 1700000000250 },
    { tsresol: 0x80 | 20, tsNs: 1700000000500000000n, want: 1700000000500 },
    { tsresol: 0x80 | 30, tsNs: 1700000000750000000n, want: 1700000000750 },
    { tsoffset: 1600000000, tsNs: 1700000000123456000n, want: 1700000000123.456, tolerance: 1e-3 },
    { tsresol: 9, tsoffset: -5, tsNs: 1700000000000000000n, want: 1700000000000, tolerance: 1e-3 },
  ];
  for (const c of cases) {
    const iface: PcapngInterface = { linkType: LinkType.ETHERNET, tsresol: c.tsresol, tsoffset: c.tsoffset };
    for (const bigEndian of [false, true]) {
      const { records: got } = readAllWays(pcapngFile([iface], [{ ts: 0, tsNs: c.tsNs, data: Buffer.alloc(1) }], { bigEndian }));
      const msg = `tsresol ${c.tsresol} tsoffset ${c.tsoffset}: got ${got[0].ts}`;
      if (c.tolerance === undefined) assert.equal(got[0].ts, c.want, msg);
      else assert.ok(Math.abs(got[0].ts - c.want) < c.tolerance, msg);
    }
  }
});

test('pcapng: the same nanosecond instants read identically from pcap (ns) and pcapng (if_tsresol 9)', () => {
  const ns = [1700000000123456789n, 1700000000123456000n, 1681280715783285526n, 1n, 4102444800999999999n];
  const recs = ns.map((tsNs) => ({ ts: 0, tsNs, data: Buffer.alloc(1) }));
  const fromPcap = collector();
  readCaptureBuffer(pcapFile(recs, { linkType: 1, nanosecond: true }), fromPcap);
  const { records: fromPcapng } = readAllWays(pcapngFile([{ linkType: 1, tsresol: 9 }], recs));
  assert.deepEqual(fromPcapng.map((r) => r.ts), fromPcap.records.map((r) => r.ts));
  assert.equal(fromPcapng[1].ts, 1700000000123.456); // a whole-µs instant reads as from a µs file
  ns.forEach((n, i) => assert.ok(Math.abs(fromPcapng[i].ts - Number(n) / 1e6) < 1e-3));
});

test('pcapng: interfaces may be described between packets', () => {
  const [eth, raw] = [{ linkType: LinkType.ETHERNET }, { linkType: LinkType.RAW }];
  const d = (iface: number) => ({ ts: 1, data: Buffer.from([iface]), iface });
  const file = Buffer.concat([shbBlock(), idbBlock(eth), epbBlock(d(0), eth), idbBlock(raw), epbBlock(d(1), raw), epbBlock(d(0), eth)]);
  const { records: got, stats } = readAllWays(file);
  assert.deepEqual(got.map((r) => [r.iface, r.linkType]), [[0, LinkType.ETHERNET], [1, LinkType.RAW], [0, LinkType.ETHERNET]]);
  assert.equal(stats.interfaces, 2);
});

test('pcapng: records inside one chunk are zero-copy views of it', () => {
  const file = pcapngFile(TWO_IFACES, records(6));
  let views = 0;
  const reader = new PcapngReader({
    packet(r) {
      assert.equal(r.data.buffer, file.buffer);
      views++;
    },
  });
  reader.push(file);
  reader.end();
  assert.equal(views, 6);
});

/** A 2-record file and the offset of its second EPB. */
function twoRecordFile(bigEndian = false) {
  const iface = TWO_IFACES[0];
  const [a, b] = records(2, 1);
  const head = Buffer.concat([shbBlock(bigEndian), idbBlock(iface, bigEndian), epbBlock(a, iface, bigEndian)]);
  return { file: Buffer.concat([head, epbBlock(b, iface, bigEndian)]), second: head.length };
}

test('pcapng: corrupt block lengths throw CaptureFormatError at the block offset', () => {
  const cases: [string, (f: Buffer, at: number) => void, RegExp][] = [
    ['not a multiple of 4', (f, at) => f.writeUInt32LE(f.readUInt32LE(at + 4) + 1, at + 4), /total length \d+ \(must be a multiple of 4/],
    ['below 12', (f, at) => f.writeUInt32LE(8, at + 4), /total length 8 /],
    ['above MAX_BLOCK_BYTES', (f, at) => f.writeUInt32LE(MAX_BLOCK_BYTES + 4, at + 4), /total length 16777220 /],
    ['trailing length differs', (f) => f.writeUInt32LE(12, f.length - 4), /trailing length 12 differs/],
    ['captured length past the block', (f, at) => f.writeUInt32LE(1000, at + 20), /captured length 1000 exceeds the block/],
    ['unknown interface', (f, at) => f.writeUInt32LE(3, at + 8), /references interface 3; the section has 1/],
  ];
  for (const [name, corrupt, message] of cases) {
    const { file, second } = twoRecordFile();
    corrupt(file, second);
    for (const chunkSize of CHUNK_SIZES) {
      const sink = collector();
      assert.throws(
        () => readCaptureBuffer(file, sink, { chunkSize }),
        (e: unknown) => e instanceof CaptureFormatError && e.offset === second && message.test(e.message),
        `${name}, chunk ${chunkSize}`,
      );
      assert.equal(sink.records.length, 1, name);
    }
  }
});

test('pcapng: malformed section headers and interface options', () => {
  const { file } = twoRecordFile(true);
  const badBom = Buffer.from(file);
  badBom.writeUInt32BE(0x01020304, 8);
  assert.throws(() => readCaptureBuffer(badBom, collector()), /bad byte-order magic/);
  const v2 = Buffer.from(file);
  v2.writeUInt16BE(2, 12);
  assert.throws(() => readCaptureBuffer(v2, collector()), /unsupported pcapng version 2/);
  const overrun = Buffer.from(HAND_PCAPNG);
  overrun.writeUInt16BE(40, 28 + 16 + 2); // if_tsresol option length past the IDB end
  assert.throws(() => readCaptureBuffer(overrun, collector()), /option 9: length 40 overruns/);
  const shortShb = Buffer.from('0a0d0d0a' + '00000010' + '1a2b3c4d' + '00000010', 'hex');
  assert.throws(() => readCaptureBuffer(shortShb, collector()), /section header: total length 16 < 28/);
  const noShb = file.subarray(28);
  const reader = new PcapngReader(collector());
  assert.throws(() => reader.push(noShb), (e: unknown) => e instanceof CaptureFormatError && /first block is not a Section Header Block/.test(e.message));
  assert.throws(() => new PcapngReader(collector()).end(), /empty input/);
  const spbFirst = Buffer.concat([shbBlock(), spbBlock({ ts: 0, data: Buffer.alloc(4) })]);
  assert.throws(() => readCaptureBuffer(spbFirst, collector()), /simple packet block before any interface/);
});

test('pcapng: truncated last block throws, or is counted under tolerateTruncation', () => {
  const { file, second } = twoRecordFile();
  for (const cut of [file.length - 4, second + 6, second + 20]) {
    for (const chunkSize of CHUNK_SIZES) {
      const part = file.subarray(0, cut);
      assert.throws(
        () => readCaptureBuffer(part, collector(), { chunkSize }),
        (e: unknown) => e instanceof CaptureFormatError && /^truncated last record/.test(e.message) && e.offset === second,
      );
      const sink = collector();
      const { stats } = readCaptureBuffer(part, sink, { chunkSize, tolerateTruncation: true });
      assert.equal(sink.records.length, 1);
      assert.equal(stats.truncatedRecords, 1);
    }
  }
});

test('pcapng: a record above MAX_RECORD_BYTES in an intact block is skipped and counted', () => {
  const iface = { linkType: LinkType.ETHERNET };
  const big = { ts: 1, data: Buffer.alloc(MAX_RECORD_BYTES + 1) };
  const small = { ts: 2, data: Buffer.alloc(10) };
  const snapped = { linkType: LinkType.ETHERNET, snaplen: 5 };
  const file = Buffer.concat([shbBlock(), idbBlock(iface), idbBlock(snapped), epbBlock(big, iface), epbBlock(small, iface), epbBlock({ ...small, iface: 1 }, snapped)]);
  const { records: got, stats } = readAllWays(file);
  assert.deepEqual(got.map((r) => r.data.length), [10, 10]);
  assert.equal(stats.oversizedRecords, 2); // the huge one (skipped) and the one above its snaplen (delivered)
});
