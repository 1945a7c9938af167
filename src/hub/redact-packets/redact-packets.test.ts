/**
 * Packet export redaction: secrets split over segments at every byte are
 * masked in all the packets that carry them, nothing else changes, TCP
 * checksums stay right, and the masked capture still dissects (with the
 * masks showing). Real captures for PostgreSQL (cleartext, MD5, SCRAM),
 * MySQL and AMQP; built conversations for HTTP/1, Redis, MQTT and MongoDB;
 * a real Node HTTP/2 client (HPACK with Huffman and the dynamic table) for
 * HTTP/2. Where tshark is installed it reads the masked captures too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import net from 'node:net';
import http2 from 'node:http2';
import { readCaptureBuffer } from '../../capture/open.js';
import { pcapFile } from '../../capture/writer.js';
import { processCaptureFile } from '../../pipeline/read-file.js';
import type { Entry } from '../../entries/types.js';
import { decodeLink } from '../../layers/link.js';
import { IpPacket, decodeIpv4, decodeIpv6 } from '../../layers/ip.js';
import { tcpConversation, tcpFrame } from '../../testing/packets.js';
import { CLIENT_DEPRECATE_EOF } from '../../dissectors/mysql/codes.js';
import { DEFAULT_CAPS, greeting, ok, pkt } from '../../dissectors/mysql/wire-builders.js';
import { fixturePath } from '../../util/paths.js';
import { Redactor } from '../redact.js';
import { redactPackets } from './index.js';
import type { PacketRecord } from './streams.js';

const redactor = new Redactor();
const ETHERNET = 1;

function recordsOf(frames: Buffer[]): PacketRecord[] {
  return frames.map((data, i) => ({ ts: 1_700_000_000_000 + i, linkType: ETHERNET, data: Buffer.from(data), origLength: data.length }));
}

function readFixture(path: string): PacketRecord[] {
  const out: PacketRecord[] = [];
  readCaptureBuffer(readFileSync(path), { packet: (r) => out.push({ ts: r.ts, linkType: r.linkType, data: Buffer.from(r.data), origLength: r.origLength }) });
  return out;
}

/** The TCP checksum of a frame: [stored, computed], or null when it is not a whole TCP packet. */
function tcpChecksum(r: PacketRecord): [number, number] | null {
  const link = decodeLink(r.data, r.linkType, { offset: 0, ipVersion: 0 });
  const ip = new IpPacket();
  if (link.offset < 0 || !(link.ipVersion === 4 ? decodeIpv4(r.data, link.offset, ip) : link.ipVersion === 6 ? decodeIpv6(r.data, link.offset, ip) : false)) return null;
  if (ip.protocol !== 6 || ip.truncated || ip.isFragment) return null;
  const d = r.data, t = ip.l4Off, len = ip.l4Len;
  let sum = 0;
  for (let i = 0; i < ip.addrLen; i += 2) sum += d.readUInt16BE(ip.srcOff + i) + d.readUInt16BE(ip.dstOff + i);
  sum += 6 + len;
  for (let i = 0; i < len; i += 2) {
    if (i === 16) continue; // the checksum field
    sum += i + 1 < len ? d.readUInt16BE(t + i) : d[t + i] << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return [d.readUInt16BE(t + 16), ~sum & 0xffff];
}

/** Offset of the TCP header in a record (-1 when there is none). */
function tcpOffset(r: PacketRecord): number {
  const link = decodeLink(r.data, r.linkType, { offset: 0, ipVersion: 0 });
  const ip = new IpPacket();
  if (link.offset < 0 || !(link.ipVersion === 4 ? decodeIpv4(r.data, link.offset, ip) : link.ipVersion === 6 ? decodeIpv6(r.data, link.offset, ip) : false)) return -1;
  return ip.protocol === 6 ? ip.l4Off : -1;
}

/** Give built frames right checksums (the builders leave them 0). */
function withChecksums(recs: PacketRecord[]): PacketRecord[] {
  for (const r of recs) {
    const c = tcpChecksum(r);
    if (c !== null) r.data.writeUInt16BE(c[1], tcpOffset(r) + 16);
  }
  return recs;
}

function allBytes(recs: readonly PacketRecord[]): string {
  return Buffer.concat(recs.map((r) => r.data)).toString('latin1');
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'podtap-redact-packets-'));
}

