import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Stats } from '../api.js';
import { ServiceMapView } from './ServiceMap.js';
import type { PairStats } from './graph.js';

const pair = (src: string, dst: string, protocol: string, o: Partial<PairStats> = {}): PairStats => ({
  src, dst, protocol, count: 120, rate: 0.4, errors: 0, errorRate: 0, p50: 3.2, p90: 9, p99: 41, ...o,
});

const STATS: Stats = {
  windowMs: 300_000, total: 5120, sampled: false,
  protocols: { http: { count: 5000, rate: 16.7, errors: 12, errorRate: 0.0024, p50: 3.1, p90: 12.4, p99: 80.2 } },
  pairs: [
    pair('frontend', 'cart', 'http', { srcNamespace: 'shop', dstNamespace: 'shop', count: 900, rate: 3, errors: 90, errorRate: 0.1 }),
    pair('cart', 'redis', 'redis', { srcNamespace: 'shop', dstNamespace: 'data' }),
    pair('we"ird <name>', 'cart', 'grpc', { dstNamespace: 'shop' }),
    pair('127.0.0.1', '127.0.0.1', 'http'),
  ],
};

const render = (o: Partial<Parameters<typeof ServiceMapView>[0]>): string => renderToStaticMarkup(
  <ServiceMapView stats={STATS} error={null} loading={false} query="" windowSec={300} onFilter={() => {}} listOpen {...o} />,
);

test('nodes carry data-name, the connections table data-src/data-dst', () => {
  const html = render({});
  assert.match(html, /data-testid="service-map"/);
  for (const n of ['frontend', 'cart', 'redis', '127.0.0.1']) assert.match(html, new RegExp(`data-testid="map-node" data-name="${n.replace(/\./g, '\\.')}"`), n);
  assert.match(html, /data-name="we&quot;ird &lt;name&gt;"/, 'names are escaped, never markup');
  assert.match(html, /data-testid="map-edge-row" data-src="frontend" data-dst="cart"/);
  assert.match(html, /data-testid="map-edge-row" data-src="127\.0\.0\.1" data-dst="127\.0\.0\.1"/, 'a self loop is an edge too');
  assert.match(html, />namespace<\/span><span class="map-lane-name">shop</);
  assert.match(html, /outside the cluster/);
  assert.match(html, /<b>5<\/b> workloads · <b>4<\/b> connections · <b>5,120<\/b> entries in the last 5 minutes/);
  assert.match(html, /10\.0%/, 'the error rate of frontend → cart');
  // React Flow draws the edges from the handles given up front, before any measuring.
  assert.equal((html.match(/class="react-flow__edge-path map-edge-path/g) ?? []).length, 4);
});

test('no pairs: the empty state names the window and the filter', () => {
  const html = render({ stats: { ...STATS, pairs: [], total: 0 }, query: 'http and dst.name == "x"', windowSec: 900 });
  assert.match(html, /no traffic in the last 15 minutes matching the filter/);
  assert.match(html, /<code>http and dst.name == &quot;x&quot;<\/code>/);
  assert.doesNotMatch(html, /react-flow/);
});

test('the hub\'s error text is shown, over the last good map', () => {
  const html = render({ error: 'invalid filter at column 3: expected a value' });
  assert.match(html, /role="alert"/);
  assert.match(html, /invalid filter at column 3: expected a value/);
  assert.match(html, /data-testid="map-node"/);
  const first = render({ stats: null, error: 'the hub cannot be reached (fetch failed)' });
  assert.match(first, /the hub cannot be reached/);
  assert.doesNotMatch(first, /Loading the service map/);
});

test('before the first answer: loading', () => {
  assert.match(render({ stats: null, loading: true }), /Loading the service map…/);
});
