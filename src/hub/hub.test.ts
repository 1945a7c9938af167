import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { Hub } from './server.js';
import { Uplink } from './uplink.js';
import { JsonlWriter } from '../output/jsonl.js';
import { dnsA, httpGet } from '../output/sample-entries.js';
import type { Entry } from '../entries/types.js';
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PacketRing } from '../worker/packet-ring.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { readCaptureFile } from '../capture/open.js';
import { processCaptureFile } from '../pipeline/read-file.js';
import type { PacketRecord } from '../capture/types.js';
import { decodeLink } from '../layers/link.js';
import { IpPacket, decodeIpv4 } from '../layers/ip.js';
import { formatIpv4 } from '../layers/address.js';
import { fixturePath } from '../util/paths.js';
import { tcpConversation } from '../testing/packets.js';
import { DEFAULT_SECRET_WORDS } from './redact.js';
import { run, which } from '../lab/proc.js';

const TOKEN = 'test-token-0123456789abcdef';
const NO_AGE_LIMIT = { maxAgeMs: Infinity };
const quiet = (): void => {};

function entries(n: number, prefix: string, from = 0): Entry[] {
  return Array.from({ length: n }, (_, i) => {
    const e = i % 5 === 4 ? dnsA() : httpGet();
    return { ...e, id: `${prefix}${from + i}`, timestamp: Date.now() - 1000 + i / 1000 } as Entry;
  });
}

async function startHub(dir: string, port = 0): Promise<Hub> {
  const hub = new Hub({ host: '127.0.0.1', port, token: TOKEN, store: { ...NO_AGE_LIMIT, dir }, log: quiet });
  await hub.start();
  return hub;
}

function send(up: Uplink, list: Entry[]): void {
  const w = new JsonlWriter(up);
  for (const e of list) if (up.admit()) { w.write(e); up.written(); }
}

async function get(hub: Hub, path: string, token: string | null = TOKEN): Promise<{ status: number; body: any }> {
  const r = await fetch(`${hub.url}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: r.status, body: r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text() };
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

test('requests without the token are refused; /healthz is open', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-'));
  const hub = await startHub(dir);
  t.after(async () => { await hub.stop(); rmSync(dir, { recursive: true }); });
  assert.equal((await get(hub, '/healthz', null)).status, 200);
  assert.equal((await get(hub, '/api/entries', null)).status, 401);
  assert.equal((await get(hub, '/api/entries', 'wrong-token-xxxxxxxxxx')).status, 401);
  assert.equal((await get(hub, '/api/entries')).status, 200);
  assert.equal((await get(hub, '/metrics', null)).status, 401);
  const login = await fetch(`${hub.url}/login?token=${TOKEN}`, { redirect: 'manual' });
  assert.equal(login.status, 302);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  assert.equal((await fetch(`${hub.url}/api/workers`, { headers: { cookie } })).status, 200);
  const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/api/ingest`);
  const refused = await new Promise<number>((resolve) => ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0)));
  assert.equal(refused, 401);
});

test('a worker streams entries; a hub restart loses nothing and doubles nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-'));
  let hub = await startHub(dir);
  const port = Number(new URL(hub.url).port);
  const up = new Uplink({ url: hub.url, token: TOKEN, node: 'node-a', runId: 'r1', log: quiet, state: () => ({ counters: { captured: 10, processed: 9, duplicate: 1, untargeted: 0, kernelDrops: 0, entries: { http: 4 }, uplinkDropped: 0, uplinkBuffered: 0 }, targets: [{ pod: 'shop/cart', iface: 'veth1', filter: 'ip host 10.0.0.1', bpfInstructions: 12 }], rules: 'every pod' }), stateMs: 50 });
  t.after(async () => { up.close(); await hub.stop(); rmSync(dir, { recursive: true }); });
  await until(() => up.isConnected);
  send(up, entries(3000, 'node-a.r1.c'));
  assert.equal(await up.drain(10_000), true);
  assert.equal(hub.store.count(), 3000);

  // The hub goes away: the worker buffers, then resends everything unacknowledged.
  await hub.stop();
  await until(() => !up.isConnected);
  send(up, entries(2000, 'node-a.r1.c', 3000));
  await sleep(300);
  assert.equal(up.bufferedEntries, 2000);
  hub = await startHub(dir, port);
  assert.equal(await up.drain(15_000), true);
  assert.equal(hub.store.count(), 5000, 'everything from before and during the outage, once');
  const ids = new Set<string>();
  for (const r of hub.store.scan(null)) ids.add(r.entry.id);
  assert.equal(ids.size, 5000);
  await until(() => hub.workers.list()[0]?.state !== null);
  const workers = (await get(hub, '/api/workers')).body.workers;
  assert.equal(workers[0].node, 'node-a');
  assert.equal(workers[0].connected, true);
  assert.equal(workers[0].state.targets[0].pod, 'shop/cart');
  const metrics = (await get(hub, '/metrics')).body as string;
  assert.match(metrics, /podtap_packets_captured_total\{node="node-a"\} 10/);
  assert.match(metrics, /podtap_entries_total\{node="node-a",protocol="http"\} 4/);
});

