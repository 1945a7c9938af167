import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/util/paths.js';
import type { Series, Timeseries } from '../api.js';
import { SERIES_PALETTE, SeriesColors, contrast, seriesValues, shapeSeries, timeAxis } from './series.js';

const series = (key: string, o: Partial<Series> = {}): Series => ({
  key, count: [2, 0, 4], rate: [0.4, 0, 0.8], errors: [1, 0, 0], errorRate: [0.5, 0, 0], p50: [3, null, 5], p99: [9, null, 12], ...o,
});
const TS: Timeseries = { windowMs: 15_000, stepMs: 5000, start: 1_700_000_000_000, buckets: 3, sampled: false, series: [series('total'), series('http'), series('dns')] };

test('x is each bucket start, in seconds', () => {
  assert.deepEqual(timeAxis(TS), [1_700_000_000, 1_700_000_005, 1_700_000_010]);
});

test('rates as they come; latency gaps stay null', () => {
  const d = shapeSeries(TS, 'rate');
  assert.deepEqual(d.keys, ['total', 'http', 'dns']);
  assert.equal(d.data.length, 4);
  assert.deepEqual(d.data[1], [0.4, 0, 0.8]);
  assert.deepEqual(shapeSeries(TS, 'p50').data[2], [3, null, 5]);
  assert.deepEqual(shapeSeries(TS, 'p99').data[3], [9, null, 12]);
});

test('error rate in percent, and a gap (not 0%) where a bucket has no entries', () => {
  assert.deepEqual(shapeSeries(TS, 'errorRate').data[1], [50, null, 0]);
});

test('without total; short or broken arrays become gaps', () => {
  assert.deepEqual(shapeSeries(TS, 'rate', false).keys, ['http', 'dns']);
  const s = series('x', { rate: [1], p50: [Number.NaN as number, 2] });
  assert.deepEqual(seriesValues(s, 'rate', 3), [1, null, null]);
  assert.deepEqual(seriesValues(s, 'p50', 3), [null, 2, null]);
});

test('an empty answer is an empty chart', () => {
  const d = shapeSeries({ ...TS, buckets: 0, series: [] }, 'rate');
  assert.deepEqual(d, { keys: [], data: [[]] });
});

test('colours are stable per key; total and other follow the theme; past the palette, dashed', () => {
  const c = new SeriesColors(() => ({ fg: '#fff', muted: '#888' }));
  const http = c.style('http');
  assert.equal(c.style('dns').stroke, SERIES_PALETTE[1]);
  assert.deepEqual(c.style('http'), http, 'asked again: the same');
  assert.equal(c.style('total').stroke, '#fff');
  assert.equal(c.style('other').stroke, '#888');
  for (let i = 0; i < SERIES_PALETTE.length; i++) c.style(`k${i}`);
  const late = c.style('late');
  assert.ok(late.dash !== undefined);
});

test('every palette colour has 3:1 contrast on both themes\' panels and backgrounds', () => {
  // The backgrounds are read from base.css, so a theme change that breaks this fails here.
  const css = readFileSync(join(packageRoot(), 'ui', 'src', 'styles', 'base.css'), 'utf8');
  const vars = (theme: string): Record<string, string> => {
    const block = new RegExp(`${theme}[^{]*\\{([^}]*)\\}`).exec(css)![1]!;
    return Object.fromEntries([...block.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6})/g)].map((m) => [m[1]!, m[2]!]));
  };
  for (const theme of [vars(':root'), vars('\\[data-theme="light"\\]')]) {
    for (const bg of [theme.bg!, theme.panel!]) {
      for (const c of SERIES_PALETTE) assert.ok(contrast(c, bg) >= 3, `${c} on ${bg}: ${contrast(c, bg).toFixed(2)}`);
    }
  }
  assert.equal(new Set(SERIES_PALETTE).size, SERIES_PALETTE.length);
});
