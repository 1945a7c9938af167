/**
 * websocketSpec through the shared conformance suite. Each sample starts with
 * the HTTP upgrade (request, 101) and goes on with frames both ways.
 *
 * The suite asserts that every entry is of the spec's protocol, but by design
 * the upgrade exchange is an `http` entry (flag 'upgrade') and only the rest
 * of the stream is WebSocket. So the suite runs a harness spec named
 * 'websocket': it binds on the upgrade request like http1Spec, drops that one
 * upgrade entry, and the connection's hand-off (src/tcp/connection.ts) then
 * finds the harness by name and calls the real websocketSpec.upgrade(). The
 * http entry itself is checked in live.test.ts and reference.test.ts.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { constants, deflateRawSync } from 'node:zlib';
import { runConformance, type ConformanceSample } from '../conformance.js';
import { Http1Dissector, detectHttp1 } from '../http1/index.js';
import type { StreamDissectorSpec } from '../types.js';
import type { UpgradeTarget } from '../http1/index.js';
import { tcpConversation } from '../../testing/packets.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { DissectorRegistry, DISSECTORS } from '../registry.js';
import type { Entry } from '../../entries/types.js';
import { websocketSpec } from './index.js';
import { split } from './test-support.js';

const harness: StreamDissectorSpec & UpgradeTarget = {
  ...websocketSpec,
  ports: [80],
  detect: detectHttp1,
  create: (ctx) => new Http1Dissector({ ...ctx, emit: (e) => { if (!(e.protocol === 'http' && e.flags.includes('upgrade'))) ctx.emit(e); } }),
};

/** One frame; client frames masked with a fixed key. */
export function frame(opcode: number, payload: Buffer | string, o: { fin?: boolean; mask?: boolean; rsv1?: boolean } = {}): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const b0 = ((o.fin ?? true) ? 0x80 : 0) | (o.rsv1 === true ? 0x40 : 0) | opcode;
  const m = o.mask === true ? 0x80 : 0;
  const len = p.length < 126 ? Buffer.from([b0, m | p.length]) : p.length < 65536 ? Buffer.from([b0, m | 126, p.length >> 8, p.length & 0xff]) : Buffer.concat([Buffer.from([b0, m | 127, 0, 0, 0, 0]), Buffer.from([p.length >>> 24, (p.length >> 16) & 0xff, (p.length >> 8) & 0xff, p.length & 0xff])]);
  if (o.mask !== true) return Buffer.concat([len, p]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  return Buffer.concat([len, key, Buffer.from(p.map((x, i) => x ^ key[i & 3]!))]);
}

