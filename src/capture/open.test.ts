import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createCaptureReader, detectCaptureFormat, isGzip, readCaptureBuffer, readCaptureFile } from './open.js';
import { PcapReader } from './pcap.js';
import { PcapngReader } from './pcapng.js';
import { pcapFile, pcapngFile } from './writer.js';
import { collector, payloads } from './testing.js';
import { CaptureFormatError, LinkType } from './types.js';
import { fixturePath } from '../util/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'podtap-capture-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tmpFile(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

const RECORDS = payloads(200, 1500).map((data, i) => ({ ts: (1700000000000000 + i * 1000) / 1000, data, iface: i % 2 }));
const PCAP = pcapFile(RECORDS, { linkType: LinkType.ETHERNET });
const PCAPNG = pcapngFile([{ linkType: LinkType.ETHERNET }, { linkType: LinkType.RAW }], RECORDS, { bigEndian: true });

test('detectCaptureFormat and isGzip', () => {
  const hex = (s: string) => Buffer.from(s, 'hex');
  assert.equal(detectCaptureFormat(hex('d4c3b2a1')), 'pcap');
  assert.equal(detectCaptureFormat(hex('a1b2c3d4')), 'pcap');
  assert.equal(detectCaptureFormat(hex('4d3cb2a1')), 'pcap');
  assert.equal(detectCaptureFormat(hex('a1b23c4d')), 'pcap');
  assert.equal(detectCaptureFormat(hex('0a0d0d0a')), 'pcapng');
  assert.equal(detectCaptureFormat(hex('1f8b0800')), null);
  assert.equal(detectCaptureFormat(Buffer.from('GET / HTTP/1.1')), null);
  assert.equal(detectCaptureFormat(hex('d4c3b2')), null);
  assert.equal(isGzip(hex('1f8b')), true);
  assert.equal(isGzip(PCAP), false);
});

test('createCaptureReader picks the reader from the first bytes', () => {
  assert.ok(createCaptureReader(PCAP, collector()) instanceof PcapReader);
  assert.ok(createCaptureReader(PCAPNG.subarray(0, 4), collector()) instanceof PcapngReader);
  assert.throws(() => createCaptureReader(Buffer.from('hello'), collector()), /^CaptureFormatError: not a capture file \(pcap or pcapng\): input starts with 68 65 6c 6c$/);
});

test('readCaptureFile: pcap and pcapng, plain and gzipped, any chunk size, same records', async () => {
  const expected = collector();
  readCaptureBuffer(PCAP, expected);
  const files = [
    { path: tmpFile('a.pcap', PCAP), format: 'pcap', compressed: false },
    { path: tmpFile('a.pcapng', PCAPNG), format: 'pcapng', compressed: false },
    { path: tmpFile('a.pcap.gz', gzipSync(PCAP)), format: 'pcap', compressed: true },
    { path: tmpFile('a.pcapng.gz', gzipSync(PCAPNG)), format: 'pcapng', compressed: true },
  ];
  for (const f of files) {
    // Small chunks are exercised by readCaptureBuffer; each read here is a syscall.
    for (const chunkSize of [100, 4096, undefined]) {
      const sink = collector();
      const progress: [number, number][] = [];
      const res = await readCaptureFile(f.path, sink, { chunkSize, onProgress: (a, b) => progress.push([a, b]) });
      assert.equal(res.format, f.format);
      assert.equal(res.compressed, f.compressed);
      assert.equal(res.stats.records, RECORDS.length);
      const size = statSync(f.path).size;
      assert.deepEqual(progress.at(-1), [size, size], `${f.path} progress ends at the file size`);
      assert.ok(progress.every(([a], i) => i === 0 || a > progress[i - 1][0]), 'progress increases');
      assert.deepEqual(sink.records.map((r) => r.data), expected.records.map((r) => r.data));
      assert.deepEqual(sink.records.map((r) => r.ts), expected.records.map((r) => r.ts));
      if (f.format === 'pcapng') assert.deepEqual(sink.records.map((r) => r.linkType), RECORDS.map((r) => (r.iface ? LinkType.RAW : LinkType.ETHERNET)));
    }
  }
});

test('readCaptureFile: a checked-in gzip capture', async () => {
  const sink = collector();
  const res = await readCaptureFile(fixturePath('capture', 'dns_udp.pcap.gz'), sink);
  // Counts from `capinfos -c -d fixtures/corpus/tcpdump/tests/dns_udp.pcap`; timestamps from `tcpdump -tt -r`.
  assert.deepEqual([res.format, res.compressed, res.stats.records, res.stats.bytes], ['pcap', true, 2, 364]);
  assert.deepEqual(sink.records.map((r) => r.ts), [1591780794740.079, 1591780794870.361]);
});

test('readCaptureBuffer: gzip in memory', () => {
  const sink = collector();
  const res = readCaptureBuffer(gzipSync(PCAPNG), sink, { chunkSize: 1000 });
  assert.deepEqual([res.format, res.compressed, res.stats.records], ['pcapng', true, RECORDS.length]);
});

const notACapture = (detail: RegExp) => (e: unknown) =>
  e instanceof CaptureFormatError && /^not a capture file \(pcap or pcapng\): /.test(e.message) && detail.test(e.message);

test('readCaptureFile: not a capture, empty, too short, gzip of junk', async () => {
  await assert.rejects(readCaptureFile(tmpFile('t.txt', 'GET / HTTP/1.1\r\n\r\n'), collector()), notACapture(/t\.txt starts with 47 45 54 20/));
  await assert.rejects(readCaptureFile(tmpFile('empty.pcap', ''), collector()), notACapture(/empty\.pcap is empty/));
  await assert.rejects(readCaptureFile(tmpFile('short.pcap', PCAP.subarray(0, 3)), collector()), notACapture(/too short \(3 bytes\)/));
  await assert.rejects(readCaptureFile(tmpFile('junk.gz', gzipSync('{"not":"pcap"}')), collector()), notACapture(/starts with 7b 22 6e 6f/));
  await assert.rejects(readCaptureFile(tmpFile('empty.gz', gzipSync('')), collector()), notACapture(/too short \(0 bytes\)/));
});

test('readCaptureFile: fs errors become one-line CaptureFormatErrors', async () => {
  const missing = join(dir, 'nope.pcap');
  await assert.rejects(readCaptureFile(missing, collector()), (e: unknown) => e instanceof CaptureFormatError && e.message === `cannot open ${missing}: no such file`);
  const sub = join(dir, 'subdir');
  mkdirSync(sub);
  await assert.rejects(readCaptureFile(sub, collector()), (e: unknown) => e instanceof CaptureFormatError && /: is a directory$/.test(e.message));
});

test('readCaptureFile: truncated capture and truncated gzip', async () => {
  const cut = tmpFile('cut.pcap', PCAP.subarray(0, PCAP.length - 5));
  await assert.rejects(readCaptureFile(cut, collector(), { chunkSize: 4096 }), /^CaptureFormatError: truncated last record/);
  const res = await readCaptureFile(cut, collector(), { tolerateTruncation: true });
  assert.deepEqual([res.stats.records, res.stats.truncatedRecords], [RECORDS.length - 1, 1]);
  const gz = gzipSync(PCAP);
  const cutGz = tmpFile('cut.pcap.gz', gz.subarray(0, gz.length - 100));
  await assert.rejects(readCaptureFile(cutGz, collector()), (e: unknown) => e instanceof CaptureFormatError && /^corrupt gzip data in .*cut\.pcap\.gz/.test(e.message));
});

test('readCaptureFile: errors thrown by the sink pass through unchanged', async () => {
  const boom = new Error('sink failed');
  for (const name of ['a.pcap', 'a.pcap.gz']) {
    const path = join(dir, name);
    await assert.rejects(readCaptureFile(path, { packet: () => { throw boom; } }, { chunkSize: 64 }), (e: unknown) => e === boom);
  }
});

/**
 * Real captures from the corpus. Expected values were obtained independently:
 * records = `tcpdump -r FILE 2>/dev/null | wc -l` (equal to `capinfos -c`),
 * bytes = `capinfos -d` (captured bytes), linkType from `tcpdump -r FILE` ("link-type ..."),
 * first/last = `tcpdump -tt -r FILE` of the first and last packet (µs).
 */
const CORPUS: { path: string; records: number; bytes: number; linkType: number; first: number; last: number }[] = [
  { path: 'zeek/Traces/mysql/caching_sha2_password-after-auth-switch.pcapng', records: 27, bytes: 3114, linkType: LinkType.ETHERNET, first: 1681280715.783285, last: 1681280719.44634 },
  { path: 'zeek/Traces/redis/django-cloud.pcapng', records: 474, bytes: 50318, linkType: LinkType.ETHERNET, first: 1728488976.467415, last: 1728488990.007242 },
  { path: 'suricata-verify/tests/decode-chdlc-01/hdlc-http_1tx.pcap', records: 17, bytes: 10320, linkType: 104, first: 1258222644.993536, last: 1258222645.792185 },
  { path: 'suricata-verify/tests/dns/dns-udp-eve-log-srv/input.pcap', records: 2, bytes: 286, linkType: LinkType.RAW, first: 1604008458.427535, last: 1604008458.442565 },
  { path: 'zeek/Traces/http/basic-auth-with-colon.pcap', records: 12, bytes: 1624, linkType: LinkType.IPV4, first: 1724831789.595534, last: 1724831789.596793 },
  { path: 'tcpdump/tests/resp_3_malicious.pcap', records: 163, bytes: 12092, linkType: LinkType.LINUX_SLL, first: 1453924860.8568, last: 1453924877.993863 },
  { path: 'zeek/Traces/http/connect-with-header.pcap', records: 58, bytes: 63575, linkType: LinkType.NULL, first: 1443732977.72774, last: 1443732978.418981 },
  { path: 'suricata-verify/tests/http2-keywords/input.pcap', records: 56, bytes: 417771, linkType: LinkType.ETHERNET, first: 1406976625.815505, last: 1406976625.840995 },
  { path: 'zeek/Traces/http/methods.pcap', records: 655, bytes: 228325, linkType: LinkType.ETHERNET, first: 1354328870.172701, last: 1354328932.81667 },
  { path: 'suricata-verify/tests/bug-4376/syn_retransmit_with_ts.pcap', records: 254, bytes: 229244, linkType: LinkType.ETHERNET, first: 1540604430.000524, last: 1540604432.00014 },
  { path: 'zeek/Traces/http/no-version.pcap', records: 11, bytes: 1068, linkType: LinkType.ETHERNET, first: 1036020197.659203, last: 1036020209.803512 },
  { path: 'tcpdump/tests/ipv4_tcp_http_xml.pcap', records: 1, bytes: 663, linkType: LinkType.ETHERNET, first: 1395173523.342266, last: 1395173523.342266 },
];

test('corpus captures parse fully with the expected records (tcpdump / capinfos)', async () => {
  for (const c of CORPUS) {
    for (const chunkSize of [4096, undefined]) {
      const ts: number[] = [];
      const linkTypes = new Set<number>();
      const res = await readCaptureFile(fixturePath('corpus', c.path), {
        packet(r) {
          ts.push(r.ts);
          linkTypes.add(r.linkType);
        },
      }, { chunkSize });
      assert.equal(res.format, c.path.endsWith('.pcapng') ? 'pcapng' : 'pcap', c.path);
      assert.deepEqual([res.stats.records, res.stats.bytes, ts.length], [c.records, c.bytes, c.records], c.path);
      assert.deepEqual([...linkTypes], [c.linkType], c.path);
      // tcpdump -tt prints µs (truncated for the ns pcapng): compare to within 1 µs.
      assert.ok(Math.abs(ts[0] - c.first * 1000) < 1e-3 && Math.abs(ts[ts.length - 1] - c.last * 1000) < 1e-3, `${c.path} ${ts[0]} ${ts.at(-1)}`);
    }
  }
});

test('corpus captures read identically in chunks of 1, 7 and 4096 bytes', () => {
  for (const c of CORPUS.filter((x) => x.bytes < 20000)) {
    const whole = collector();
    readCaptureBuffer(readFileSync(fixturePath('corpus', c.path)), whole);
    assert.equal(whole.records.length, c.records);
    for (const chunkSize of [1, 7, 4096]) {
      const sink = collector();
      readCaptureBuffer(readFileSync(fixturePath('corpus', c.path)), sink, { chunkSize });
      assert.deepEqual(sink.records, whole.records, `${c.path} in chunks of ${chunkSize}`);
    }
  }
});

test('every capture in the corpus parses without error', async () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/\.pcap(ng)?$/.test(e.name)) files.push(join(d, e.name));
    }
  };
  walk(fixturePath('corpus'));
  assert.ok(files.length > 100, `found ${files.length} corpus captures`);
  for (const f of files) {
    const res = await readCaptureFile(f, { packet() {} });
    assert.ok(res.stats.records > 0, f);
    assert.equal(res.stats.truncatedRecords, 0, f);
  }
});