function writeCapture(recs: readonly PacketRecord[], dir: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, pcapFile(recs.map((r) => ({ ts: r.ts, data: r.data, origLength: r.origLength })), { linkType: recs[0]?.linkType ?? ETHERNET }));
  return path;
}

async function entriesOf(recs: readonly PacketRecord[]): Promise<Entry[]> {
  const dir = tmp();
  try {
    return (await processCaptureFile(writeCapture(recs, dir, 'x.pcap'))).entries;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tshark = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;

/** tshark's values of `field` in the capture (one line per packet that has it), or null without tshark. */
function tsharkField(recs: readonly PacketRecord[], field: string, extra: string[] = []): string[] | null {
  if (!tshark) return null;
  const dir = tmp();
  try {
    const r = spawnSync('tshark', ['-r', writeCapture(recs, dir, 't.pcap'), ...extra, '-Y', field, '-T', 'fields', '-e', field], { encoding: 'utf8' });
    return r.stdout.split('\n').filter((l) => l !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Masked copies of records (the originals are kept for comparison). */
function redactCopy(recs: readonly PacketRecord[]): { out: PacketRecord[]; values: number; packets: number } {
  const out = recs.map((r) => ({ ...r, data: Buffer.from(r.data) }));
  const { values, packets } = redactPackets(out, redactor);
  return { out, values, packets };
}

/** Checksums right before are right after; changed bytes are all '*' (or a cleared Huffman bit, for HTTP/2). */
function assertOnlyMasked(before: readonly PacketRecord[], after: readonly PacketRecord[], huffmanBits = false): void {
  for (let i = 0; i < before.length; i++) {
    const a = before[i].data, b = after[i].data;
    assert.equal(a.length, b.length);
    const ca = tcpChecksum(before[i]), cb = tcpChecksum(after[i]);
    if (ca !== null && ca[0] === ca[1]) assert.equal(cb![0], cb![1], `packet ${i}: the checksum was right and is still right`);
    const sumAt = tcpOffset(after[i]) + 16;
    for (let j = 0; j < a.length; j++) {
      if (a[j] === b[j] || j === sumAt || j === sumAt + 1) continue;
      assert.ok(b[j] === 0x2a || (huffmanBits && b[j] === (a[j] & 0x7f)), `packet ${i} byte ${j}: ${a[j]} became ${b[j]}, not a mask`);
    }
  }
}

test('HTTP/1: headers, query and form parameters, JSON fields masked in every packet, cut at every byte; the rest kept; the dissector reads the masked requests', async () => {
  const body = JSON.stringify({ user: 'alice', apiKey: 'K-123-SECRET', nested: { password: 'hunter2hunter2', pin_code: 7 }, token: 98765 });
  const request = 'POST /login?next=%2Fhome&access_token=QTOKEN-abc&x=1 HTTP/1.1\r\nHost: shop\r\nAuthorization: Bearer eyJ.SECRET.JWT\r\n'
    + `Cookie: sid=COOKIE-VALUE-1\r\nX-Api-Secret: HDR-SECRET-9\r\nX-Trace: keep-me\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const form = 'user=bob&password=FORM-PASS-777&remember=1';
  const request2 = `POST /form HTTP/1.1\r\nHost: shop\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n${form}`;
  const response = 'HTTP/1.1 200 OK\r\nSet-Cookie: sid=SETCOOKIE-VALUE; HttpOnly\r\nContent-Length: 2\r\n\r\nok';
  const secrets = ['eyJ.SECRET.JWT', 'COOKIE-VALUE-1', 'HDR-SECRET-9', 'QTOKEN-abc', 'K-123-SECRET', 'hunter2hunter2', '98765', 'FORM-PASS-777', 'SETCOOKIE-VALUE'];
  for (const mss of [1, 3, 7, 64, 1460]) {
    const before = withChecksums(recordsOf(tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40000, sport: 80, mss, exchanges: [[request, response], [request2, response]] })));
    const { out, values } = redactCopy(before);
    const text = allBytes(out);
    // Reassembled, since a secret cut over segments is never whole in one packet.
    const stream = out.map((r) => r.data.subarray(54)).map((b) => b.toString('latin1')).join('');
    for (const s of secrets) assert.ok(!stream.includes(s) && !text.includes(s), `mss ${mss}: ${s} is gone`);
    for (const s of ['keep-me', 'user=bob', '"user":"alice"', 'remember=1', 'next=%2Fhome', 'x=1']) assert.ok(stream.includes(s), `mss ${mss}: ${s} is kept`);
    assert.ok(values >= secrets.length, `mss ${mss}: ${values} values masked`);
    assertOnlyMasked(before, out);
    const entries = await entriesOf(out);
    assert.equal(entries.length, 2, `mss ${mss}: both requests still dissected`);
    const e = entries[0] as Extract<Entry, { protocol: 'http' }>;
    assert.match(e.request!.headers['Authorization'] ?? e.request!.headers['authorization'], /^\*+$/);
    assert.equal(e.request!.headers['X-Trace'] ?? e.request!.headers['x-trace'], 'keep-me');
    assert.equal(e.response!.status, 200);
  }
});

test('a retransmission is masked like the original; a segment with other bytes at the same place is masked where they overlap; an IP fragment is masked whole', () => {
  const C = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40001, dport: 80 };
  const head = 'GET / HTTP/1.1\r\nAuthorization: Basic U0VDUkVU\r\n\r\n';
  const frames = [
    tcpFrame({ ...C, seq: 99, flags: 'S' }),
    tcpFrame({ ...C, seq: 100, payload: head }),
    tcpFrame({ ...C, seq: 100, payload: head }), // retransmitted
    tcpFrame({ ...C, seq: 116, payload: 'Authorization: Basic XXXXXXXX' }), // same place, other bytes
  ];
  const before = withChecksums(recordsOf(frames));
  const { out } = redactCopy(before);
  for (const i of [1, 2, 3]) assert.ok(!out[i].data.toString('latin1').includes('U0VDUkVU') && !out[i].data.toString('latin1').includes('XXXXXXXX'), `packet ${i}`);
  assert.equal(out[1].data.toString('latin1'), out[2].data.toString('latin1'));
  assertOnlyMasked(before, out);
  // A TCP segment sent as IP fragments cannot be placed in a stream: its bytes are masked whole.
  const seg = tcpFrame({ ...C, seq: 200, payload: 'Cookie: a=b\r\n' }).subarray(14 + 20);
  const frag = Buffer.concat([tcpFrame({ ...C, seq: 0 }).subarray(0, 34), seg.subarray(0, 24)]);
  frag.writeUInt16BE(20 + 24, 16);
  frag.writeUInt16BE(0x2000, 20); // more fragments
  const fr = recordsOf([frag]);
  redactPackets(fr, redactor);
  assert.ok(fr[0].data.subarray(34).every((x) => x === 0x2a));
});

test('PostgreSQL: cleartext, MD5 and SCRAM password messages are masked in real captures (after an SSLRequest the server refused too)', async () => {
  const cases: Array<[string, string[]]> = [
    ['pgsql-pwd-output-disabled', ['TestTest!2']],
    ['pgsql-ssl-rejected-md5-auth-simple-query', ['md5']],
    ['pgsql-simple-query-rollback', ['n,,n=', 'c=biws']],
  ];
  for (const [name, secrets] of cases) {
    const before = readFixture(fixturePath(`postgres/suricata-verify/${name}/input.pcap`));
    const { out, values } = redactCopy(before);
    assert.ok(values >= 1, `${name}: ${values} masked`);
    const text = allBytes(out);
    for (const s of secrets) assert.ok(!text.includes(s) || s === 'md5' && !/md5[0-9a-f]{32}/.test(text), `${name}: ${s} is gone`);
    assertOnlyMasked(before, out);
    const [eb, ea] = [await entriesOf(before), await entriesOf(out)];
    assert.deepEqual(ea.map((e) => e.protocol), eb.map((e) => e.protocol), `${name}: the same entries`);
    const pw = tsharkField(out, 'pgsql.password');
    if (pw !== null) for (const v of pw) assert.match(v, /^\*+$/, `${name}: tshark reads a masked password`);
  }
});

test('MySQL and AMQP: the handshake auth response and the PLAIN response are masked in real captures', async () => {
  const mysql = readFixture(fixturePath('mysql/mysql2-session.pcap'));
  const m = redactCopy(mysql);
  assertOnlyMasked(mysql, m.out);
  assert.deepEqual((await entriesOf(m.out)).map((e) => e.protocol), (await entriesOf(mysql)).map((e) => e.protocol));
  // That client logged in without a password; a built one logs in with a scramble, then is switched to cleartext.
  const head = Buffer.alloc(32);
  head.writeUInt32LE((DEFAULT_CAPS | CLIENT_DEPRECATE_EOF) >>> 0, 0);
  head[8] = 0x21;
  const scramble = Buffer.from('MYSQL-SCRAMBLE-20B!!');
  const loginPkt = pkt(1, Buffer.concat([head, Buffer.from('app\0'), Buffer.from([20]), scramble, Buffer.from('shop\0mysql_native_password\0')]));
  const built = withChecksums(recordsOf(tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40007, sport: 3306, mss: 9, exchanges: [
    ['', greeting()], [loginPkt, pkt(2, Buffer.from('\xfemysql_clear_password\0', 'latin1'))],
    [pkt(3, 'CLEAR-TEXT-PASSWORD\0'), ok(4)], [pkt(0, '\x03SELECT 1'), ok(1)],
  ] })));
  const bm = redactCopy(built);
  const bs = bm.out.map((r) => r.data.subarray(54).toString('latin1')).join('');
  assert.ok(!bs.includes('MYSQL-SCRAMBLE') && !bs.includes('CLEAR-TEXT-PASSWORD'), 'scramble and cleartext password are gone');
  assert.ok(bs.includes('app\0') && bs.includes('SELECT 1') && bs.includes('shop'), 'user, database and queries are kept');
  assertOnlyMasked(built, bm.out);
  const amqp = readFixture(fixturePath('amqp/amqplib.pcap'));
  const a = redactCopy(amqp);
  assert.ok(a.values >= 1);
  assert.ok(allBytes(amqp).includes('\0guest\0guest'));
  assert.ok(!allBytes(a.out).includes('\0guest\0guest') && allBytes(a.out).includes('PLAIN'));
  assertOnlyMasked(amqp, a.out);
  assert.deepEqual((await entriesOf(a.out)).map((e) => e.protocol), (await entriesOf(amqp)).map((e) => e.protocol));
});

test('Redis AUTH and HELLO … AUTH, MQTT CONNECT passwords, MongoDB SASL payloads are masked; other commands are not', () => {
  const resp = (...a: string[]): string => `*${a.length}\r\n${a.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`;
  const redis = withChecksums(recordsOf(tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40002, sport: 6379, mss: 5, exchanges: [
    [resp('AUTH', 'default', 'REDIS-PW-1'), '+OK\r\n'], [resp('hello', '3', 'AUTH', 'bob', 'REDIS-PW-2'), '%0\r\n'], [resp('SET', 'AUTH', 'visible-value'), '+OK\r\n'],
  ] })));
  const r = redactCopy(redis);
  const rs = r.out.map((x) => x.data.subarray(54).toString('latin1')).join('');
  // As the entry redactor: every argument of AUTH (user name too), the two after HELLO's AUTH.
  assert.ok(!rs.includes('REDIS-PW-1') && !rs.includes('REDIS-PW-2') && !rs.includes('bob\r\n') && !rs.includes('default'));
  assert.ok(rs.includes('visible-value') && rs.includes('$3\r\nSET\r\n$4\r\nAUTH'));
  assertOnlyMasked(redis, r.out);

  const str = (s: string): Buffer => Buffer.concat([Buffer.from([s.length >> 8, s.length & 0xff]), Buffer.from(s)]);
  for (const level of [4, 5]) {
    const vh = Buffer.concat([str('MQTT'), Buffer.from([level, 0xc6, 0, 60]), level === 5 ? Buffer.from([0]) : Buffer.alloc(0)]);
    const payload = Buffer.concat([str('client-1'), level === 5 ? Buffer.from([0]) : Buffer.alloc(0), str('will/topic'), str('bye'), str('mquser'), str('MQTT-PASSWORD')]);
    const connect = Buffer.concat([Buffer.from([0x10, vh.length + payload.length]), vh, payload]);
    const mqtt = withChecksums(recordsOf(tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40003, sport: 1883, mss: 4, exchanges: [[connect, Buffer.from([0x20, 2, 0, 0])]] })));
    const q = redactCopy(mqtt);
    const qs = q.out.map((x) => x.data.subarray(54).toString('latin1')).join('');
    assert.ok(!qs.includes('MQTT-PASSWORD') && qs.includes('mquser') && qs.includes('will/topic'), `MQTT ${level}`);
    assertOnlyMasked(mqtt, q.out);
  }

  // { saslStart: 1, payload: BinData(0, "SCRAM-CLIENT-FIRST") } inside an OP_MSG.
  const bin = Buffer.from('n,,n=user,r=MONGO-NONCE');
  const doc = Buffer.concat([Buffer.from([0x10]), Buffer.from('saslStart\0'), Buffer.from([1, 0, 0, 0]), Buffer.from([0x05]), Buffer.from('payload\0'), Buffer.from([bin.length, 0, 0, 0, 0]), bin, Buffer.from([0x02]), Buffer.from('$db\0'), Buffer.from([6, 0, 0, 0]), Buffer.from('admin\0'), Buffer.from([0])]);
  const docLen = Buffer.alloc(4); docLen.writeInt32LE(doc.length + 4);
  const body = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), docLen, doc]);
  const hdr = Buffer.alloc(16); hdr.writeInt32LE(16 + body.length, 0); hdr.writeInt32LE(1, 4); hdr.writeInt32LE(2013, 12);
  const mongo = withChecksums(recordsOf(tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40004, sport: 27017, exchanges: [[Buffer.concat([hdr, body]), '']] })));
  const g = redactCopy(mongo);
  assert.ok(!allBytes(g.out).includes('MONGO-NONCE') && allBytes(g.out).includes('admin'));
  assertOnlyMasked(mongo, g.out);
});

/** A real exchange through a recording TCP relay on loopback, as frames between two made-up addresses. */
async function recordHttp2(run: (url: string) => Promise<void>): Promise<Buffer[]> {
  const server = http2.createServer((req, res) => { res.setHeader('set-cookie', 'sid=H2-SETCOOKIE'); res.end('ok'); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const chunks: Array<['c' | 's', Buffer]> = [];
  const relay = net.createServer((c) => {
    const s = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    c.on('data', (d) => { chunks.push(['c', d]); s.write(d); });
    s.on('data', (d) => { chunks.push(['s', d]); c.write(d); });
    c.on('close', () => s.destroy());
    s.on('close', () => c.destroy());
  });
  relay.listen(0, '127.0.0.1');
  await once(relay, 'listening');
  try {
    await run(`http://127.0.0.1:${(relay.address() as net.AddressInfo).port}`);
  } finally {
    relay.close();
    server.close();
  }
  const C = { src: '10.0.0.1', dst: '10.0.0.2', sport: 40005, dport: 80 };
  const S = { src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40005 };
  let cs = 1000, ss = 5000;
  const frames = [tcpFrame({ ...C, seq: cs - 1, flags: 'S' }), tcpFrame({ ...S, seq: ss - 1, ack: cs, flags: 'SA' })];
  for (const [side, d] of chunks) {
    for (let o = 0; o < d.length; o += 600) {
      const part = d.subarray(o, o + 600);
      if (side === 'c') { frames.push(tcpFrame({ ...C, seq: cs, ack: ss, payload: part })); cs += part.length; } else { frames.push(tcpFrame({ ...S, seq: ss, ack: cs, payload: part })); ss += part.length; }
    }
  }
  return frames;
}

test('HTTP/2 from a real client: Huffman-coded and indexed secret headers are masked, the capture still decodes with the masks', async () => {
  const frames = await recordHttp2(async (url) => {
    const session = http2.connect(url);
    for (let i = 0; i < 3; i++) {
      const req = session.request({ ':path': `/items/${i}`, authorization: 'Bearer H2-SECRET-TOKEN', cookie: 'sid=H2-COOKIE', 'x-auth-token': 'H2-XTOKEN', 'x-trace': 'keep-me' });
      req.resume();
      req.end();
      await once(req, 'end');
    }
    session.close();
    await once(session, 'close');
  });
  const before = withChecksums(recordsOf(frames));
  const { out, values } = redactCopy(before);
  assert.ok(values >= 4, `${values} values masked`);
  assertOnlyMasked(before, out, true);
  const entries = (await entriesOf(out)).filter((e) => e.protocol === 'http2') as Array<Extract<Entry, { protocol: 'http2' }>>;
  assert.equal(entries.length, 3);
  for (const e of entries) {
    for (const h of ['authorization', 'cookie', 'x-auth-token']) assert.match(e.request!.headers[h] ?? '', /^\*+$/, `${h}: ${e.request!.headers[h]}`);
    assert.equal(e.request!.headers['x-trace'], 'keep-me');
    assert.match(e.response!.headers['set-cookie'] ?? '', /^\*+$/);
  }
  const auth = tsharkField(out, 'http2.headers.authorization', ['-d', 'tcp.port==80,http2']);
  if (auth !== null) { assert.ok(auth.length >= 1); for (const v of auth) assert.match(v, /^\*+$/); }
});

test('redaction off (hub --no-redact) leaves packets as captured', () => {
  const before = recordsOf(tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40006, sport: 80, exchanges: [['GET / HTTP/1.1\r\nAuthorization: x\r\n\r\n', '']] }));
  const out = before.map((r) => ({ ...r, data: Buffer.from(r.data) }));
  assert.deepEqual(redactPackets(out, new Redactor({ enabled: false, words: [] })), { values: 0, packets: 0 });
  assert.ok(out.every((r, i) => r.data.equals(before[i].data)));
});

test('text scanner: only names are matched, never values; escaped and cut-short JSON; objects under a secret name keep their own fields', async () => {
  const { Stream } = await import('./streams.js');
  const { maskText } = await import('./text.js');
  const run = (text: string): string => {
    const s = new Stream('k', 1, 2);
    s.bytes = Buffer.from(text, 'latin1');
    maskText(s, redactor);
    return s.masked.toString('latin1');
  };
  assert.equal(run('{"note":"my password is here","password":"p1"}'), '{"note":"my password is here","password":"**"}');
  assert.equal(run('{"pass\\u0077ord": "p2", "n": 1}'), '{"pass\\u0077ord": "**", "n": 1}');
  assert.equal(run('{"credentials": {"user": "u", "secretKey": 42}}'), '{"credentials": {"user": "u", "secretKey": **}}');
  assert.equal(run('{"a":1,"api_key":"cut-sho'), '{"a":1,"api_key":"*******');
  assert.equal(run('q=my+password&user_token=abc&x=password'), 'q=my+password&user_token=***&x=password');
  assert.equal(run("a=1&pass%77ord=pw&b=%41"), "a=1&pass%77ord=**&b=%41");
  assert.equal(run('GET /?session_id=s1 HTTP/1.1\r\nX-Refresh-Token: r1\r\nX-Note: password\r\nCOOKIE : c=1\r\n\r\n'), 'GET /?session_id=** HTTP/1.1\r\nX-Refresh-Token: **\r\nX-Note: password\r\nCOOKIE : ***\r\n\r\n');
});
