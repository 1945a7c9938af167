import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline } from './pipeline.js';
import { DissectorRegistry } from '../dissectors/registry.js';
import type { DissectorSpec, DetectResult } from '../dissectors/types.js';
import type { PacketRecord } from '../capture/types.js';
import { LinkType } from '../capture/types.js';
import { ethernet, ipv4, ipv6, tcpConversation, tcpFrame, tcpSegment, udpDatagram, udpFrame } from '../testing/packets.js';

interface Log { conn: string; client: string; server: string; events: string[] }

/** A toy protocol: clients send "REQ…", servers answer "RES…". Records what the pipeline hands it. */
function toySpecs(logs: Log[]): DissectorSpec[] {
  const detect = (d: Uint8Array, isClient: boolean): DetectResult => {
    const want = isClient ? 'REQ' : 'RES';
    for (let i = 0; i < Math.min(3, d.length); i++) if (d[i] !== want.charCodeAt(i)) return 'no';
    return d.length >= 3 ? 'match' : 'more';
  };
  return [
    {
      name: 'toy', transport: 'tcp', ports: [7777], detect,
      create(ctx) {
        const log: Log = { conn: ctx.id, client: `${ctx.client.ip}:${ctx.client.port}`, server: `${ctx.server.ip}:${ctx.server.port}`, events: [] };
        logs.push(log);
        return {
          deliver: (d, c) => log.events.push(`${c ? 'C' : 'S'}:${Buffer.from(d).toString('latin1')}`),
          gap: (n, c) => log.events.push(`${c ? 'C' : 'S'}:gap ${n}`),
          end: (c) => log.events.push(`${c ? 'C' : 'S'}:end`),
          close: () => log.events.push('close'),
        };
      },
    },
    {
      name: 'toy', transport: 'udp', ports: [7777], detect,
      create(ctx) {
        const log: Log = { conn: ctx.id, client: `${ctx.client.ip}:${ctx.client.port}`, server: `${ctx.server.ip}:${ctx.server.port}`, events: [] };
        logs.push(log);
        return {
          datagram: (d, c) => log.events.push(`${c ? 'C' : 'S'}:${Buffer.from(d).toString('latin1')}`),
          close: () => log.events.push('close'),
        };
      },
    },
  ];
}

function run(frames: Buffer[], opts: { linkType?: number; options?: ConstructorParameters<typeof Pipeline>[1]; ts?: (i: number) => number; reuse?: boolean } = {}) {
  const logs: Log[] = [];
  const p = new Pipeline(() => {}, opts.options, new DissectorRegistry(toySpecs(logs)));
  const scratch = Buffer.alloc(65536);
  const rec: PacketRecord = { ts: 0, linkType: opts.linkType ?? LinkType.ETHERNET, iface: 0, data: new Uint8Array(0), origLength: 0 };
  frames.forEach((f, i) => {
    rec.ts = opts.ts ? opts.ts(i) : 1_700_000_000_000 + i;
    if (opts.reuse) {
      // Like a capture reader: every record lands in one buffer that the next record overwrites.
      scratch.fill(0xee);
      f.copy(scratch);
      rec.data = scratch.subarray(0, f.length);
    } else rec.data = f;
    rec.origLength = f.length;
    p.packet(rec);
  });
  const stats = p.finish();
  return { logs, stats };
}

const conv = (o: Partial<Parameters<typeof tcpConversation>[0]> = {}) => tcpConversation({
  client: '10.0.0.1', server: '10.0.0.2', cport: 40000, sport: 7777, exchanges: [['REQ one', 'RES one'], ['REQ two', 'RES two']], ...o,
});

test('a full TCP conversation reaches the dissector in order, with both ends and close', () => {
  const { logs, stats } = run(conv());
  assert.equal(logs.length, 1);
  assert.equal(logs[0].client, '10.0.0.1:40000');
  assert.equal(logs[0].server, '10.0.0.2:7777');
  assert.deepEqual(logs[0].events, ['C:REQ one', 'S:RES one', 'C:REQ two', 'S:RES two', 'C:end', 'S:end', 'close']);
  assert.equal(stats.connections, 1);
  assert.equal(stats.tcp, 10);
});

