import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry, Endpoint } from '../../../src/entries/types.js';
import { endpointName } from '../../../src/hub/stats.js';
import { parseFilter } from '../../../src/query/parser.js';
import { compilePredicate } from '../../../src/query/predicate.js';
import { entryDatabase, matchBothWays } from '../../../src/query/test-support.js';
import {
  EDGE_MAX_WIDTH, EDGE_MIN_WIDTH, buildGraph, edgeFilter, edgeWidth, endpointCondition, errorTone, nodeFilter, type PairStats,
} from './graph.js';

const pair = (src: string, dst: string, protocol: string, o: Partial<PairStats> = {}): PairStats => ({
  src, dst, protocol, count: 100, rate: 1, errors: 0, errorRate: 0, p50: 2, p90: 5, p99: 10, ...o,
});

/** The smallest thing compilePredicate reads: the two ends. */
const entry = (src: Endpoint, dst: Endpoint): Entry => ({ src, dst } as unknown as Entry);
const matches = (filter: string, e: Entry): boolean => compilePredicate(parseFilter(filter))(e);

test('one edge per src → dst pair, protocols folded and listed busiest first', () => {
  const g = buildGraph([
    pair('frontend', 'cart', 'http', { count: 300, rate: 3, errors: 3, p50: 4, p99: 40, srcNamespace: 'shop', dstNamespace: 'shop' }),
    pair('frontend', 'cart', 'grpc', { count: 100, rate: 1, errors: 1, p50: 8, p99: 90, srcNamespace: 'shop', dstNamespace: 'shop' }),
    pair('cart', 'redis', 'redis', { count: 50, rate: 0.5, srcNamespace: 'shop', dstNamespace: 'data' }),
  ]);
  assert.equal(g.edges.length, 2);
  const fc = g.edges[0]!;
  assert.deepEqual({ src: fc.src, dst: fc.dst, protocols: fc.protocols, count: fc.count, rate: fc.rate, errors: fc.errors },
    { src: 'frontend', dst: 'cart', protocols: ['http', 'grpc'], count: 400, rate: 4, errors: 4 });
  assert.equal(fc.errorRate, 0.01);
  assert.equal(fc.p50, (4 * 300 + 8 * 100) / 400, 'p50: count-weighted');
  assert.equal(fc.p99, 90, 'p99: the worst protocol');
  assert.equal(fc.approx, true);
  assert.equal(g.edges[1]!.approx, false);
  assert.deepEqual(g.nodes.map((n) => [n.name, n.namespace]), [['cart', 'shop'], ['frontend', 'shop'], ['redis', 'data']]);
  const cart = g.nodes.find((n) => n.name === 'cart')!;
  assert.deepEqual({ inRate: cart.inRate, inCount: cart.inCount, inErrors: cart.inErrors, outRate: cart.outRate }, { inRate: 4, inCount: 400, inErrors: 4, outRate: 0.5 });
});

test('a pair without any response has no latency, not 0 ms', () => {
  const g = buildGraph([pair('a', 'b', 'http', { errors: 100, errorRate: 1, p50: 0, p90: 0, p99: 0 })]);
  assert.equal(g.edges[0]!.p50, null);
  assert.equal(g.edges[0]!.p99, null);
});

test('ends without a namespace are external (null); a known namespace wins over none', () => {
  const g = buildGraph([
    pair('10.0.0.9', 'web', 'http', { dstNamespace: 'default', count: 5 }),
    pair('web', 'api.example.com', 'http', { srcNamespace: undefined, count: 50 }),
  ]);
  assert.deepEqual(g.nodes.map((n) => [n.name, n.namespace]), [['10.0.0.9', null], ['api.example.com', null], ['web', 'default']]);
});

