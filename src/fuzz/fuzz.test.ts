/**
 * The fuzz harness itself: a short run covers every target and reports it;
 * a seed replays the same inputs; crashes are caught, shrunk and saved;
 * hangs are flagged, and the watchdog kills an execution that never returns;
 * the in-place frame writer writes the frames testing/packets.ts builds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIpv4, parseIpv6, tcpFrame, udpFrame } from '../testing/packets.js';
import { Engine } from './engine.js';
import { MAX_SEGMENT_BYTES, Option, encodeConversation } from './conversation.js';
import { FrameWriter, TcpBits } from './frame-writer.js';
import { Heartbeat } from './heartbeat.js';
import { HANG_MS } from './limits.js';
import { shareOf } from './runner.js';
import { Slot } from './slot.js';
import type { TargetStats } from './stats.js';
import type { FuzzTarget } from './target.js';
import { TARGETS, targetNamed } from './targets/index.js';

const main = fileURLToPath(new URL('./main.js', import.meta.url));
const tmp = (): string => mkdtempSync(join(tmpdir(), 'podtap-fuzz-'));

test('a 2 s run fuzzes every target and reports it', { timeout: 180_000 }, () => {
  const dir = tmp();
  try {
    const json = join(dir, 'report.json');
    const r = spawnSync(process.execPath, [main, '--budget', '2s', '--seed', '7', '--no-save', '--json', json], { encoding: 'utf8' });
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { seed: number; targets: TargetStats[] };
    assert.equal(report.seed, 7);
    assert.deepEqual(report.targets.map((t) => t.target), TARGETS.map((t) => t.name));
    for (const t of report.targets) {
      assert.ok(t.execs > 0 && t.seeds > 0, `${t.target}: ${t.execs} executions, ${t.seeds} seeds`);
      assert.ok(t.maxHeapBytes > 0 && t.blocks > 0, `${t.target}: heap and coverage reported`);
      assert.equal(t.crashes + t.hangs, 0, `${t.target}: ${t.signatures.join('; ')}`);
      assert.match(r.stdout, new RegExp(`^${t.target} `, 'm'));
    }
    assert.match(r.stdout, /total: \d+ executions, 0 crashes, 0 hangs \(seed 7\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Hashes of every input a target ran, in order. */
async function inputsOf(name: string, seed: number, execs: number): Promise<string[]> {
  const real = targetNamed(name)!;
  const seen: string[] = [];
  const spy: FuzzTarget = { ...real, run: (b) => { seen.push(createHash('sha1').update(b).digest('hex')); return real.run(b); } };
  await new Engine(spy, { seeds: real.seeds(), budgetMs: 60_000, maxExecs: execs, seed, outDir: null, heartbeat: Heartbeat.create(), coverage: false }).fuzz();
  return seen;
}

test('the same seed runs the same inputs; another seed does not', async () => {
  const a = await inputsOf('redis', 42, 400);
  assert.equal(a.length, 400);
  assert.deepEqual(await inputsOf('redis', 42, 400), a);
  assert.notDeepEqual(await inputsOf('redis', 43, 400), a);
});

