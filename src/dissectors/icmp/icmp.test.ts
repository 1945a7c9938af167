import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startCapture } from '../../lab/record.js';
import { which } from '../../lab/proc.js';
import type { Entry } from '../../entries/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { readCaptureFile } from '../../capture/open.js';
import { parseFilter } from '../../query/parser.js';
import { compilePredicate } from '../../query/predicate.js';
import type { IcmpEntry } from './entry.js';
import { MAX_PENDING_ECHOES } from './icmp-layer.js';
import { icmpFrame, quotedUdp, type IcmpSpec } from './test-packets.js';

const T0 = 1_700_000_000_000;

function run(frames: Array<[number, Buffer]>, advanceTo?: number): { entries: IcmpEntry[]; p: Pipeline } {
  const entries: IcmpEntry[] = [];
  const p = new Pipeline((e: Entry) => { if (e.protocol === 'icmp') entries.push(e); }, { udpIdleTimeoutMs: 5_000 });
  for (const [dt, data] of frames) p.packet({ ts: T0 + dt, linkType: 1, iface: 0, data, origLength: data.length });
  if (advanceTo !== undefined) p.advance(T0 + advanceTo);
  else p.finish();
  return { entries, p };
}

const echo = (src: string, dst: string, type: number, sequence: number, identifier = 7): IcmpSpec =>
  ({ src, dst, type, identifier, sequence, payload: Buffer.from('abcdefgh') });

test('IPv4 and IPv6 echo request/reply pairs become one entry each, with elapsedTime', () => {
  const { entries } = run([
    [0, icmpFrame(echo('10.0.0.1', '10.0.0.2', 8, 1))],
    [0.5, icmpFrame(echo('fd00::1', 'fd00::2', 128, 1))],
    [1.25, icmpFrame(echo('10.0.0.2', '10.0.0.1', 0, 1))],
    [2, icmpFrame(echo('fd00::2', 'fd00::1', 129, 1))],
  ]);
  assert.equal(entries.length, 2);
  const [v4, v6] = entries;
  assert.equal(v4.transport, 'icmp');
  assert.deepEqual([v4.src.ip, v4.dst.ip, v4.elapsedTime, v4.flags], ['10.0.0.1', '10.0.0.2', 1.25, []]);
  assert.deepEqual(v4.request, { type: 8, code: 0, typeName: 'echo-request', codeName: '', identifier: 7, sequence: 1, size: 16 });
  assert.deepEqual(v4.response, { type: 0, code: 0, typeName: 'echo-reply', codeName: '', identifier: 7, sequence: 1, size: 16 });
  assert.deepEqual([v6.src.ip, v6.request?.typeName, v6.response?.typeName, v6.elapsedTime], ['fd00::1', 'echo-request', 'echo-reply', 1.5]);
  assert.equal(v4.connectionId, 'i:10.0.0.1>10.0.0.2#7');
});

test('pairing needs identifier, sequence and both addresses; the rest is no-response / no-request', () => {
  const { entries } = run([
    [0, icmpFrame(echo('10.0.0.1', '10.0.0.2', 8, 1))],
    [1, icmpFrame(echo('10.0.0.2', '10.0.0.1', 0, 2))],      // other sequence
    [2, icmpFrame(echo('10.0.0.2', '10.0.0.1', 0, 1, 8))],   // other identifier
    [3, icmpFrame(echo('10.0.0.3', '10.0.0.1', 0, 1))],      // other address
  ]);
  assert.deepEqual(entries.map((e) => [e.request?.sequence ?? null, e.response?.sequence ?? null, e.flags.join()]), [
    [null, 2, 'no-request'], [null, 1, 'no-request'], [null, 1, 'no-request'], [1, null, 'no-response'],
  ]);
});

test('an unanswered request comes out when idle (advance) with no-response', () => {
  const { entries } = run([[0, icmpFrame(echo('10.0.0.1', '10.0.0.2', 8, 1))]], 6_000);
  assert.equal(entries.length, 1);
  assert.deepEqual(entries[0].flags, ['no-response']);
  assert.equal(entries[0].response, null);
});

test('errors: one entry each with type/code names and the quoted 5-tuple', () => {
  const { entries } = run([
    [0, icmpFrame({ src: '192.0.2.1', dst: '10.0.0.1', type: 3, code: 3, payload: quotedUdp('10.0.0.1', '192.0.2.1', 5353, 53) })],
    [1, icmpFrame({ src: '198.51.100.1', dst: '10.0.0.1', type: 11, code: 0, payload: quotedUdp('10.0.0.1', '203.0.113.9', 33434, 33435) })],
    [2, icmpFrame({ src: 'fd00::9', dst: 'fd00::1', type: 1, code: 4, payload: quotedUdp('fd00::1', 'fd00::9', 4000, 9) })],
    [3, icmpFrame({ src: 'fd00::9', dst: 'fd00::1', type: 2, code: 0, payload: Buffer.alloc(4) })], // quote cut short
    [4, icmpFrame({ src: 'fd00::9', dst: 'fd00::1', type: 135 })],                                   // neighbor solicitation: not an entry
  ]);
  assert.equal(entries.length, 4);
  const [unreach, ttl, unreach6, tooBig] = entries;
  assert.deepEqual([unreach.src.ip, unreach.dst.ip, unreach.request, unreach.flags], ['10.0.0.1', '192.0.2.1', null, []]);
  assert.deepEqual(unreach.response, {
    type: 3, code: 3, typeName: 'destination-unreachable', codeName: 'port-unreachable', identifier: null, sequence: null, size: 36,
    original: { protocol: 'udp', srcIp: '10.0.0.1', dstIp: '192.0.2.1', srcPort: 5353, dstPort: 53 },
  });
  assert.deepEqual([ttl.response?.typeName, ttl.response?.codeName, ttl.response?.original?.dstPort], ['time-exceeded', 'ttl-exceeded-in-transit', 33435]);
  assert.deepEqual([unreach6.response?.typeName, unreach6.response?.codeName, unreach6.response?.original],
    ['destination-unreachable', 'port-unreachable', { protocol: 'udp', srcIp: 'fd00::1', dstIp: 'fd00::9', srcPort: 4000, dstPort: 9 }]);
  assert.deepEqual([tooBig.response?.typeName, tooBig.response?.original], ['packet-too-big', undefined]);
  const match = compilePredicate(parseFilter('protocol == "icmp" and response.codeName == "port-unreachable" and response.original.dstPort == 53'), { now: 0 });
  assert.deepEqual(entries.map((e) => match(e)), [true, false, false, false]);
});