test('edgeFilter parses and selects exactly the pair, by name ?? pod ?? ip', () => {
  const f = edgeFilter({ src: 'frontend', dst: 'cart' });
  assert.equal(f, '(src.name == "frontend" || !(src.name != null) && (src.pod == "frontend" || !(src.pod != null) && src.ip == "frontend"))'
    + ' && (dst.name == "cart" || !(dst.name != null) && (dst.pod == "cart" || !(dst.pod != null) && dst.ip == "cart"))');
  const ends: Endpoint[] = [
    { ip: '10.0.0.1', port: 1, name: 'frontend', pod: 'frontend-7d9-x', namespace: 'shop' },
    { ip: '10.0.0.2', port: 2, pod: 'frontend' },
    { ip: 'frontend', port: 3 },
    { ip: '10.0.0.3', port: 8080, name: 'cart', pod: 'cart-1' },
    { ip: '10.0.0.4', port: 8080, pod: 'cart' },
    { ip: 'cart', port: 8080 },
    { ip: '10.0.0.5', port: 8080, name: 'checkout' },
    // Named otherwise, though a lower-priority field says "frontend" / "cart": not the map's node.
    { ip: '10.0.0.6', port: 1, name: 'web', pod: 'frontend' },
    { ip: 'frontend', port: 1, pod: 'frontend-0' },
    { ip: 'cart', port: 8080, name: 'checkout' },
    { ip: '10.0.0.7', port: 8080, name: 'cart-v2', pod: 'cart' },
  ];
  const all: Entry[] = [];
  for (const s of ends) {
    for (const d of ends) {
      const expected = endpointName(s) === 'frontend' && endpointName(d) === 'cart';
      assert.equal(matches(f, entry(s, d)), expected, `${endpointName(s)} → ${endpointName(d)}`);
      all.push({ ...entry(s, d), id: `e${all.length}` } as Entry);
    }
  }
  // The hub's stored search compiles the same filter to SQL: it must select the same entries.
  const both = matchBothWays(entryDatabase(all), all, f, { now: 0 });
  assert.deepEqual(both.sql, both.predicate);
  assert.deepEqual(both.sql, all.filter((e) => endpointName(e.src) === 'frontend' && endpointName(e.dst) === 'cart').map((e) => e.id));
});

test('names with quotes, backslashes, newlines and non-ASCII round-trip through the filter parser', () => {
  const names = ['we"ird', 'back\\slash', 'tab\there', 'line\nbreak', "it's", 'ünïcødé', '🙂 pod', '', 'a || b) && (c', '\u2028'];
  for (const src of names) {
    for (const dst of ['svc', ...names.slice(0, 3)]) {
      const f = edgeFilter({ src, dst });
      assert.doesNotThrow(() => parseFilter(f), `${JSON.stringify(src)} → ${JSON.stringify(dst)}: ${f}`);
      assert.equal(matches(f, entry({ ip: '1.1.1.1', port: 1, name: src }, { ip: '2.2.2.2', port: 2, pod: dst })), true, f);
      assert.equal(matches(f, entry({ ip: '1.1.1.1', port: 1, name: `${src}x` }, { ip: '2.2.2.2', port: 2, pod: dst })), false, f);
    }
  }
});

test('nodeFilter selects traffic from or to the node', () => {
  const f = nodeFilter('cart');
  assert.doesNotThrow(() => parseFilter(f));
  const cart: Endpoint = { ip: '10.0.0.3', port: 80, name: 'cart' };
  const other: Endpoint = { ip: '10.0.0.9', port: 80, name: 'web' };
  assert.equal(matches(f, entry(cart, other)), true);
  assert.equal(matches(f, entry(other, cart)), true);
  assert.equal(matches(f, entry(other, other)), false);
  assert.equal(endpointCondition('dst', 'x'), '(dst.name == "x" || !(dst.name != null) && (dst.pod == "x" || !(dst.pod != null) && dst.ip == "x"))');
  // Explicitly null fields read like missing ones, as `??` does.
  assert.equal(matches(f, entry({ ip: '1.2.3.4', port: 1, name: null, pod: 'cart' } as unknown as Endpoint, other)), true);
});

test('errorTone and edgeWidth', () => {
  assert.equal(errorTone(0), 'ok');
  assert.equal(errorTone(0.0005), 'ok');
  assert.equal(errorTone(0.002), 'warn');
  assert.equal(errorTone(0.05), 'err');
  assert.equal(edgeWidth(0, 10), EDGE_MIN_WIDTH);
  assert.equal(edgeWidth(10, 10), EDGE_MAX_WIDTH);
  assert.equal(edgeWidth(5, 0), EDGE_MIN_WIDTH);
  const mid = edgeWidth(1, 100);
  assert.ok(mid > EDGE_MIN_WIDTH && mid < EDGE_MAX_WIDTH);
  assert.ok(edgeWidth(2, 100) > mid, 'busier is wider');
});
