import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryGuard, SHED_THRESHOLD } from './memory-guard.js';
import { DEFAULT_MEMORY_CAP_BYTES, MIN_MEMORY_CAP_BYTES, memoryBudget } from './memory-budget.js';
import { Pipeline } from './pipeline.js';
import { tcpFrame } from '../testing/packets.js';
import type { PacketRecord } from '../capture/types.js';

const MiB = 1024 * 1024;

test('the budget splits the cap: 512 MiB gives the documented limits', () => {
  const b = memoryBudget(DEFAULT_MEMORY_CAP_BYTES);
  assert.deepEqual(b, {
    maxBufferedBytesTotal: 64 * MiB, maxBufferedBytesPerStream: 4 * MiB, maxConnections: 65_536,
    maxFragmentDatagrams: 1024, maxFragmentBytesTotal: 32 * MiB,
  });
  assert.ok(memoryBudget(1).maxConnections === memoryBudget(MIN_MEMORY_CAP_BYTES).maxConnections);
  assert.ok(memoryBudget(2 * DEFAULT_MEMORY_CAP_BYTES).maxBufferedBytesTotal === 128 * MiB);
});

test('under the threshold nothing is shed; over it buffers first, then connections', () => {
  const calls: Array<[number, number]> = [];
  let rss = 100 * MiB;
  const lines: string[] = [];
  let collected = 0;
  const g = new MemoryGuard({ shed: (b, f) => { calls.push([b, f]); return { freedBytes: b, closedConnections: f > 0 ? 3 : 0 }; } },
    { capBytes: 200 * MiB, rss: () => rss, log: (l) => lines.push(l), collect: () => { collected++; } });
  assert.equal(g.check(), false);
  rss = 200 * MiB * SHED_THRESHOLD + 1;
  assert.equal(g.check(), true);
  assert.equal(calls[0]![1], 0, 'the first shed gives up buffers only');
  assert.ok(calls[0]![0] > 0);
  assert.equal(g.check(), true);
  assert.ok(calls[1]![1] > 0, 'still over: the oldest connections go too');
  rss = 100 * MiB;
  assert.equal(g.check(), false);
  assert.equal(g.shedCount, 2);
  assert.equal(g.closedConnections, 3);
  assert.equal(lines.length, 2, 'one line when it starts, one when it ends');
  assert.equal(collected, 2, 'a full collection after each shed');
});

test('Pipeline.shed() drops fragments and buffered segments (as gaps) and can close the oldest connections', () => {
  const p = new Pipeline(() => {});
  const rec: PacketRecord = { ts: 1_700_000_000_000, linkType: 1, iface: 0, data: new Uint8Array(0), origLength: 0 };
  const send = (f: Buffer): void => { rec.data = f; rec.origLength = f.length; p.packet(rec); };
  for (let c = 0; c < 10; c++) {
    const src = `10.1.0.${c + 1}`;
    send(tcpFrame({ src, dst: '10.2.0.1', sport: 40_000, dport: 80, seq: 0, flags: 'S' }));
    for (let k = 1; k <= 20; k++) send(tcpFrame({ src, dst: '10.2.0.1', sport: 40_000, dport: 80, seq: 1 + 100 * k, payload: 'x'.repeat(50) }));
  }
  assert.ok(p.bufferedBytes > 0);
  const r = p.shed(Number.MAX_SAFE_INTEGER, 0);
  assert.equal(p.bufferedBytes, 0);
  assert.ok(r.freedBytes > 0);
  assert.ok(p.stats.gaps > 0);
  assert.equal(p.openConnections, 10);
  const r2 = p.shed(0, 0.5);
  assert.equal(r2.closedConnections, 5);
  assert.equal(p.openConnections, 5);
  assert.equal(p.stats.limitsHit.memoryCap, 2);
});
