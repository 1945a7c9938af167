/**
 * Real WebSocket traffic on loopback (root and tcpdump; skips otherwise):
 * a `ws` server that echoes, and a `ws` client sending text, binary, a
 * fragmented message, a ping and a close with a code, once without
 * compression, once with permessage-deflate (context takeover) and once with
 * no_context_takeover on both sides. The pcap goes through the pipeline; the
 * messages must match what the client sent and received, in order. With
 * PODTAP_REGEN_GOLDEN=1 the captures are copied to fixtures/websocket/.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WebSocket, WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import { which } from '../../lab/proc.js';
import { startCapture } from '../../lab/record.js';
import { fixturePath } from '../../util/paths.js';
import { runCapture } from './test-support.js';

const skip = process.getuid?.() !== 0 ? 'capturing needs root' : which('tcpdump') === undefined ? 'tcpdump is not installed' : undefined;

interface Said { text: string | null; bin: string | null }

async function session(deflate: PerMessageDeflateOptions | false, file: string): Promise<{ sent: Said[]; got: Said[] }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: deflate });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (s) => s.on('message', (d, isBinary) => s.send(d, { binary: isBinary })));
  const port = (wss.address() as AddressInfo).port;
  const cap = await startCapture({ iface: 'lo', file, filter: `tcp port ${port}` });
  const sent: Said[] = [];
  const got: Said[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/chat?room=1`, { perMessageDeflate: deflate });
  await new Promise<void>((r, j) => { ws.once('open', () => r()); ws.once('error', j); });
  ws.on('message', (d: Buffer, isBinary) => got.push(isBinary ? { text: null, bin: d.toString('base64') } : { text: d.toString('utf8'), bin: null }));
  const long = randomBytes(1500).toString('hex'); // incompressible alone: only a back-reference makes the repeat small
  const bin = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
  const send = (d: string | Buffer, o: { fin?: boolean; binary?: boolean } = {}): Promise<void> => new Promise((r) => ws.send(d, o, () => r()));
  await send('hello'); sent.push({ text: 'hello', bin: null });
  await send(bin, { binary: true }); sent.push({ text: null, bin: bin.toString('base64') });
  await send(long); sent.push({ text: long, bin: null });
  await send(long); sent.push({ text: long, bin: null }); // a repeat: with context takeover it compresses to a back-reference
  await send('frag-one|', { fin: false });
  await send('frag-two|', { fin: false });
  await send('frag-end', { fin: true }); sent.push({ text: 'frag-one|frag-two|frag-end', bin: null });
  await new Promise<void>((r) => { ws.once('pong', () => r()); ws.ping('are-you-there'); });
  while (got.length < sent.length) await new Promise((r) => setTimeout(r, 10));
  await new Promise<void>((r) => { ws.once('close', () => r()); ws.close(4000, 'bye now'); });
  await cap.stop();
  await new Promise<void>((r) => wss.close(() => r()));
  return { sent, got };
}

const CASES: Array<[string, PerMessageDeflateOptions | false]> = [
  ['plain', false],
  ['deflate', { threshold: 0 }],
  ['deflate-no-takeover', { threshold: 0, clientNoContextTakeover: true, serverNoContextTakeover: true }],
];

for (const [name, deflate] of CASES) {
  test(`ws ${name}: every message, in both directions, as the client saw it`, { skip: skip ?? false, timeout: 30_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'podtap-ws-'));
    try {
      const file = join(dir, `${name}.pcap`);
      const { sent, got } = await session(deflate, file);
      if (process.env.PODTAP_REGEN_GOLDEN === '1') copyFileSync(file, fixturePath('websocket', `ws-${name}.pcap`));
      const { ws, http } = await runCapture(file);
      assert.equal(http.length, 1, 'the upgrade exchange is one http entry');
      assert.deepEqual(http[0]!.flags, ['upgrade']);
      assert.equal(http[0]!.response!.status, 101);
      const data = (e: (typeof ws)[number]) => (e.request ?? e.response)!;
      const asSaid = (m: ReturnType<typeof data>): Said => (m.encoding === 'text' ? { text: m.content, bin: null } : { text: null, bin: m.content });
      const fromClient = ws.filter((e) => e.request !== null && ['text', 'binary'].includes(e.request.opcode));
      const fromServer = ws.filter((e) => e.response !== null && ['text', 'binary'].includes(e.response.opcode));
      assert.deepEqual(fromClient.map((e) => asSaid(e.request!)), sent);
      assert.deepEqual(fromServer.map((e) => asSaid(e.response!)), got);
      for (const e of ws) assert.deepEqual(e.flags, [], `${data(e).opcode} has no flags`);
      assert.ok(fromClient.every((e) => e.request!.masked && e.request!.compressed === (deflate !== false)));
      assert.equal(fromClient[4]!.request!.frames, 3, 'the fragmented message took three frames');
      if (deflate !== false && name === 'deflate') assert.ok(fromClient[3]!.request!.wireSize < fromClient[2]!.request!.wireSize / 4, 'the repeat refers back');
      const ctl = ws.map(data).filter((m) => !['text', 'binary'].includes(m.opcode));
      assert.deepEqual(ctl.map((m) => m.opcode), ['ping', 'pong', 'close', 'close']);
      assert.equal(Buffer.from(ctl[0]!.content, 'base64').toString(), 'are-you-there');
      assert.deepEqual([ctl[2]!.closeCode, ctl[2]!.closeReason], [4000, 'bye now']);
      assert.equal(ws[0]!.connectionId, http[0]!.connectionId);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