test('the same batch sent twice is stored once (the hub drops resent ids)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-'));
  const hub = await startHub(dir);
  t.after(async () => { await hub.stop(); rmSync(dir, { recursive: true }); });
  const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/api/ingest`, { headers: { authorization: `Bearer ${TOKEN}` } });
  await new Promise((r) => ws.on('open', r));
  const acks: any[] = [];
  ws.on('message', (d) => acks.push(JSON.parse(d.toString())));
  ws.send(JSON.stringify({ type: 'hello', node: 'n1', runId: 'x' }));
  const batch = JSON.stringify({ type: 'batch', seq: 1, entries: entries(50, 'n1.x.c') });
  ws.send(batch);
  ws.send(batch);
  await until(() => acks.length === 2);
  assert.deepEqual(acks.map((a) => [a.stored, a.duplicates]), [[50, 0], [0, 50]]);
  assert.equal(hub.store.count(), 50);
  ws.close();
});

test('a killed worker resends from its spool when it starts again', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-'));
  const spool = join(dir, 'spool');
  const hub = await startHub(join(dir, 'db'));
  const url = hub.url;
  await hub.stop(); // the hub is down while the first run works
  const first = new Uplink({ url, token: TOKEN, node: 'n', runId: 'run1', spoolDir: spool, log: quiet });
  send(first, entries(1200, 'n.run1.c'));
  await sleep(250); // batches cut and spooled
  first.close(); // what survives a kill: the spool files
  assert.ok(readdirSync(spool).length > 0);
  const hub2 = await startHub(join(dir, 'db'), Number(new URL(url).port));
  const second = new Uplink({ url, token: TOKEN, node: 'n', runId: 'run2', spoolDir: spool, log: quiet });
  t.after(async () => { second.close(); await hub2.stop(); rmSync(dir, { recursive: true }); });
  assert.equal(second.counters.recovered, 1200);
  send(second, entries(10, 'n.run2.c'));
  assert.equal(await second.drain(10_000), true);
  assert.equal(hub2.store.count(), 1210);
  assert.deepEqual(readdirSync(spool).filter((f) => !f.startsWith('run2')), [], 'the old run\'s spool is deleted once acknowledged');
});

test('bad input on the ingest stream: a clear error, the connection closed, the hub still serving', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-'));
  const hub = await startHub(dir);
  t.after(async () => { await hub.stop(); rmSync(dir, { recursive: true }); });
  const tryMessage = async (msgs: string[]): Promise<{ error?: string; code: number }> => {
    const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/api/ingest`, { headers: { authorization: `Bearer ${TOKEN}` } });
    await new Promise((r) => ws.on('open', r));
    let error: string | undefined;
    ws.on('message', (d) => { const m = JSON.parse(d.toString()); if (m.type === 'error') error = m.message; });
    for (const m of msgs) ws.send(m);
    const code = await new Promise<number>((r) => ws.on('close', (c) => r(c)));
    return { error, code };
  };
  const hello = JSON.stringify({ type: 'hello', node: 'n', runId: 'r' });
  assert.match((await tryMessage(['{nope'])).error!, /not JSON/);
  assert.match((await tryMessage(['{"type":"launch"}'])).error!, /unknown message type/);
  assert.match((await tryMessage(['{"type":"batch","seq":1,"entries":[]}'])).error!, /before "hello"/);
  assert.match((await tryMessage([hello, '{"type":"batch","seq":-1,"entries":[]}'])).error!, /seq/);
  assert.equal((await tryMessage([hello, `{"type":"batch","seq":1,"entries":["${'x'.repeat(33 * 1024 * 1024)}"]}`])).code, 1009);
  // Malformed entries inside a good batch are rejected one by one and counted; unknown fields are kept.
  const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/api/ingest`, { headers: { authorization: `Bearer ${TOKEN}` } });
  await new Promise((r) => ws.on('open', r));
  const acks: any[] = [];
  ws.on('message', (d) => acks.push(JSON.parse(d.toString())));
  ws.send(hello);
  const good = { ...httpGet(), id: 'n.r.1', timestamp: Date.now(), extra: { anything: 1 } };
  ws.send(JSON.stringify({ type: 'batch', seq: 1, entries: [good, { id: 3 }, null, { ...httpGet(), id: 'n.r.2', src: 'x' }] }));
  await until(() => acks.length === 1);
  assert.deepEqual([acks[0].stored, acks[0].rejected], [1, 3]);
  ws.close();
  assert.equal((await get(hub, '/healthz')).status, 200);
});

test('API: paging, one entry with bodies, invalid filters with a column, stats, HAR export', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-'));
  const hub = await startHub(dir);
  t.after(async () => { await hub.stop(); rmSync(dir, { recursive: true }); });
  await hub.accept(entries(250, 'n.r.c'));
  const p1 = (await get(hub, '/api/entries?limit=100')).body;
  assert.equal(p1.entries.length, 100);
  assert.equal(p1.entries[0].id, 'n.r.c249');
  const p2 = (await get(hub, `/api/entries?limit=100&before=${p1.next}`)).body;
  assert.equal(p2.entries[0].id, 'n.r.c149');
  const dns = (await get(hub, `/api/entries?limit=1000&q=${encodeURIComponent('dns')}`)).body;
  assert.equal(dns.entries.length, 50);
  const one = (await get(hub, '/api/entries/n.r.c0')).body;
  assert.equal(one.response.body.content, httpGet().response!.body!.content);
  assert.equal((await get(hub, '/api/entries/none')).status, 404);
  const bad = await get(hub, `/api/entries?q=${encodeURIComponent('response.status >= ')}`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.column, 20);
  assert.match(bad.body.error, /invalid filter/);
  assert.equal((await get(hub, '/api/entries?limit=ten')).status, 400);
  const long = await get(hub, `/api/entries?q=${encodeURIComponent('http or '.repeat(700) + 'dns')}`);
  assert.equal(long.status, 400);
  assert.match(long.body.error, /longer than|too long|4096/);
  assert.equal((await get(hub, '/api/entries?q=http&q=dns')).status, 400, 'q given twice');
  assert.equal((await get(hub, `/api/entries?q=${encodeURIComponent('reqest.path == "/"')}`)).body.column, 1, 'unknown field');
  const post = await fetch(`${hub.url}/api/entries`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: 'x'.repeat(2 * 1024 * 1024) });
  assert.ok(post.status === 404 || post.status === 413, `POST: ${post.status}`);
  const stats = (await get(hub, '/api/stats')).body;
  assert.equal(stats.protocols.http.count, 200);
  assert.equal(stats.protocols.dns.count, 50);
  assert.ok(stats.pairs.length >= 2);
  const har = (await get(hub, `/api/export.har?q=${encodeURIComponent('http')}`)).body;
  assert.equal(har.log.entries.length, 200);
  assert.equal(har.log.entries[0].request.method, 'GET');
  assert.ok(!JSON.stringify(har).includes('abc123'), 'cookies are redacted before storage');
  assert.deepEqual(har.log.entries[0].request.cookies, [{ name: '', value: '[REDACTED]' }]);
});

test('live stream: matching entries pushed in batches; an invalid filter is refused with its column', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-'));
  const hub = await startHub(dir);
  t.after(async () => { await hub.stop(); rmSync(dir, { recursive: true }); });
  const open = (q: string) => new WebSocket(`${hub.url.replace('http', 'ws')}/api/stream?q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const ws = open('dns');
  const got: Entry[] = [];
  ws.on('message', (d) => { const m = JSON.parse(d.toString()); if (m.type === 'entries') got.push(...m.entries); });
  await new Promise((r) => ws.on('open', r));
  await until(() => hub.live.size === 1);
  await hub.accept(entries(20, 'n.r.c'));
  await until(() => got.length === 4);
  assert.ok(got.every((e) => e.protocol === 'dns'));
  ws.close();
  const bad = open('dns and (');
  const msg = await new Promise<any>((r) => bad.on('message', (d) => r(JSON.parse(d.toString()))));
  assert.equal(msg.type, 'error');
  assert.equal(typeof msg.column, 'number');
});

