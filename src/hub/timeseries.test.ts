import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hub } from './server.js';
import { computeTimeseries, timeseriesParams, TimeseriesParamError, TIMESERIES_MAX_SERIES, type Timeseries } from './timeseries.js';
import { dnsA, httpGet, httpNoResponse } from '../output/sample-entries.js';
import type { Entry } from '../entries/types.js';

const TOKEN = 'test-token-0123456789abcdef';

/** An HTTP entry at `ts` to `dst` with `status` and `elapsed` ms. */
function http(id: string, ts: number, dst: string, status = 200, elapsed = 10): Entry {
  const e = httpGet();
  return { ...e, id, timestamp: ts, elapsedTime: elapsed, dst: { ...e.dst, name: dst }, response: { ...e.response!, status } };
}

test('timeseriesParams: defaults, clamps, and clear errors', () => {
  assert.deepEqual(timeseriesParams({}), { windowMs: 300_000, stepMs: 5000, by: 'protocol' });
  assert.deepEqual(timeseriesParams({ window: '60', step: '10', by: 'service' }), { windowMs: 60_000, stepMs: 10_000, by: 'service' });
  assert.equal(timeseriesParams({ window: '30' }).stepMs, 1000, 'at least 1 s');
  assert.equal(timeseriesParams({ window: '86400', step: '1' }).stepMs, 240_000, 'at most 360 buckets');
  assert.equal(timeseriesParams({ window: '86400' }).stepMs, 1_440_000, 'default: window / 60');
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ window: '0' }, /window must be a whole number of seconds/],
    [{ window: '1.5' }, /window must be a whole number/],
    [{ window: '86401' }, /window must be at most 86400/],
    [{ step: 'x' }, /step must be a whole number/],
    [{ window: '60', step: '61' }, /step \(61 s\) must not be longer than window \(60 s\)/],
    [{ by: 'pod' }, /by must be one of protocol, service/],
  ];
  for (const [q, re] of bad) assert.throws(() => timeseriesParams(q), (e: unknown) => e instanceof TimeseriesParamError && re.test(e.message), JSON.stringify(q));
});

test('computeTimeseries: buckets, rates, errors, percentiles, total first', () => {
  const p = timeseriesParams({ window: '30', step: '10' });
  const now = 1_000_005_000; // bucket 2 is [1_000_000_000, 1_000_010_000)
  const start = 1_000_000_000 - 20_000;
  const list: Entry[] = [
    http('a', start + 1, 'cart', 200, 5), http('b', start + 2, 'cart', 503, 50), // bucket 0
    { ...httpNoResponse(), id: 'c', timestamp: start + 10_001 }, // bucket 1: an error without a response
    { ...dnsA(), id: 'd', timestamp: start + 20_000 }, // bucket 2
    http('old', start - 1, 'cart'), http('ahead', now + 10_000, 'cart'), // outside the window: left out
  ];
  const ts = computeTimeseries(list, p, now, false);
  assert.equal(ts.start, start);
  assert.equal(ts.buckets, 3);
  assert.deepEqual(ts.series.map((s) => s.key), ['total', 'http', 'dns']);
  const [total, web, dns] = ts.series;
  assert.deepEqual(total!.count, [2, 1, 1]);
  assert.deepEqual(web!.count, [2, 1, 0]);
  assert.deepEqual(web!.rate, [0.2, 0.1, 0]);
  assert.deepEqual(web!.errors, [1, 1, 0]);
  assert.deepEqual(web!.errorRate, [0.5, 1, 0]);
  assert.deepEqual(web!.p50, [5, null, null], 'no response, no latency; an empty bucket is null');
  assert.deepEqual(web!.p99, [50, null, null]);
  assert.deepEqual(dns!.p50, [null, null, 1.25]);
  for (const s of ts.series) for (const k of ['count', 'rate', 'errors', 'errorRate', 'p50', 'p99'] as const) assert.equal(s[k].length, 3);
});

test('computeTimeseries: by service, at most TIMESERIES_MAX_SERIES series and the rest in "other"', () => {
  const p = timeseriesParams({ window: '60', step: '60', by: 'service' });
  const now = 6_030_000; // bucket 0 is [6_000_000, 6_060_000)
  const list: Entry[] = [];
  for (let s = 0; s < 30; s++) for (let i = 0; i <= s; i++) list.push(http(`${s}-${i}`, now - 1000, `svc-${String(s).padStart(2, '0')}`));
  const ts = computeTimeseries(list, p, now, true);
  assert.equal(ts.sampled, true);
  assert.equal(ts.series.length, TIMESERIES_MAX_SERIES + 1, '20 keyed series plus total');
  assert.equal(ts.series[0]!.key, 'total');
  assert.equal(ts.series[0]!.count[0], list.length);
  const other = ts.series.find((s) => s.key === 'other')!;
  assert.equal(other.count[0], (11 * 12) / 2, 'svc-00 … svc-10 summed');
  assert.equal(ts.series[1]!.key, 'other', 'sorted by count: other (66) before svc-29 (30)');
  assert.equal(ts.series[2]!.key, 'svc-29');
  const counts = ts.series.map((s) => s.count[0]!);
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
});

test('GET /api/timeseries on a real hub: shape, filter, 400s', async (t) => {
  const hub = new Hub({ host: '127.0.0.1', port: 0, token: TOKEN, store: { maxAgeMs: Infinity }, log: () => {} });
  await hub.start();
  t.after(() => hub.stop());
  const now = Date.now();
  await hub.accept([
    http('h1', now - 5000, 'cart'), http('h2', now - 4000, 'cart', 500), http('h3', now - 3000, 'front'),
    { ...dnsA(), id: 'd1', timestamp: now - 2000 }, http('old', now - 120_000, 'cart'),
  ]);
  const get = async (q: string) => {
    const r = await fetch(`${hub.url}/api/timeseries${q}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: r.status, body: (await r.json()) as Timeseries & { error?: string; column?: number } };
  };
  const { status, body } = await get('?window=60&step=5');
  assert.equal(status, 200);
  assert.deepEqual(Object.keys(body).sort(), ['buckets', 'sampled', 'series', 'start', 'stepMs', 'windowMs']);
  assert.equal(body.windowMs, 60_000);
  assert.equal(body.stepMs, 5000);
  assert.equal(body.buckets, 12);
  assert.equal(body.sampled, false);
  assert.deepEqual(body.series.map((s) => [s.key, s.count.reduce((a, b) => a + b, 0)]), [['total', 4], ['http', 3], ['dns', 1]]);
  for (const s of body.series) assert.deepEqual(Object.keys(s).sort(), ['count', 'errorRate', 'errors', 'key', 'p50', 'p99', 'rate']);

  const bySvc = (await get('?window=60&by=service&q=http')).body;
  assert.deepEqual(bySvc.series.map((s) => [s.key, s.errors.reduce((a, b) => a + b, 0)]), [['total', 1], ['cart', 1], ['front', 0]]);

  const badFilter = await get('?q=http%20and');
  assert.equal(badFilter.status, 400);
  assert.equal(typeof badFilter.body.column, 'number');
  for (const q of ['?window=0', '?window=90000', '?step=abc', '?by=node']) {
    const r = await get(q);
    assert.equal(r.status, 400, q);
    assert.match(r.body.error!, /window|step|by/);
  }
});