const upgradeReq = (ext = ''): string => `GET /chat HTTP/1.1\r\nHost: example.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${ext}\r\n`;
const upgradeRes = (ext = ''): string => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n${ext}\r\n`;
const deflate = (s: string): Buffer => { const d = deflateRawSync(Buffer.from(s), { finishFlush: constants.Z_SYNC_FLUSH }); return d.subarray(0, d.length - 4); };

const plain: ConformanceSample = {
  name: 'text, binary, fragments with a ping between them, close',
  port: 80,
  exchanges: [
    [upgradeReq(), upgradeRes()],
    [frame(1, 'hello server', { mask: true }), frame(1, 'hello client')],
    [frame(2, Buffer.alloc(300, 7), { mask: true }), frame(2, Buffer.alloc(70000, 9))],
    [Buffer.concat([frame(1, 'part one, ', { mask: true, fin: false }), frame(9, 'ping?', { mask: true }), frame(0, 'part two', { mask: true })]), frame(10, 'ping?')],
    [frame(8, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('done')]), { mask: true }), frame(8, Buffer.from([0x03, 0xe8]))],
  ],
  entries: 9,
};

const compressed: ConformanceSample = {
  name: 'permessage-deflate without context takeover',
  port: 80,
  exchanges: [
    [upgradeReq('Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n'), upgradeRes('Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n')],
    [frame(1, deflate('{"op":"subscribe","topic":"podtap"}'), { mask: true, rsv1: true }), frame(1, deflate('{"op":"ack","topic":"podtap"}'), { rsv1: true })],
    [frame(1, deflate('second message from the client'), { mask: true, rsv1: true }), frame(1, 'uncompressed reply')],
  ],
  entries: 4,
};

test('websocket conformance (through the HTTP/1 hand-off)', async (t) => {
  await runConformance(t, harness, [plain, compressed]);
});

function run(exchanges: ConformanceSample['exchanges'], mss?: number) {
  const out: Entry[] = [];
  const p = new Pipeline((e) => out.push(e), {}, new DissectorRegistry([...DISSECTORS, websocketSpec]));
  tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40000, sport: 80, exchanges, mss })
    .forEach((data, i) => p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
  return split(out, p.finish());
}

test('the real registry: an http upgrade entry, then one websocket entry per message, in order', () => {
  for (const mss of [undefined, 5]) {
    const { ws, http } = run(plain.exchanges, mss);
    assert.equal(http.length, 1);
    assert.deepEqual(http[0]!.flags, ['upgrade']);
    const m = ws.map((e) => (e.request ? `>${e.request.opcode}:${e.request.encoding === 'text' ? e.request.content : e.request.size}` : `<${e.response!.opcode}:${e.response!.encoding === 'text' ? e.response!.content : e.response!.size}`));
    assert.deepEqual(m, ['>text:hello server', '<text:hello client', '>binary:300', '<binary:70000', '>ping:5', '>text:part one, part two', '<pong:5', '>close:done', '<close:'], `mss ${mss}`);
    assert.equal(ws[7]!.request!.closeCode, 1000);
    assert.equal(ws[3]!.response!.truncated, true, 'kept up to maxBodyBytes');
    assert.deepEqual(ws[3]!.flags, ['body-truncated']);
  }
});

test('frames in the same segment as the 101 are handed over too', () => {
  const { ws } = run([[upgradeReq(), upgradeRes() + frame(1, 'early').toString('latin1')], [frame(1, 'hi', { mask: true }), '']]);
  assert.deepEqual(ws.map((e) => (e.request ?? e.response)!.content), ['early', 'hi']);
});

test('permessage-deflate: inflated per message; RSV1 without the extension is a violation', () => {
  const { ws } = run(compressed.exchanges);
  assert.deepEqual(ws.map((e) => (e.request ?? e.response)!.content), ['{"op":"subscribe","topic":"podtap"}', '{"op":"ack","topic":"podtap"}', 'second message from the client', 'uncompressed reply']);
  assert.deepEqual(ws.map((e) => (e.request ?? e.response)!.compressed), [true, true, true, false]);
  const bad = run([[upgradeReq(), upgradeRes()], [frame(1, deflate('x'), { mask: true, rsv1: true }), '']]);
  assert.equal(bad.ws.length, 0);
  assert.equal(bad.stats.weirds.websocket_bad_rsv, 1);
});

test('end of stream inside a fragmented message: emitted flagged truncated', () => {
  const { ws } = run([[upgradeReq(), upgradeRes()], [frame(1, 'never', { mask: true, fin: false }), '']]);
  assert.equal(ws.length, 1);
  assert.deepEqual(ws[0]!.flags, ['truncated']);
});

test('throughput diagnostic: 20,000 small masked text frames after an upgrade', () => {
  const body = Buffer.concat(Array.from({ length: 20000 }, (_, i) => frame(1, `message number ${i}`, { mask: true })));
  const frames = tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40000, sport: 80, exchanges: [[upgradeReq(), upgradeRes()], [body, '']] });
  let n = 0;
  const p = new Pipeline((e) => { if ((e.protocol as string) === 'websocket') n++; }, {}, new DissectorRegistry([...DISSECTORS, websocketSpec]));
  const t0 = process.hrtime.bigint();
  frames.forEach((data, i) => p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
  p.finish();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`websocket throughput: ${Math.round(frames.length / secs)} packets/s (1460-byte segments), ${(body.length / 2 ** 20 / secs).toFixed(1)} MiB/s, ${Math.round(n / secs)} messages/s`);
  assert.equal(n, 20000);
});