test('1,000 concurrent stream clients are served; the hub keeps answering the API', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-'));
  const hub = await startHub(dir);
  t.after(async () => { await hub.stop(); rmSync(dir, { recursive: true }); });
  const clients: WebSocket[] = [];
  let received = 0;
  for (let i = 0; i < 1000; i++) {
    const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/api/stream?q=${i % 2 === 0 ? 'http' : 'dns'}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    ws.on('message', (d) => { received += (JSON.parse(d.toString()) as { entries: unknown[] }).entries.length; });
    clients.push(ws);
  }
  await until(() => hub.live.size === 1000, 30_000);
  await hub.accept(entries(10, 'n.r.c'));
  await until(() => received === 500 * 8 + 500 * 2, 30_000);
  assert.equal((await get(hub, '/api/entries?limit=5')).status, 200);
  for (const c of clients) c.close();
});

/**
 * A worker as the export sees it: its packets go into a packet ring and through the pipeline, its entries
 * to the hub, and the hub's packet requests are answered from the ring. `feed` then `finish` (drained).
 */
function ringWorker(hub: Hub, node: string, runId: string): { up: Uplink; feed(rec: PacketRecord): void; finish(): Promise<boolean> } {
  const ring = new PacketRing();
  const up = new Uplink({ url: hub.url, token: TOKEN, node, runId, log: quiet, packets: (flows) => ring.find(flows) });
  const writer = new JsonlWriter(up);
  const pipeline = new Pipeline((e) => { if (up.admit()) { writer.write(e); up.written(); } }, { idPrefix: `${node}.${runId}.` });
  return {
    up,
    feed: (rec) => { ring.add(rec); pipeline.packet(rec); },
    finish: async () => { pipeline.finish(); return up.drain(10_000); },
  };
}

