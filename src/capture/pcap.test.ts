import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PcapReader } from './pcap.js';
import { readCaptureBuffer } from './open.js';
import { pcapFile, type WriteRecord } from './writer.js';
import { collector, payloads } from './testing.js';
import { CaptureFormatError, LinkType, MAX_RECORD_BYTES } from './types.js';

const CHUNK_SIZES = [1, 7, 4096, undefined];

/** 40 records with µs-exact timestamps (U µs since the epoch, ts = U / 1000). */
function records(n = 40): WriteRecord[] {
  return payloads(n).map((data, i) => {
    const usec = 1700000000123456 + i * 1234567;
    return { ts: usec / 1000, tsNs: BigInt(usec) * 1000n + BigInt(i * 7), data, origLength: data.length + (i % 3) };
  });
}

for (const bigEndian of [false, true]) {
  for (const nanosecond of [false, true]) {
    test(`pcap round trip: ${bigEndian ? 'big' : 'little'}-endian, ${nanosecond ? 'ns' : 'µs'}, chunks of 1/7/4096/all agree`, () => {
      const recs = records();
      const file = pcapFile(recs, { linkType: LinkType.ETHERNET, nanosecond, bigEndian });
      for (const chunkSize of CHUNK_SIZES) {
        const sink = collector();
        const { format, stats } = readCaptureBuffer(file, sink, { chunkSize });
        assert.equal(format, 'pcap');
        assert.equal(stats.records, recs.length);
        assert.equal(stats.bytes, recs.reduce((s, r) => s + r.data.length, 0));
        assert.equal(stats.interfaces, 1);
        assert.equal(sink.seen.size, 1, 'one record object reused');
        sink.records.forEach((got, i) => {
          const want = recs[i];
          assert.deepEqual(got.data, Buffer.from(want.data), `record ${i} data (chunk ${chunkSize})`);
          assert.equal(got.origLength, want.origLength);
          assert.equal(got.linkType, LinkType.ETHERNET);
          assert.equal(got.iface, 0);
          if (nanosecond) assert.ok(Math.abs(got.ts - Number(want.tsNs) / 1e6) < 1e-3, `ts ${got.ts}`);
          else assert.equal(got.ts, want.ts);
        });
      }
    });
  }
}

// Hand-written, independent of the writer: big-endian nanosecond pcap, LINKTYPE_RAW.
//   a1 b2 3c 4d 00 02 00 04 00 00 00 00 00 00 00 00   magic (ns, BE), v2.4, thiszone, sigfigs
//   00 00 ff ff 00 00 00 65                           snaplen 65535, linktype 101
//   65 5f 2a 00 1d cd 65 00 00 00 00 04 00 00 00 28   ts 1700735488.5 s, caplen 4, orig 40
//   45 00 00 28                                       data
const HAND_PCAP = Buffer.from(
  'a1b23c4d000200040000000000000000 0000ffff00000065 655f2a001dcd650000000004 00000028 45000028'.replace(/ /g, ''),
  'hex',
);

test('pcap: hand-written big-endian nanosecond file', () => {
  const sink = collector();
  readCaptureBuffer(HAND_PCAP, sink);
  assert.equal(sink.records.length, 1);
  const r = sink.records[0];
  assert.equal(r.ts, 1700735488500);
  assert.equal(r.linkType, LinkType.RAW);
  assert.equal(r.origLength, 40);
  assert.deepEqual(r.data, Buffer.from([0x45, 0, 0, 0x28]));
});

test('pcap: FCS bits in the link-type field are masked off', () => {
  const fcs = (0x4 << 28) | 0x04000000; // FCS length 4 words, F bit
  const file = pcapFile(records(2), { linkType: (LinkType.ETHERNET | fcs) >>> 0 });
  const sink = collector();
  readCaptureBuffer(file, sink);
  assert.deepEqual(sink.records.map((r) => r.linkType), [LinkType.ETHERNET, LinkType.ETHERNET]);
});

test('pcap: records inside one chunk are zero-copy views of it', () => {
  const file = pcapFile(records(5), { linkType: LinkType.ETHERNET });
  let views = 0;
  const reader = new PcapReader({
    packet(r) {
      assert.equal(r.data.buffer, file.buffer);
      views++;
    },
  });
  reader.push(file);
  reader.end();
  assert.equal(views, 5);
});

test('pcap: corrupt captured length throws CaptureFormatError at the record offset', () => {
  const recs = records(5);
  const file = pcapFile(recs, { linkType: LinkType.ETHERNET });
  const third = 24 + (16 + recs[0].data.length) + (16 + recs[1].data.length);
  file.writeUInt32LE(MAX_RECORD_BYTES + 1, third + 8);
  for (const chunkSize of CHUNK_SIZES) {
    const sink = collector();
    assert.throws(
      () => readCaptureBuffer(file, sink, { chunkSize }),
      (e: unknown) => e instanceof CaptureFormatError && e.offset === third && /captured length 262145/.test(e.message),
    );
    assert.equal(sink.records.length, 2);
  }
});

test('pcap: a large snaplen does not lift the limit past MAX_RECORD_BYTES', () => {
  const file = pcapFile([{ ts: 0, data: Buffer.alloc(10) }], { linkType: 1, snaplen: 1 << 20 });
  file.writeUInt32LE(MAX_RECORD_BYTES + 4, 24 + 8);
  assert.throws(() => readCaptureBuffer(file, collector()), CaptureFormatError);
});

test('pcap: captured length above the snaplen (but within 262144) is delivered and counted', () => {
  const file = pcapFile([{ ts: 0, data: Buffer.alloc(200) }, { ts: 1, data: Buffer.alloc(50) }], { linkType: 1, snaplen: 100 });
  const sink = collector();
  const { stats } = readCaptureBuffer(file, sink);
  assert.deepEqual(sink.records.map((r) => r.data.length), [200, 50]);
  assert.equal(stats.oversizedRecords, 1);
});

test('pcap: truncated last record throws, or is counted under tolerateTruncation', () => {
  const recs = records(6);
  const full = pcapFile(recs, { linkType: LinkType.ETHERNET });
  const lastStart = full.length - 16 - recs[5].data.length;
  // Cut inside the last record's data, and inside its header.
  for (const cut of [full.length - 3, lastStart + 10]) {
    const file = full.subarray(0, cut);
    for (const chunkSize of CHUNK_SIZES) {
      assert.throws(
        () => readCaptureBuffer(file, collector(), { chunkSize }),
        (e: unknown) => e instanceof CaptureFormatError && /^truncated last record/.test(e.message) && e.offset === lastStart,
      );
      const sink = collector();
      const { stats } = readCaptureBuffer(file, sink, { chunkSize, tolerateTruncation: true });
      assert.equal(sink.records.length, 5);
      assert.equal(stats.records, 5);
      assert.equal(stats.truncatedRecords, 1);
    }
  }
});

test('pcap: truncated or missing file header, bad version', () => {
  assert.throws(() => readCaptureBuffer(HAND_PCAP.subarray(0, 10), collector()), /truncated last record \(pcap file header\): 10 of 24/);
  const empty = new PcapReader(collector());
  assert.throws(() => empty.end(), /empty input/);
  const v3 = Buffer.from(HAND_PCAP);
  v3.writeUInt16BE(3, 4);
  assert.throws(() => readCaptureBuffer(v3, collector()), /unsupported pcap version 3/);
});
