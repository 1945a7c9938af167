/**
 * The conformance suite every stream dissector passes (STYLE.md, rule 9):
 * for each sample conversation of its protocol,
 *   1. baseline: the expected number of entries, of the protocol;
 *   2. split: the same entries when every segment is 1 byte (small samples)
 *      or a few odd sizes (large ones);
 *   3. pipelining (when the protocol allows it): all requests first, then
 *      all responses: the same entries;
 *   4. gap: a segment lost in the middle: no exception, and the loss is
 *      visible (a gap counted, an entry flagged or a weird recorded);
 *   5. mid-way: the capture starts inside the first client message: no
 *      exception, and at most the first exchanges are missing;
 *   6. garbage: random bytes on the protocol's port, both directions: no
 *      exception;
 *   7. bounded memory: 16 MiB of garbage from the server: the heap grows by
 *      less than MEMORY_LIMIT_BYTES;
 *   8. windows: every packet a plain Uint8Array view into one shared buffer
 *      with message-like bytes around it, as the capture reader hands them
 *      out (split as in 2, and the gap run of 4): the same results. A
 *      dissector that reads past its view, or keeps one, differs here.
 * Entries are compared without timestamps, ids and elapsed times, which
 * depend on how the bytes were cut into packets.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { Pipeline } from '../pipeline/pipeline.js';
import { DissectorRegistry, DISSECTORS } from './registry.js';
import type { DissectorSpec } from './types.js';
import type { Entry } from '../entries/types.js';
import { tcpConversation } from '../testing/packets.js';
import { seededRandom } from '../testing/random.js';

export const MEMORY_LIMIT_BYTES = 64 * 1024 * 1024;
/** Samples up to this size are split at every byte. */
const EVERY_BYTE_MAX = 8 * 1024;

export interface ConformanceSample {
  name: string;
  /** The server's port (the client uses 40000+). */
  port: number;
  /** Request bytes and the response bytes, in order (either may be empty). */
  exchanges: Array<[Uint8Array | string, Uint8Array | string]>;
  /** Entries the baseline must give. */
  entries: number;
  /** May the client send the next request before the response (HTTP/1.1, Redis, …)? */
  pipelining?: boolean;
}

interface Run { entries: Entry[]; gaps: number; weirds: number; flagged: number }

/** Bytes between the windows of `windowed()`: line ends, message starts and length-like bytes a parser must not read. */
const NEIGHBOURS = Buffer.from('\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n*3\r\n$3\r\nGET\r\n\n\n\x00\x00\x00\x10\xff\xff', 'latin1');

/** The frames copied into one buffer, NEIGHBOURS around each, and handed out as plain Uint8Array views of it. */
function windowed(frames: Buffer[]): Uint8Array[] {
  const all = new Uint8Array(frames.reduce((a, f) => a + f.length + NEIGHBOURS.length, NEIGHBOURS.length));
  const views: Uint8Array[] = [];
  let o = 0;
  all.set(NEIGHBOURS, o);
  o += NEIGHBOURS.length;
  for (const f of frames) {
    all.set(f, o);
    views.push(all.subarray(o, o + f.length));
    o += f.length;
    all.set(NEIGHBOURS, o);
    o += NEIGHBOURS.length;
  }
  return views;
}

function run(spec: DissectorSpec, frames: Uint8Array[]): Run {
  const entries: Entry[] = [];
  const registry = new DissectorRegistry([spec, ...DISSECTORS.filter((s) => s.name !== spec.name)]);
  const p = new Pipeline((e) => entries.push(e), {}, registry);
  frames.forEach((data, i) => p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
  const stats = p.finish();
  const weirds = Object.values(stats.weirds).reduce((a, b) => a + b, 0);
  return { entries, gaps: stats.gaps, weirds, flagged: entries.filter((e) => e.flags.length > 0).length };
}

function conversation(s: ConformanceSample, o: { mss?: number; exchanges?: ConformanceSample['exchanges']; handshake?: boolean } = {}): Buffer[] {
  return tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40_000, sport: s.port, exchanges: o.exchanges ?? s.exchanges, mss: o.mss, handshake: o.handshake });
}

/** An entry without what depends on packet timing and numbering. */
function shape(e: Entry): unknown {
  return JSON.parse(JSON.stringify(e, (k, v: unknown) => (k === 'timestamp' || k === 'elapsedTime' || k === 'id' || k === 'connectionId' ? undefined : v)));
}

const bytes = (x: Uint8Array | string): Buffer => (typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from(x));

