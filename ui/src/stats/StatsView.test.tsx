import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Stats } from '../api.js';
import { StatsView } from './StatsView.js';
import { SummaryTable } from './SummaryTable.js';

test('the view has four chart containers before any data', () => {
  const html = renderToStaticMarkup(<StatsView query="http" windowSec={300} />);
  assert.match(html, /data-testid="stats-view"/);
  assert.equal((html.match(/data-testid="chart"/g) ?? []).length, 4);
  for (const t of ['Requests per second', 'Error rate', 'Latency p50', 'Latency p99']) assert.match(html, new RegExp(t));
  assert.match(html, /aria-pressed="true" data-testid="stats-by-protocol"/);
  assert.match(html, /aria-pressed="false" data-testid="stats-by-service"/);
});

test('the summary table: protocols busiest first, right-aligned numbers with units, a total', () => {
  const stats: Stats = {
    windowMs: 300_000, total: 5600, sampled: false, pairs: [],
    protocols: {
      dns: { count: 600, rate: 2, errors: 0, errorRate: 0, p50: 0.8, p90: 1.9, p99: 4.2 },
      http: { count: 5000, rate: 16.7, errors: 300, errorRate: 0.06, p50: 3.1, p90: 12.4, p99: 1280 },
    },
  };
  const html = renderToStaticMarkup(<SummaryTable stats={stats} />);
  assert.ok(html.indexOf('p-http') < html.indexOf('p-dns'), 'busiest first');
  assert.match(html, /<td class="num">5,000<\/td><td class="num">16\.7<\/td><td class="num">300<\/td><td class="num err-text">6\.00%<\/td><td class="num">3\.1 ms<\/td><td class="num">12\.4 ms<\/td><td class="num">1\.28 s<\/td>/);
  assert.match(html, /<th scope="row">all<\/th><td class="num">5,600<\/td><td class="num">18\.7<\/td>/);
});