test('IPv6 and 802.1Q/QinQ frames decode to the same conversation', () => {
  const v6 = run(conv({ client: 'fd00::1', server: 'fd00::2' }));
  assert.equal(v6.logs[0].client, 'fd00::1:40000');
  assert.equal(v6.stats.ipv6, 10);
  const tagged = conv().map((f) => ethernet(0x0800, f.subarray(14), [100, 200]));
  const q = run(tagged);
  assert.deepEqual(q.logs[0].events.slice(0, 2), ['C:REQ one', 'S:RES one']);
});

test('Linux SLL, SLL2, BSD null and raw IP link types', () => {
  const ipFrames = conv().map((f) => f.subarray(14));
  const sll = ipFrames.map((f) => { const h = Buffer.alloc(16); h.writeUInt16BE(0x0800, 14); return Buffer.concat([h, f]); });
  const sll2 = ipFrames.map((f) => { const h = Buffer.alloc(20); h.writeUInt16BE(0x0800, 0); return Buffer.concat([h, f]); });
  const nul = ipFrames.map((f) => Buffer.concat([Buffer.from([2, 0, 0, 0]), f]));
  const nulBe = ipFrames.map((f) => Buffer.concat([Buffer.from([0, 0, 0, 2]), f]));
  for (const [lt, frames] of [[LinkType.LINUX_SLL, sll], [LinkType.LINUX_SLL2, sll2], [LinkType.NULL, nul], [LinkType.NULL, nulBe], [LinkType.RAW, ipFrames], [LinkType.IPV4, ipFrames]] as const) {
    const r = run(frames as Buffer[], { linkType: lt });
    assert.equal(r.logs.length, 1, `link type ${lt}`);
    assert.equal(r.logs[0].events.length, 7, `link type ${lt}`);
  }
});

test('an unknown link type is skipped and counted', () => {
  const { stats, logs } = run(conv(), { linkType: 147 });
  assert.equal(logs.length, 0);
  assert.equal(stats.unknownLinkType["147"], 10);
});

test('capture started mid-connection: roles come from the content, not the first packet', () => {
  const frames = conv({ handshake: false });
  // Put the server's first reply before the client's first request.
  const [c1, s1, ...rest] = frames;
  const { logs } = run([s1, c1, ...rest]);
  assert.equal(logs[0].client, '10.0.0.1:40000');
  assert.deepEqual(logs[0].events.slice(0, 2), ['S:RES one', 'C:REQ one']);
});

test('a stray ACK does not create a connection; a SYN on a used tuple starts a new one', () => {
  const stray = tcpFrame({ src: '10.0.0.9', dst: '10.0.0.2', sport: 1, dport: 7777, seq: 1, ack: 1, flags: 'A' });
  const first = conv({ close: false });
  const second = conv({ isnC: 900000, isnS: 800000 });
  const { logs, stats } = run([stray, ...first, ...second]);
  assert.equal(stats.connections, 2);
  assert.equal(logs.length, 2);
  assert.ok(logs[0].events.includes('close'));
});

test('RST closes the connection and flushes pending data as a gap', () => {
  const f = conv({ close: false });
  const rst = tcpFrame({ src: '10.0.0.2', dst: '10.0.0.1', sport: 7777, dport: 40000, seq: 99999, flags: 'R' });
  const { logs } = run([...f, rst]);
  assert.equal(logs[0].events.at(-1), 'close');
});

test('a lost segment becomes a gap for the dissector', () => {
  const f = conv();
  const withoutSecondRequest = f.filter((_, i) => i !== 5); // frames: S SA A C1 S1 C2 S2 …
  const { logs, stats } = run(withoutSecondRequest);
  assert.ok(logs[0].events.includes('C:gap 7'), logs[0].events.join('|'));
  assert.equal(stats.gaps, 1);
});

test('idle connections are closed by the timeout', () => {
  const a = conv({ close: false });
  const b = conv({ cport: 40001, close: false });
  const { logs } = run([...a, ...b], { options: { tcpIdleTimeoutMs: 10_000 }, ts: (i) => (i < a.length ? i : 60_000 + i) });
  // The first connection closes when the second one's packets move the clock forward.
  assert.deepEqual(logs[0].events.at(-1), 'close');
  assert.equal(logs[0].events.filter((e) => e === 'close').length, 1);
});

