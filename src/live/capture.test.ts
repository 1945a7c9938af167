/**
 * Live capture end to end: a veth pair between two namespaces (10.232.0.0/24),
 * real senders in the peer namespace, capture on the other end through the
 * addon. Skips (with the reason) without root, network namespaces or the addon.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { PacketRecord, PacketSink } from '../capture/types.js';
import type { Entry } from '../entries/types.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { waitForExit, waitForOutput, sleep } from '../lab/proc.js';
import { compileFilter, KERNEL_MAX_FILTER_INSTRUCTIONS, LiveCaptureError, openLiveCapture } from './capture.js';
import { ADDON_PATH, pcapAddonSkipReason } from './native.js';
import { CAP_IP, UDP_SENDER, VETH_IFACE, VethLab } from './veth-lab.js';

const addonSkip = pcapAddonSkipReason();
const labSkip = addonSkip ?? VethLab.skipReason();

/** Counts and checks UDP datagrams from UDP_SENDER (Ethernet/IPv4/UDP, no options). */
class UdpChecker implements PacketSink {
  seen: Uint8Array;
  unique = 0;
  duplicates = 0;
  corrupt = 0;
  other = 0;
  byPort = new Map<number, number>();
  lastTs = 0;
  backwards = 0;
  constructor(readonly count: number, readonly size: number) {
    this.seen = new Uint8Array(count);
  }
  packet(rec: PacketRecord): void {
    if (rec.ts < this.lastTs) this.backwards++;
    this.lastTs = rec.ts;
    const d = rec.data;
    if (d.length < 42 || d[12] !== 0x08 || d[13] !== 0x00 || d[23] !== 17) { this.other++; return; }
    const port = (d[36]! << 8) | d[37]!;
    this.byPort.set(port, (this.byPort.get(port) ?? 0) + 1);
    const p = d.subarray(42);
    if (p.length !== this.size || rec.origLength !== d.length) { this.corrupt++; return; }
    const i = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
    for (let j = 4; j < p.length; j++) if (p[j] !== ((i + j) & 255)) { this.corrupt++; return; }
    if (i >= this.count) { this.corrupt++; return; }
    if (this.seen[i]) this.duplicates++;
    else { this.seen[i] = 1; this.unique++; }
  }
}

/**
 * About 5750 instructions, compiled in ~0.4 s. (Lists of bare `host X` or
 * `port N` terms make libpcap's optimizer superlinear: 600 of them take 10–30 s.)
 */
function bigHostList(): string {
  return Array.from({ length: 3000 }, (_, i) => `ip src host 10.232.${100 + (i >> 8)}.${i & 255}`).join(' or ');
}

async function send(lab: VethLab, port: number, count: number, size: number, burst = 64, pauseMs = 0): Promise<number> {
  const c = lab.node(lab.peerNs, UDP_SENDER, [CAP_IP, port, count, size, burst, pauseMs]);
  const out = waitForOutput(c, /sent \d+/, 60_000);
  await waitForExit(c);
  return Number(/sent (\d+)/.exec(await out)![1]);
}

test('compile() counts instructions without an interface, and grows with the expression', { skip: addonSkip ?? false }, () => {
  assert.ok(compileFilter('tcp port 80').instructions > 0);
  const big = compileFilter(bigHostList()).instructions;
  assert.ok(big > KERNEL_MAX_FILTER_INSTRUCTIONS, `${big} instructions`);
  assert.throws(() => compileFilter('tcp port'), (e: unknown) => e instanceof LiveCaptureError && e.kind === 'invalid-filter' && !e.message.includes('\n'));
});

test('the addon is loaded from native/pcap/build/Release', { skip: addonSkip ?? false }, () => {
  assert.match(ADDON_PATH, /native\/pcap\/build\/Release\/podtap_pcap\.node$/);
});

