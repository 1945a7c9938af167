/** The big-capture writer shifts time, remaps client ports and keeps TCP checksums valid. */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { adjustChecksum, buildBigCapture, remapPort, repeatCapture } from './big.js';
import { scanPcap } from './pcap-file.js';

/** Ones-complement sum over the IPv4 pseudo-header and the TCP segment (checksum field included). */
function tcpChecksumOk(frame: Buffer): boolean {
  const ip = frame.subarray(14);
  const seg = ip.subarray(20);
  let sum = 0;
  const add = (b: Buffer): void => {
    for (let i = 0; i < b.length; i += 2) sum += (b[i]! << 8) | (b[i + 1] ?? 0);
  };
  add(ip.subarray(12, 20));
  sum += 6 + seg.length;
  add(seg);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

function tcpFrame(sport: number, dport: number, payload: string): Buffer {
  const data = Buffer.from(payload);
  const f = Buffer.alloc(14 + 20 + 20 + data.length);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(20 + 20 + data.length, 16);
  f[14 + 8] = 64;
  f[14 + 9] = 6;
  Buffer.from([10, 231, 1, 2, 10, 231, 1, 1]).copy(f, 14 + 12);
  f.writeUInt16BE(sport, 34);
  f.writeUInt16BE(dport, 36);
  f[34 + 12] = 0x50;
  f[34 + 13] = 0x18;
  data.copy(f, 54);
  // Compute the checksum from zero with the same incremental rule, then verify with the full sum.
  let sum = 0xffff;
  for (let i = 0; i < 8; i += 2) sum = adjustChecksum(sum, 0, f.readUInt16BE(26 + i));
  sum = adjustChecksum(sum, 0, 6);
  sum = adjustChecksum(sum, 0, 20 + data.length);
  for (let i = 34; i < f.length; i += 2) sum = adjustChecksum(sum, 0, (f[i]! << 8) | (f[i + 1] ?? 0));
  f.writeUInt16BE(sum, 50);
  assert.ok(tcpChecksumOk(f), 'fixture frame has a valid checksum');
  return f;
}

function pcap(frames: Array<{ sec: number; frame: Buffer }>): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(262144, 16);
  head.writeUInt32LE(1, 20);
  const recs = frames.map(({ sec, frame }) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(sec, 0);
    r.writeUInt32LE(frame.length, 8);
    r.writeUInt32LE(frame.length, 12);
    return Buffer.concat([r, frame]);
  });
  return Buffer.concat([head, ...recs]);
}

test('remapPort is a bijection per repetition and leaves server ports alone', () => {
  const seen = new Set<number>();
  for (let p = 1024; p < 65536; p++) seen.add(remapPort(p, 3));
  assert.equal(seen.size, 65536 - 1024);
  assert.equal(remapPort(80, 5), 80);
  assert.equal(remapPort(45000, 0), 45000);
});

test('repetitions shift time, remap client ports and keep TCP checksums valid', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-big-'));
  try {
    const src = join(dir, 'src.pcap');
    const bytes = pcap([
      { sec: 1000, frame: tcpFrame(45000, 80, 'GET / HTTP/1.1\r\n\r\n') },
      { sec: 1003, frame: tcpFrame(80, 45000, 'HTTP/1.1 200 OK\r\n\r\nok') },
    ]);
    await writeFile(src, bytes);
    const info = await buildBigCapture(src, join(dir, 'big.pcap'), 24 + 3 * (bytes.length - 24)); // header once + 3 passes
    assert.equal(info.repetitions, 3);
    assert.equal(info.notRewritten, 0);
    const seen: Array<{ sec: number; sport: number; dport: number; ok: boolean }> = [];
    await scanPcap(info.file, {
      header: () => undefined,
      record: (b, off, len) => {
        const frame = b.subarray(off + 16, off + len);
        seen.push({ sec: b.readUInt32LE(off), sport: frame.readUInt16BE(34), dport: frame.readUInt16BE(36), ok: tcpChecksumOk(frame) });
      },
    });
    assert.equal(seen.length, 6);
    assert.deepEqual(seen.map((s) => s.sec), [1000, 1003, 1005, 1008, 1010, 1013]);
    assert.ok(seen.every((s) => s.ok), 'every rewritten checksum verifies');
    assert.deepEqual(seen.map((s) => (s.sport === 80 ? s.dport : s.sport)), [45000, 45000, remapPort(45000, 1), remapPort(45000, 1), remapPort(45000, 2), remapPort(45000, 2)]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function ipChecksumOk(frame: Buffer): boolean {
  let sum = 0;
  for (let i = 14; i < 34; i += 2) sum += frame.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

function withIpChecksum(f: Buffer): Buffer {
  let sum = 0xffff;
  for (let i = 14; i < 34; i += 2) if (i !== 24) sum = adjustChecksum(sum, 0, f.readUInt16BE(i));
  f.writeUInt16BE(sum, 24);
  assert.ok(ipChecksumOk(f), 'fixture frame has a valid IPv4 header checksum');
  return f;
}

test('a replay copy moves the recording to other addresses and MACs, with valid IPv4 and TCP checksums', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-replay-'));
  try {
    const src = join(dir, 'src.pcap');
    await writeFile(src, pcap([
      { sec: 1000, frame: withIpChecksum(tcpFrame(45000, 80, 'GET / HTTP/1.1\r\n\r\n')) },
      { sec: 1001, frame: withIpChecksum(tcpFrame(80, 45000, 'HTTP/1.1 200 OK\r\n\r\nok')) },
    ]));
    const mac = Buffer.from('aabbccddeeff', 'hex');
    const client = 0x0af00104; // 10.240.1.4
    const server = 0x0af00105; // 10.240.1.5
    const info = await repeatCapture(src, join(dir, 'replay.pcap'), {
      repetitions: 2,
      rewrite: { ipMap: new Map([[0x0ae70102, client], [0x0ae70101, server]]), dstMac: new Map([[server, mac], [client, mac]]) },
    });
    assert.equal(info.repetitions, 2);
    assert.equal(info.packets, 4);
    const seen: Array<{ src: string; dst: string; mac: string; ip: boolean; tcp: boolean }> = [];
    await scanPcap(info.file, {
      header: () => undefined,
      record: (b, off, len) => {
        const f = b.subarray(off + 16, off + len);
        const ip = (o: number): string => [...f.subarray(o, o + 4)].join('.');
        seen.push({ src: ip(26), dst: ip(30), mac: f.subarray(0, 6).toString('hex'), ip: ipChecksumOk(f), tcp: tcpChecksumOk(f) });
      },
    });
    assert.ok(seen.every((s) => s.ip && s.tcp), JSON.stringify(seen));
    assert.ok(seen.every((s) => s.mac === 'aabbccddeeff'));
    assert.deepEqual(new Set(seen.flatMap((s) => [s.src, s.dst])), new Set(['10.240.1.4', '10.240.1.5']));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