export async function runConformance(t: TestContext, spec: DissectorSpec, samples: readonly ConformanceSample[]): Promise<void> {
  for (const s of samples) {
    await t.test(`${spec.name} conformance: ${s.name}`, () => {
      const base = run(spec, conversation(s));
      assert.equal(base.entries.length, s.entries, `baseline: ${s.entries} entries`);
      assert.ok(base.entries.every((e) => e.protocol === spec.name), 'entries of the protocol');
      const want = base.entries.map(shape);

      const size = s.exchanges.reduce((a, [q, r]) => a + bytes(q).length + bytes(r).length, 0);
      for (const mss of size <= EVERY_BYTE_MAX ? [1] : [3, 7, 113, 1000]) {
        assert.deepEqual(run(spec, conversation(s, { mss })).entries.map(shape), want, `split into ${mss}-byte segments`);
      }
      for (const mss of [undefined, 7, 100]) {
        assert.deepEqual(run(spec, windowed(conversation(s, { mss }))).entries.map(shape), want, `windows of one buffer, ${mss ?? 'whole'} segments`);
      }

      if (s.pipelining === true && s.exchanges.length > 1) {
        const all: ConformanceSample['exchanges'] = [[Buffer.concat(s.exchanges.map(([q]) => bytes(q))), Buffer.concat(s.exchanges.map(([, r]) => bytes(r)))]];
        assert.deepEqual(run(spec, conversation(s, { exchanges: all })).entries.map(shape), want, 'pipelined');
      }

      // A segment lost in the middle (the largest one carrying data, so it is not a bare ACK).
      const frames = conversation(s, { mss: 64 });
      const dataFrames = frames.map((f, i) => [f.length, i] as const).filter(([len]) => len > 66).map(([, i]) => i);
      if (dataFrames.length >= 3) {
        const lost = dataFrames[Math.floor(dataFrames.length / 2)]!;
        const r = run(spec, frames.filter((_, i) => i !== lost));
        assert.ok(r.gaps > 0 || r.flagged > 0 || r.weirds > 0, 'the loss is visible');
        assert.ok(r.entries.length <= s.entries + 1, 'no flood of entries after a gap');
        const w = run(spec, windowed(frames.filter((_, i) => i !== lost)));
        assert.deepEqual(w.entries.map(shape), r.entries.map(shape), 'after a gap, windows of one buffer');
        assert.deepEqual([w.gaps, w.weirds], [r.gaps, r.weirds], 'after a gap, windows of one buffer: counters');
      }

      // The capture starts in the middle of the first client message.
      const [q0, r0] = s.exchanges[0]!;
      const cut = bytes(q0).subarray(Math.floor(bytes(q0).length / 2));
      const mid = run(spec, conversation(s, { handshake: false, exchanges: [[cut, r0], ...s.exchanges.slice(1)] }));
      assert.ok(mid.entries.length >= s.entries - 2 || s.entries <= 2, `mid-way: ${mid.entries.length} of ${s.entries} entries`);

      // Garbage, both ways, on the protocol's port.
      const rnd = seededRandom(s.port * 7 + s.exchanges.length);
      const junk = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
      for (let k = 0; k < 20; k++) run(spec, conversation(s, { exchanges: [[junk(1 + Math.floor(rnd() * 3000)), junk(Math.floor(rnd() * 3000))], ...s.exchanges] }));
      for (let k = 0; k < 20; k++) run(spec, conversation(s, { exchanges: [...s.exchanges, [junk(Math.floor(rnd() * 2000)), junk(1 + Math.floor(rnd() * 2000))]] }));
    });
  }
  await t.test(`${spec.name} conformance: bounded memory on 16 MiB of garbage`, () => {
    const s = samples[0]!;
    const rnd = seededRandom(99);
    const chunk = Buffer.from(Array.from({ length: 1 << 20 }, () => Math.floor(rnd() * 256)));
    const exchanges: ConformanceSample['exchanges'] = [s.exchanges[0]!, ...Array.from({ length: 16 }, (): [Buffer, Buffer] => [Buffer.alloc(0), chunk])];
    const before = process.memoryUsage().heapUsed;
    const r = run(spec, conversation(s, { exchanges }));
    const grew = process.memoryUsage().heapUsed - before;
    assert.ok(grew < MEMORY_LIMIT_BYTES, `heap grew by ${(grew / 2 ** 20).toFixed(1)} MiB`);
    assert.ok(r.entries.length <= s.entries + 16, 'entries stay few');
  });
}