test('a crash is counted, shrunk and saved; expected errors are not crashes', async () => {
  const dir = tmp();
  try {
    const target: FuzzTarget = {
      name: 'boom', about: 'test', seeds: () => [Buffer.from('xxxxxxxxxxxxxxxxxxxxBOOMxxxxxxxxxx'), Buffer.from('fine')],
      mutate: (b) => b,
      run(b) {
        if (Buffer.from(b).includes('BOOM')) throw new TypeError('boom');
        if (b.length === 4) throw new RangeError('expected');
      },
      expected: (e) => e instanceof RangeError,
    };
    const s = await new Engine(target, { seeds: target.seeds(), budgetMs: 10_000, maxExecs: 20, seed: 1, outDir: dir, heartbeat: Heartbeat.create(), coverage: false }).fuzz();
    assert.ok(s.crashes > 0);
    assert.equal(s.signatures.length, 1);
    assert.match(s.signatures[0], /TypeError: boom/);
    const files = readdirSync(join(dir, 'boom'));
    const bin = files.find((f) => f.endsWith('.bin'))!;
    assert.equal(readFileSync(join(dir, 'boom', bin), 'latin1'), 'BOOM', 'shrunk to the bytes that matter');
    assert.ok(files.includes(bin.replace('.bin', '.txt')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an execution over the hang limit is flagged', async () => {
  const target: FuzzTarget = {
    name: 'slow', about: 'test', seeds: () => [Buffer.from('s')], mutate: (b) => b,
    run: () => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, HANG_MS + 100); },
  };
  const s = await new Engine(target, { seeds: target.seeds(), budgetMs: 1, maxExecs: 1, seed: 1, outDir: null, heartbeat: Heartbeat.create(), coverage: false }).fuzz();
  assert.equal(s.hangs, 1);
  assert.ok(s.slowestMs > HANG_MS);
});

test('the watchdog terminates a worker stuck in one execution and keeps its input', { timeout: 60_000 }, async () => {
  const slot = new Slot(false);
  const module = new URL('./testdata/hang-target.js', import.meta.url).href;
  const r = await slot.run({ target: 'hang', module, seeds: [Buffer.from('ok'), Buffer.from('HANG')], budgetMs: 30_000, maxExecs: 1000, seed: 1, outDir: null });
  await slot.close();
  assert.equal(r.fault?.kind, 'hang');
  assert.equal(Buffer.from(r.fault!.input).toString(), 'HANG');
});

test('the frame writer writes the frames testing/packets.ts builds', () => {
  const w = new FrameWriter();
  const v4 = { v6: false, src: parseIpv4('10.0.0.1'), dst: parseIpv4('10.0.0.2') };
  const v6 = { v6: true, src: parseIpv6('fd00::2'), dst: parseIpv6('fd00::1') };
  const payload = Buffer.from('GET / HTTP/1.1\r\n\r\n');
  assert.deepEqual(Buffer.from(w.tcp(v4, 40000, 80, 7, 9, TcpBits.ACK | TcpBits.PSH, payload)),
    tcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, seq: 7, ack: 9, flags: 'PA', payload }));
  assert.deepEqual(Buffer.from(w.tcp(v6, 80, 40000, 0xffffffff, 1, TcpBits.SYN, new Uint8Array(0))),
    tcpFrame({ src: 'fd00::2', dst: 'fd00::1', sport: 80, dport: 40000, seq: 0xffffffff, ack: 1, flags: 'S' }));
  assert.deepEqual(Buffer.from(w.udp(v4, 40000, 53, payload)), udpFrame({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 53, payload }));
});

test('the largest segment the input format holds still makes one valid frame, IPv4 and IPv6', () => {
  const big = (options: number): Uint8Array => encodeConversation({ options, port: 80, isnClient: 1, isnServer: 2, segments: [{ flags: 0, seq: 0, data: new Uint8Array(MAX_SEGMENT_BYTES) }] });
  for (const name of ['http1', 'dns-udp', 'icmp']) {
    for (const options of [0, Option.IPV6 | Option.HANDSHAKE]) targetNamed(name)!.run(big(options));
  }
});

test('shares: equal when no target ends early; time a target leaves unused goes to the ones after it', () => {
  // 21 targets, 2 slots, 60 min: the first two start with 2/21 of the budget each.
  const budget = 3_600_000;
  const equal = (budget * 2) / 21;
  const near = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6;
  assert.ok(near(shareOf(budget, 2, 20, 0), equal));
  assert.ok(near(shareOf(budget, 2, 19, equal), equal));
  // Both ran their full share: the next two get the same again.
  assert.ok(near(shareOf(budget - equal, 2, 18, 0), equal));
  assert.ok(near(shareOf(budget - equal, 2, 17, equal), equal));
  // The first stopped at --execs after a minute while the second runs on: the next one gets more.
  assert.ok(shareOf(budget - 60_000, 2, 18, equal - 60_000) > equal);
  // The last target alone gets all that is left, never past the deadline.
  assert.equal(shareOf(90_000, 2, 0, 0), 90_000);
  assert.equal(shareOf(0, 2, 3, 0), 0);
  assert.equal(shareOf(-5, 2, 3, 0), 0);
});
