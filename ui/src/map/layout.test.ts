import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BACK_EDGE_SPACE, COLUMN_GAP, EXTERNAL_LANE, NODE_HEIGHT, NODE_WIDTH, SELF_LOOP_SPACE, columnX, labelGapX, layoutGraph, rankNodes,
  type LayoutEdge, type LayoutNode,
} from './layout.js';

const e = (source: string, target: string): LayoutEdge => ({ source, target });

/** A small shop: an ingress outside, a frontend calling services in two namespaces, a cache, a cycle and an external API. */
const NODES: LayoutNode[] = [
  { id: '10.1.2.3', namespace: null },
  { id: 'frontend', namespace: 'shop' },
  { id: 'cart', namespace: 'shop' },
  { id: 'checkout', namespace: 'shop' },
  { id: 'payments', namespace: 'pay' },
  { id: 'fraud', namespace: 'pay' },
  { id: 'redis', namespace: 'data' },
  { id: 'api.stripe.com', namespace: null },
  { id: 'coredns', namespace: 'kube-system' },
];
const EDGES: LayoutEdge[] = [
  e('10.1.2.3', 'frontend'), e('frontend', 'cart'), e('frontend', 'checkout'), e('checkout', 'payments'),
  e('payments', 'fraud'), e('fraud', 'payments'), e('payments', 'api.stripe.com'), e('cart', 'redis'), e('checkout', 'redis'),
  e('frontend', 'coredns'), e('cart', 'cart'),
];

test('ranks are the longest path from a source; cycles are broken deterministically', () => {
  assert.deepEqual(Object.fromEntries(rankNodes(['a', 'b', 'c', 'd'], [e('a', 'b'), e('b', 'c'), e('a', 'c'), e('c', 'd')])), { a: 0, b: 1, c: 2, d: 3 });
  assert.deepEqual(Object.fromEntries(rankNodes(['b', 'a'], [e('b', 'a'), e('a', 'b')])), { a: 0, b: 1 }, 'a pure cycle starts at the first name');
  assert.deepEqual(Object.fromEntries(rankNodes(['x'], [e('x', 'x')])), { x: 0 }, 'a self loop is no cycle to break');
  const r = rankNodes(NODES.map((n) => n.id), EDGES);
  assert.equal(r.get('10.1.2.3'), 0);
  assert.equal(r.get('frontend'), 1);
  assert.equal(r.get('checkout'), 2);
  assert.equal(r.get('payments'), 3);
  assert.equal(r.get('fraud'), 4, 'the cycle is entered from payments');
  assert.equal(r.get('redis'), 3);
});

test('callers are left of their callees, except on the edge that closes a cycle', () => {
  const l = layoutGraph(NODES, EDGES);
  for (const x of EDGES) {
    if (x.source === x.target || (x.source === 'fraud' && x.target === 'payments')) continue;
    assert.ok(l.nodes.get(x.source)!.x < l.nodes.get(x.target)!.x, `${x.source} → ${x.target}`);
  }
  assert.equal(l.columns, 5);
});

test('one lane per namespace, external last; lanes hold their nodes and do not overlap', () => {
  const l = layoutGraph(NODES, EDGES);
  assert.deepEqual(l.lanes.map((x) => x.label).at(-1), EXTERNAL_LANE);
  assert.deepEqual(new Set(l.lanes.map((x) => x.label)), new Set(['shop', 'pay', 'data', 'kube-system', EXTERNAL_LANE]));
  for (const n of NODES) {
    const lane = l.lanes.find((x) => x.label === (n.namespace ?? EXTERNAL_LANE))!;
    const p = l.nodes.get(n.id)!;
    assert.ok(p.x >= lane.x && p.x + NODE_WIDTH <= lane.x + lane.width, `${n.id} inside its lane horizontally`);
    assert.ok(p.y >= lane.y && p.y + NODE_HEIGHT <= lane.y + lane.height, `${n.id} inside its lane vertically`);
  }
  for (let i = 1; i < l.lanes.length; i++) assert.ok(l.lanes[i]!.y >= l.lanes[i - 1]!.y + l.lanes[i - 1]!.height, 'lanes are stacked');
  assert.ok(l.width >= Math.max(...l.lanes.map((x) => x.x + x.width)));
  assert.ok(l.height >= Math.max(...l.lanes.map((x) => x.y + x.height)));
});

test('no two nodes overlap', () => {
  const l = layoutGraph(NODES, EDGES);
  const list = [...l.nodes];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const [a, pa] = list[i]!, [b, pb] = list[j]!;
      const apart = pa.x + NODE_WIDTH <= pb.x || pb.x + NODE_WIDTH <= pa.x || pa.y + NODE_HEIGHT <= pb.y || pb.y + NODE_HEIGHT <= pa.y;
      assert.ok(apart, `${a} and ${b} overlap`);
    }
  }
});

test('the layout does not depend on the order of its input', () => {
  const a = layoutGraph(NODES, EDGES);
  const b = layoutGraph([...NODES].reverse(), [...EDGES].reverse());
  assert.deepEqual([...b.nodes].sort(), [...a.nodes].sort());
  assert.deepEqual(b.lanes, a.lanes);
});

test('nodes of a column are ordered next to their neighbours', () => {
  // b1 is called by a2 (low), b2 by a1 (high): the second pass swaps them.
  const l = layoutGraph(
    [{ id: 'a1', namespace: 'n' }, { id: 'a2', namespace: 'n' }, { id: 'b1', namespace: 'n' }, { id: 'b2', namespace: 'n' }],
    [e('a1', 'b2'), e('a2', 'b1')],
  );
  assert.ok(l.nodes.get('b2')!.y < l.nodes.get('b1')!.y);
});

test('edge labels sit in a gap between columns, never over one', () => {
  for (const [s, t] of [[0, 1], [0, 2], [1, 4], [0, 5]] as const) {
    const x = labelGapX(s, t);
    assert.ok(x > columnX(s) + NODE_WIDTH && x < columnX(t), `${s} → ${t}`);
    for (let r = 0; r <= t; r++) assert.ok(x < columnX(r) || x > columnX(r) + NODE_WIDTH, `${s} → ${t}: not over column ${r}`);
  }
  assert.equal(labelGapX(2, 3), columnX(2) + NODE_WIDTH + COLUMN_GAP / 2);
});

test('a node calling itself gets room for the loop inside its lane', () => {
  const l = layoutGraph([{ id: '127.0.0.1', namespace: null }], [e('127.0.0.1', '127.0.0.1')]);
  const lane = l.lanes[0]!;
  const p = l.nodes.get('127.0.0.1')!;
  assert.ok(lane.x + lane.width >= p.x + NODE_WIDTH + SELF_LOOP_SPACE);
  assert.equal(lane.label, EXTERNAL_LANE);
});

test('a lane with an end of a cycle-closing edge has room below for its dip', () => {
  const cyc = layoutGraph([{ id: 'a', namespace: 'n' }, { id: 'b', namespace: 'n' }], [e('a', 'b'), e('b', 'a')]);
  const dag = layoutGraph([{ id: 'a', namespace: 'n' }, { id: 'b', namespace: 'n' }], [e('a', 'b')]);
  assert.equal(cyc.lanes[0]!.height - dag.lanes[0]!.height, BACK_EDGE_SPACE);
});

test('an empty graph has an empty layout', () => {
  const l = layoutGraph([], []);
  assert.equal(l.nodes.size, 0);
  assert.deepEqual(l.lanes, []);
  assert.equal(l.height, 0);
});
