/** The soak's arithmetic: slopes, growth after warm-up without capture rings, leak checks, smaps parsing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaked, leastSquaresSlope, summarize } from './analysis.js';
import { socketMappings, type ProcSample } from './sampler.js';

test('least-squares slope', () => {
  assert.equal(leastSquaresSlope([[0, 1], [1, 3], [2, 5]]), 2);
  assert.equal(leastSquaresSlope([[0, 1]]), 0);
  assert.ok(Math.abs(leastSquaresSlope([[0, 10], [1, 9], [2, 12], [3, 11]]) - 0.6) < 1e-9);
});

test('growth is measured after the first third, without rings, per instance', () => {
  const s = (t: number, rssKiB: number, ringKiB: number, instance = 1, proc = 'worker node1'): ProcSample =>
    ({ t, proc, instance, pid: 10 + instance, rssKiB, ringKiB, rings: ringKiB / 32768, threads: 10, fds: 30 + ringKiB / 32768 });
  const samples = [{ ...s(0, 300_000, 196_608), label: 'baseline' as const }, s(60, 500_000, 393_216), s(120, 330_000, 229_376), s(180, 302_000, 196_608), s(0, 100_000, 0, 1, 'hub'), s(60, 90_000, 0, 2, 'hub')];
  const [w, h1, h2] = summarize(samples);
  assert.equal(w!.warmedAt, 60);
  assert.equal(w!.rss.warmKiB, 500_000 - 393_216);
  assert.equal(w!.rss.endKiB, 302_000 - 196_608);
  assert.ok(Math.abs(w!.rss.pct - ((105_392 - 106_784) / 106_784) * 100) < 1e-9);
  assert.equal(w!.vmRss.maxKiB, 500_000);
  assert.deepEqual(w!.rings, { first: 6, last: 6, max: 12 }, 'from the baseline sample');
  assert.deepEqual(h2!.fds, { first: 30, last: 30, max: 30 });
  const noBaseline = summarize(samples.map(({ label: _, ...x }) => x))[0]!;
  assert.deepEqual(noBaseline.rings, { first: 12, last: 6, max: 12 }, 'from the first sample after warm-up');
  assert.equal(leaked(w!.fds), false);
  assert.equal(leaked({ first: 30, last: 40, max: 40 }), true);
  assert.deepEqual([h1!.instance, h2!.instance, h2!.samples], [1, 2, 1]);
});

test('capture rings are the socket mappings of smaps', () => {
  const smaps = [
    '7fd2b2ce2000-7fd2b2ee2000 rw-s 00000000 00:09 472721                     socket:[472721]',
    'Size:               2048 kB', 'Rss:                2048 kB',
    '7fd2b3000000-7fd2b3100000 rw-p 00000000 00:00 0 ',
    'Rss:                 512 kB',
    '7fd2b4000000-7fd2b6000000 rw-s 00000000 00:09 472800                     socket:[472800]',
    'Rss:               32768 kB',
  ].join('\n');
  assert.deepEqual(socketMappings(smaps), { ringKiB: 34_816, rings: 2 });
});