test('pcapng export: the original packets of the matching connections, fetched from the worker that captured them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-'));
  const hub = await startHub(dir);
  const capture = fixturePath('golden', 'lab-http-dns.pcap');
  const w = ringWorker(hub, 'node-x', 'r9');
  t.after(async () => { w.up.close(); await hub.stop(); rmSync(dir, { recursive: true }); });
  await readCaptureFile(capture, { packet: (rec) => w.feed(rec) });
  assert.equal(await w.finish(), true);
  const http = hub.store.page(null, 1000).map((r) => r.entry).filter((e) => e.protocol === 'http');
  assert.ok(http.length > 0);
  // Expected: every packet of the original capture that belongs to one of the HTTP connections.
  const tuples = new Set(http.flatMap((e) => [`${e.src.ip}:${e.src.port}>${e.dst.ip}:${e.dst.port}`, `${e.dst.ip}:${e.dst.port}>${e.src.ip}:${e.src.port}`]));
  const expected: number[] = [];
  await readCaptureFile(capture, { packet: (rec) => { const k = tupleOf(rec); if (k !== null && tuples.has(k)) expected.push(rec.ts); } });
  const r = await fetch(`${hub.url}/api/export.pcapng?q=http`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('x-podtap-missing-nodes'), '');
  const out = join(dir, 'export.pcapng');
  writeFileSync(out, Buffer.from(await r.arrayBuffer()));
  const got: number[] = [];
  await readCaptureFile(out, { packet: (rec) => { const k = tupleOf(rec); assert.ok(k !== null && tuples.has(k), 'only packets of the matching connections'); got.push(rec.ts); } });
  assert.equal(got.length, expected.length);
  assert.deepEqual(got.map((x) => Math.round(x * 1000)), expected.map((x) => Math.round(x * 1000)).sort((a, b) => a - b));
  // The file is read back by podtap itself into the same HTTP entries, and by tshark when it is installed.
  const again = (await processCaptureFile(out)).entries.filter((e) => e.protocol === 'http');
  assert.equal(again.length, http.length);
  if (which('tshark') !== undefined) {
    const r2 = await run('tshark', ['-r', out, '-T', 'fields', '-e', 'frame.interface_name'], { timeoutMs: 60_000 });
    const lines = r2.stdout.trim().split('\n');
    assert.equal(lines.length, got.length, 'tshark reads every packet');
    assert.ok(lines.every((l) => l === 'node-x'), 'the interface is named after the node');
  }
});

