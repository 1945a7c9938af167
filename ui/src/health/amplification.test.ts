import { test } from 'node:test';
import assert from 'node:assert/strict';
import { amplification, sumCounters } from './amplification.js';
import type { WorkerCounters } from './api.js';

const counters = (o: Partial<WorkerCounters>): WorkerCounters => ({
  captured: 0, processed: 0, duplicate: 0, untargeted: 0, kernelDrops: 0, entries: {}, uplinkDropped: 0, uplinkBuffered: 0, ...o,
});

test('exactly once: processed equals the unique targeted packets → 1.00, ok', () => {
  // 1000 delivered: 300 were the other capture point's copy, 50 not targeted, 650 processed.
  const a = amplification({ captured: 1000, duplicate: 300, untargeted: 50, processed: 650 });
  assert.deepEqual(a, { unique: 650, ratio: 1, status: 'ok', text: '1.00' });
});

test('duplicates and untargeted packets do not count against the ratio; counters that do not add up do', () => {
  assert.equal(amplification({ captured: 2000, duplicate: 1000, untargeted: 0, processed: 1000 }).text, '1.00', 'every packet seen twice, processed once');
  const twice = amplification({ captured: 2000, duplicate: 0, untargeted: 0, processed: 2000 });
  assert.equal(twice.text, '1.00', 'from one worker\'s counters alone, a packet processed on two veths looks unique twice');
  const over = amplification({ captured: 1000, duplicate: 100, untargeted: 100, processed: 900 });
  assert.deepEqual({ text: over.text, status: over.status }, { text: '1.13', status: 'bad' });
  const under = amplification({ captured: 1000, duplicate: 0, untargeted: 0, processed: 990 });
  assert.deepEqual({ text: under.text, status: under.status }, { text: '0.99', status: 'bad' });
});

test('rounding: 2 decimals decide ok', () => {
  assert.equal(amplification({ captured: 100_000, duplicate: 0, untargeted: 0, processed: 100_400 }).status, 'ok', '1.004 shows as 1.00');
  assert.equal(amplification({ captured: 100_000, duplicate: 0, untargeted: 0, processed: 100_600 }).status, 'bad', '1.006 shows as 1.01');
});

test('zero: no targeted packet yet is neither good nor bad', () => {
  assert.deepEqual(amplification({ captured: 0, duplicate: 0, untargeted: 0, processed: 0 }), { unique: 0, ratio: null, status: 'none', text: '—' });
  assert.deepEqual(amplification({ captured: 40, duplicate: 0, untargeted: 40, processed: 0 }), { unique: 0, ratio: null, status: 'none', text: '—' }, 'only untargeted packets');
});

test('inconsistent counters are bad, never a division by zero or a negative ratio', () => {
  const inf = amplification({ captured: 10, duplicate: 5, untargeted: 5, processed: 3 });
  assert.deepEqual({ text: inf.text, status: inf.status, ratio: inf.ratio }, { text: '∞', status: 'bad', ratio: Number.POSITIVE_INFINITY });
  const neg = amplification({ captured: 10, duplicate: 20, untargeted: 0, processed: 0 });
  assert.deepEqual({ text: neg.text, status: neg.status, ratio: neg.ratio }, { text: 'n/a', status: 'bad', ratio: null });
});

test('totals sum every counter and the entries per protocol, skipping workers without state', () => {
  const t = sumCounters([
    counters({ captured: 10, processed: 6, duplicate: 3, untargeted: 1, kernelDrops: 2, uplinkDropped: 1, uplinkBuffered: 4, entries: { http: 3 } }),
    null,
    counters({ captured: 5, processed: 5, entries: { http: 1, dns: 2 } }),
  ]);
  assert.deepEqual(t, { captured: 15, processed: 11, duplicate: 3, untargeted: 1, kernelDrops: 2, uplinkDropped: 1, uplinkBuffered: 4, entries: { http: 4, dns: 2 } });
  assert.equal(amplification(t).text, '1.00');
});