describe('live capture on a veth pair', { skip: labSkip ?? false }, () => {
  let lab: VethLab;
  before(async () => { lab = await VethLab.create(); });
  after(async () => { await lab?.teardown(); });

  test('a missing interface is a one-line error naming `ip link`', () => {
    assert.throws(() => openLiveCapture('ptnope0', { packet() {} }, { netns: lab.capNsPath }), (e: unknown) =>
      e instanceof LiveCaptureError && e.kind === 'no-such-interface' && /ip link/.test(e.message) && !e.message.includes('\n'));
  });

  test('an invalid filter expression is a one-line error with pcap\'s message', () => {
    assert.throws(() => openLiveCapture(VETH_IFACE, { packet() {} }, { netns: lab.capNsPath, filter: 'udp port nope' }), (e: unknown) =>
      e instanceof LiveCaptureError && e.kind === 'invalid-filter' && /udp port nope/.test(e.message) && !e.message.includes('\n'));
  });

  test('20k datagrams arrive exactly once, intact, in time order, over many batches, with no drops', async () => {
    const n = 20_000;
    const check = new UdpChecker(n, 200);
    const cap = openLiveCapture(VETH_IFACE, check, { netns: lab.capNsPath, filter: 'udp', batchBytes: 256 << 10 });
    const sent = await send(lab, 5000, n, 200, 32);
    await cap.close();
    const s = cap.stats();
    assert.equal(sent, n);
    assert.deepEqual({ unique: check.unique, duplicates: check.duplicates, corrupt: check.corrupt, backwards: check.backwards }, { unique: n, duplicates: 0, corrupt: 0, backwards: 0 });
    assert.equal(s.droppedByKernel, 0);
    assert.equal(s.malformedBatches, 0);
    assert.ok(s.batchesDelivered > 5, `${s.batchesDelivered} batches`);
    assert.equal(s.received, s.packets, 'pcap received = delivered');
  });

  test('a filter on one port delivers only that port, and runs in the kernel', async () => {
    const check = new UdpChecker(2000, 64);
    const cap = openLiveCapture(VETH_IFACE, check, { netns: lab.capNsPath, filter: 'udp dst port 5001' });
    const info = cap.setFilter('udp dst port 5001');
    assert.ok(info.instructions > 0);
    assert.equal(info.attachedInKernel, true);
    await Promise.all([send(lab, 5000, 2000, 64), send(lab, 5001, 2000, 64)]);
    await cap.close();
    assert.deepEqual([...check.byPort], [[5001, 2000]]);
    assert.equal(check.other, 0);
    assert.equal(check.unique, 2000);
  });

  test('a program the kernel refuses is reported (attachedInKernel false) and still filters in user space', async () => {
    const expr = `udp dst port 5001 and not (${bigHostList()})`;
    const check = new UdpChecker(500, 64);
    const cap = openLiveCapture(VETH_IFACE, check, { netns: lab.capNsPath });
    const info = cap.setFilter(expr);
    assert.ok(info.instructions > KERNEL_MAX_FILTER_INSTRUCTIONS);
    assert.equal(info.attachedInKernel, false);
    await Promise.all([send(lab, 5000, 500, 64), send(lab, 5001, 500, 64)]);
    await cap.close();
    assert.deepEqual([...check.byPort], [[5001, 500]]);
  });

  test('HTTP between the namespaces becomes entries through the shared pipeline', async () => {
    const requests = 50;
    const server = lab.node(lab.capNs, `require('http').createServer((q, s) => s.end('hello ' + q.url)).listen(8080, '${CAP_IP}', () => console.log('up'))`);
    await waitForOutput(server, /up/, 10_000);
    const entries: Entry[] = [];
    const pipeline = new Pipeline((e) => entries.push(e));
    const cap = openLiveCapture(VETH_IFACE, pipeline, { netns: lab.capNsPath, filter: 'tcp port 8080' });
    const client = lab.node(lab.peerNs, `
      const http = require('http'); const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      (async () => { for (let i = 0; i < ${requests}; i++) await new Promise((ok, ko) => http.get({ host: '${CAP_IP}', port: 8080, path: '/r' + i, agent }, (r) => { r.resume(); r.on('end', ok); }).on('error', ko));
        agent.destroy(); console.log('done'); })();`);
    const done = waitForOutput(client, /done/, 20_000);
    await waitForExit(client);
    await done;
    server.kill();
    await cap.close();
    pipeline.finish();
    const http = entries.filter((e) => e.protocol === 'http');
    assert.equal(http.length, requests);
    assert.equal(cap.stats().droppedByKernel, 0);
  });

  test('close() flushes packets still in an unretired kernel block', async () => {
    const check = new UdpChecker(10, 100);
    const opened = Date.now();
    const cap = openLiveCapture(VETH_IFACE, check, { netns: lab.capNsPath, filter: 'udp', timeoutMs: 2000 });
    await send(lab, 5000, 10, 100);
    // Under heavy load the sender may take longer than the block timeout; only then may packets come early.
    if (Date.now() - opened < 1500) assert.equal(check.unique, 0, 'nothing delivered before the 2 s block timeout');
    await cap.close();
    assert.equal(check.unique, 10);
  });

  test('a busy event loop (300 ms) loses nothing the ring can hold; the reader waits and counts it', async () => {
    const n = 6000;
    const check = new UdpChecker(n, 300);
    const cap = openLiveCapture(VETH_IFACE, check, { netns: lab.capNsPath, filter: 'udp', timeoutMs: 10, batchBytes: 64 << 10 });
    const c = lab.node(lab.peerNs, UDP_SENDER, [CAP_IP, 5000, n, 300, 20, 2]);
    const out = waitForOutput(c, /sent \d+/, 60_000);
    await waitForOutput(c, /ready/, 10_000);
    await sleep(50);
    const end = Date.now() + 300;
    while (Date.now() < end) { /* block the event loop */ }
    await waitForExit(c);
    await out;
    await cap.close();
    const s = cap.stats();
    assert.equal(check.unique, n);
    assert.equal(s.droppedByKernel, 0);
    assert.ok(s.batchesWaited > 0, 'the reader had every batch in flight at least once');
  });

  test('batch views are detached after delivery: a view kept by mistake reads as empty', async () => {
    let kept: Uint8Array | undefined;
    const cap = openLiveCapture(VETH_IFACE, { packet(r) { kept ??= r.data; } }, { netns: lab.capNsPath, filter: 'udp' });
    await send(lab, 5000, 5, 100);
    await cap.close();
    assert.ok(kept !== undefined);
    assert.equal(kept.byteLength, 0);
  });

  test('without CAP_NET_RAW the error says so, in one line', { skip: spawnSync('setpriv', ['--version']).error ? 'setpriv not installed' : false }, () => {
    const script = `import(${JSON.stringify(new URL('./capture.js', import.meta.url).href)}).then((m) => {
      try { m.openLiveCapture('lo', { packet() {} }); console.log('opened'); } catch (e) { console.log(e.kind + ': ' + e.message); } })`;
    const r = spawnSync('setpriv', ['--bounding-set=-net_raw,-net_admin', process.execPath, '-e', script], { encoding: 'utf8' });
    assert.match(r.stdout.trim(), /^permission: no permission to capture on "lo": run as root or grant CAP_NET_RAW/);
  });
});