test('pcapng export is redacted like the entries (Authorization, Cookie, a secret-named parameter); with --no-redact it is as captured', async (t) => {
  const frames = tcpConversation({ client: '10.9.0.1', server: '10.9.0.2', cport: 41000, sport: 80, exchanges: [
    ['GET /a?access_token=QS-SECRET-1&page=2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer HDR-SECRET-2\r\nCookie: sid=CK-SECRET-3\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'],
  ] });
  const secrets = ['QS-SECRET-1', 'HDR-SECRET-2', 'CK-SECRET-3'];
  for (const redact of [true, false]) {
    const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-'));
    const hub = new Hub({ host: '127.0.0.1', port: 0, token: TOKEN, store: { ...NO_AGE_LIMIT, dir }, log: quiet, redact: { enabled: redact, words: DEFAULT_SECRET_WORDS } });
    await hub.start();
    const w = ringWorker(hub, 'node-r', 'r1');
    try {
      frames.forEach((data, i) => w.feed({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
      assert.equal(await w.finish(), true);
      const r = await fetch(`${hub.url}/api/export.pcapng?q=http`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(r.status, 200);
      const file = Buffer.from(await r.arrayBuffer()).toString('latin1');
      for (const sec of secrets) assert.equal(file.includes(sec), !redact, `${sec} ${redact ? 'masked' : 'kept with --no-redact'}`);
      assert.ok(file.includes('page=2'));
      assert.match(r.headers.get('x-podtap-redacted') ?? '', redact ? /^3 values in \d+ packets$/ : /^0 values in 0 packets$/);
    } finally {
      w.up.close();
      await hub.stop();
      rmSync(dir, { recursive: true });
    }
  }
});

const tupleLink = { offset: 0, ipVersion: 0 };
const tupleIp = new IpPacket();
function tupleOf(rec: PacketRecord): string | null {
  const l = decodeLink(rec.data, rec.linkType, tupleLink);
  if (l.ipVersion !== 4 || !decodeIpv4(rec.data, l.offset, tupleIp) || tupleIp.protocol !== 6) return null;
  const p = tupleIp, d = p.l4Buf, o = p.l4Off;
  return `${formatIpv4(p.addrBuf, p.srcOff)}:${(d[o]! << 8) | d[o + 1]!}>${formatIpv4(p.addrBuf, p.dstOff)}:${(d[o + 2]! << 8) | d[o + 3]!}`;
}

test('a stream client that stops reading is cut off; the others keep receiving', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-'));
  // A stall of 1 s and 16 KiB bodies: the reading client (in this same process) keeps up even on a loaded machine.
  const hub = new Hub({ host: '127.0.0.1', port: 0, token: TOKEN, store: { ...NO_AGE_LIMIT, dir }, log: quiet, streamStallMs: 1000 });
  await hub.start();
  t.after(async () => { await hub.stop(); rmSync(dir, { recursive: true }); });
  const open = () => new WebSocket(`${hub.url.replace('http', 'ws')}/api/stream`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const stuck = open(), reader = open();
  let read = 0, told = 0;
  reader.on('message', (d) => { const m = JSON.parse(d.toString()) as { entries: unknown[]; skipped: number }; read += m.entries.length; told += m.skipped; });
  await Promise.all([stuck, reader].map((w) => new Promise((r) => w.on('open', r))));
  (stuck as unknown as { _socket: { pause(): void } })._socket.pause(); // never reads again
  await until(() => hub.live.size === 2);
  let sent = 0;
  // Small rounds: the reading client keeps up easily, the stuck one's buffers fill.
  for (let round = 0; round < 400 && hub.live.counters.cutOff === 0; round++) {
    // Incompressible bodies: the stream is deflated, so repeated text would not fill any buffer.
    const batch = entries(10, `n.r.b${round}.`).map((e) => (e.protocol === 'http' ? { ...e, response: { ...e.response!, body: { ...e.response!.body!, content: randomBytes(16 * 1024).toString('base64') } } } : e));
    await hub.accept(batch);
    sent += batch.length;
    await sleep(40);
  }
  assert.equal(hub.live.counters.cutOff, 1, 'the client that does not read is cut off');
  assert.equal(hub.live.size, 1);
  // Every entry reached the reader, or the reader was told it skipped it (when it was slow itself).
  await until(() => read + told === sent, 20_000);
  assert.ok(read > 0);
  assert.equal((await get(hub, '/healthz')).status, 200);
});

test('on a healthy link the spool stays small and never refuses entries', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'podtap-hub-'));
  const hub = await startHub(join(dir, 'db'));
  const spool = join(dir, 'spool');
  const up = new Uplink({ url: hub.url, token: TOKEN, node: 'n', runId: 'long', spoolDir: spool, batchEntries: 10, maxSpoolBytes: 400 * 1024, log: quiet });
  t.after(async () => { up.close(); await hub.stop(); rmSync(dir, { recursive: true }); });
  await until(() => up.isConnected);
  for (let i = 0; i < 60; i++) {
    send(up, entries(100, 'n.long.c', i * 100)); // 10 batches of 10
    await up.drain(10_000);
  }
  assert.equal(up.counters.dropped, 0);
  assert.equal(hub.store.count(), 6000);
  const spoolBytes = readdirSync(spool).reduce((a, f) => a + statSync(join(spool, f)).size, 0);
  assert.ok(spoolBytes < 400 * 1024, `spool ${spoolBytes} bytes after 600 acknowledged batches`);
  assert.ok(readdirSync(spool).length <= 1, `${readdirSync(spool).length} spool files`);
});