test('the connection limit evicts the oldest and counts it', () => {
  const frames: Buffer[] = [];
  for (let i = 0; i < 5; i++) frames.push(...conv({ cport: 41000 + i, close: false }).slice(0, 4));
  const { stats, logs } = run(frames, { options: { maxConnections: 2 } });
  assert.equal(stats.limitsHit.maxConnections, 3);
  assert.equal(logs.length, 5);
});

test('IPv4 fragments are reassembled before TCP', () => {
  const seg = tcpSegment({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 7777, seq: 1, payload: 'REQ ' + 'x'.repeat(100) });
  const a = ethernet(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, seg.subarray(0, 48), { id: 7, fragOffset: 0, more: true }));
  const b = ethernet(0x0800, ipv4('10.0.0.1', '10.0.0.2', 6, seg.subarray(48), { id: 7, fragOffset: 48, more: false }));
  const { logs, stats } = run([b, a]);
  assert.equal(stats.fragments, 2);
  assert.equal(stats.fragmentsReassembled, 1);
  assert.equal(logs[0].events[0], 'C:REQ ' + 'x'.repeat(100));
});

test('IPv6 extension headers and fragments', () => {
  const seg = tcpSegment({ src: 'fd00::1', dst: 'fd00::2', sport: 40000, dport: 7777, seq: 1, payload: 'REQ ' + 'y'.repeat(60) });
  const hopByHop = (next: number) => Buffer.from([next, 0, 1, 4, 0, 0, 0, 0]);
  const frag = (next: number, off: number, more: boolean) => {
    const h = Buffer.alloc(8);
    h[0] = next;
    h.writeUInt16BE(off | (more ? 1 : 0), 2);
    h.writeUInt32BE(0xabcdef, 4);
    return h;
  };
  const f1 = ethernet(0x86dd, ipv6('fd00::1', 'fd00::2', 0, Buffer.concat([hopByHop(44), frag(6, 0, true), seg.subarray(0, 40)])));
  const f2 = ethernet(0x86dd, ipv6('fd00::1', 'fd00::2', 44, Buffer.concat([frag(6, 40, false), seg.subarray(40)])));
  const { logs } = run([f1, f2]);
  assert.equal(logs[0].events[0], 'C:REQ ' + 'y'.repeat(60));
});

test('UDP flows: the well-known port side is the server even when the reply comes first', () => {
  const reply = udpFrame({ src: '10.0.0.2', dst: '10.0.0.1', sport: 7777, dport: 50000, payload: 'RES x' });
  const query = udpFrame({ src: '10.0.0.1', dst: '10.0.0.2', sport: 50000, dport: 7777, payload: 'REQ x' });
  const { logs, stats } = run([reply, query]);
  assert.equal(logs[0].client, '10.0.0.1:50000');
  assert.deepEqual(logs[0].events, ['S:RES x', 'C:REQ x', 'close']);
  assert.equal(stats.udpFlows, 1);
});

test('the UDP length field trims Ethernet padding', () => {
  const dg = udpDatagram(50000, 7777, Buffer.from('REQ'));
  const ip = ipv4('10.0.0.1', '10.0.0.2', 17, dg);
  const padded = ethernet(0x0800, Buffer.concat([ip, Buffer.alloc(20)]));
  const { logs } = run([padded]);
  assert.deepEqual(logs[0].events[0], 'C:REQ');
});

test('garbage frames never throw and are counted', () => {
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256);
  const frames: Buffer[] = [];
  const base = conv();
  for (let i = 0; i < 3000; i++) {
    const f = Buffer.from(base[i % base.length]);
    for (let k = 0; k < 4; k++) f[rnd() % f.length] = rnd();
    frames.push(i % 7 === 0 ? f.subarray(0, rnd() % f.length) : f);
  }
  const { stats } = run(frames);
  assert.equal(stats.packets, 3000);
});

test('bytes kept during detection are copies, not views of the reused capture buffer', () => {
  const frames = tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40000, sport: 7777, mss: 2,
    exchanges: [['REQ one', 'RES one']] });
  const { logs } = run(frames, { reuse: true });
  const text = logs[0].events.filter((e) => e.startsWith('C:') && !e.includes('end')).map((e) => e.slice(2)).join('');
  assert.equal(text, 'REQ one');
});