test('the pending map is bounded: the oldest request is evicted as no-response and counted', () => {
  const frames: Array<[number, Buffer]> = [];
  for (let i = 0; i <= MAX_PENDING_ECHOES; i++) frames.push([0, icmpFrame(echo('10.0.0.1', '10.0.0.2', 8, i & 0xffff, i >> 16))]);
  const { entries, p } = run(frames, 1);
  assert.equal(entries.length, 1);
  assert.equal(entries[0].request?.sequence, 0);
  assert.equal(p.stats.limitsHit.icmp_pending_echoes, 1);
  p.finish();
  assert.equal(entries.length, MAX_PENDING_ECHOES + 1);
});

test('short and cut messages never throw: a header under 8 bytes is a weird, a cut one is flagged', () => {
  const short = icmpFrame({ src: '10.0.0.1', dst: '10.0.0.2', type: 8 }).subarray(0, 14 + 20 + 5);
  const cut = icmpFrame(echo('10.0.0.1', '10.0.0.2', 8, 1));
  const entries: IcmpEntry[] = [];
  const p = new Pipeline((e: Entry) => { if (e.protocol === 'icmp') entries.push(e); });
  p.packet({ ts: T0, linkType: 1, iface: 0, data: short, origLength: short.length });
  p.packet({ ts: T0 + 1, linkType: 1, iface: 0, data: cut.subarray(0, cut.length - 4), origLength: cut.length });
  p.finish();
  assert.equal(p.stats.weirds.icmp_truncated_header, 1);
  assert.equal(entries.length, 1);
  assert.deepEqual(entries[0].flags, ['truncated', 'no-response']);
  assert.equal(entries[0].request?.size, 16);
});

interface Truth {
  v4: Array<{ seq: number; size: number; reply: number | null }>;
  v6: Array<{ seq: number; size: number; reply: number | null }>;
  unanswered: { seq: number; size: number };
  udp: Array<{ src: string; sport: number; dport: number }>;
}

test('real capture on lo (raw-socket pings and UDP to a closed port) matches the sender\'s ground truth', async () => {
  const dir = new URL('../../../fixtures/icmp/', import.meta.url);
  const truth = JSON.parse(readFileSync(new URL('lo-ping.truth.json', dir), 'utf8')) as Truth;
  const entries: IcmpEntry[] = [];
  const p = new Pipeline((e: Entry) => { if (e.protocol === 'icmp') entries.push(e); });
  await readCaptureFile(new URL('lo-ping.pcap', dir).pathname, p);
  const stats = p.finish();
  assert.equal(stats.icmp + stats.icmpv6, 13);
  const pairs = entries.filter((e) => e.request !== null && e.response !== null);
  const want = [...truth.v4.map((t) => ['127.0.0.1', t.seq, t.size, t.reply]), ...truth.v6.map((t) => ['::1', t.seq, t.size, t.reply])];
  assert.deepEqual(pairs.map((e) => [e.src.ip, e.request?.sequence, e.request?.size, e.response?.size]), want);
  assert.ok(pairs.every((e) => e.request?.identifier === 0x4242 && e.elapsedTime > 0 && e.elapsedTime < 100 && e.flags.length === 0));
  const lone = entries.filter((e) => e.flags.includes('no-response'));
  assert.deepEqual(lone.map((e) => [e.request?.sequence, e.request?.size]), [[truth.unanswered.seq, truth.unanswered.size]]);
  const errors = entries.filter((e) => e.request === null);
  assert.deepEqual(errors.map((e) => [e.response?.codeName, e.response?.original]), truth.udp.map((u) => ['port-unreachable',
    { protocol: 'udp', srcIp: u.src, dstIp: u.src, srcPort: u.sport, dstPort: u.dport }]));
  assert.equal(entries.length, 5 + 1 + 2);
});

test('live: ping -c 3 127.0.0.1 recorded on lo gives 3 paired entries', async (t) => {
  if (which('ping') === undefined) { t.skip('ping is not installed (fixtures/icmp/record.py made the committed capture instead)'); return; }
  if (which('tcpdump') === undefined || process.getuid?.() !== 0) { t.skip('needs tcpdump and root'); return; }
  const file = join(mkdtempSync(join(tmpdir(), 'podtap-icmp-')), 'ping.pcap');
  const cap = await startCapture({ file, iface: 'lo', filter: 'icmp' });
  const r = spawnSync('ping', ['-c', '3', '-i', '0.2', '127.0.0.1'], { encoding: 'utf8', timeout: 10_000 });
  await cap.stop();
  const replies = (r.stdout.match(/bytes from/g) ?? []).length;
  const entries: IcmpEntry[] = [];
  const p = new Pipeline((e: Entry) => { if (e.protocol === 'icmp') entries.push(e); });
  await readCaptureFile(file, p);
  p.finish();
  assert.equal(entries.filter((e) => e.request !== null && e.response !== null).length, replies);
  assert.equal(replies, 3);
});
