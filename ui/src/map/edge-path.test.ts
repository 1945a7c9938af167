import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SELF_LOOP_REACH, arrowHead, backEdge, cubicAt, forwardEdge, pointAtX, selfLoop, type Cubic } from './edge-path.js';

const near = (a: number, b: number): boolean => Math.abs(a - b) < 0.01;

test('cubicAt gives the ends at t = 0 and 1', () => {
  const c: Cubic = [[0, 0], [1, 5], [2, 5], [3, 0]];
  assert.deepEqual(cubicAt(c, 0), [0, 0]);
  assert.deepEqual(cubicAt(c, 1), [3, 0]);
});

test('a forward edge is an S-curve from the caller\'s right to the callee\'s left', () => {
  const g = forwardEdge(100, 50, 500, 250);
  assert.equal(g.d, 'M100,50 C300,50 300,250 500,250');
  assert.match(g.arrow, /^M500,250 L493,/, 'arrow tip on the callee, pointing right');
  const mid = pointAtX(g.curve, 300)!;
  assert.ok(near(mid[0], 300) && near(mid[1], 150), 'symmetric: the middle');
  const late = pointAtX(g.curve, 450)!;
  assert.ok(late[1] > 200 && late[1] < 250, 'near the callee, the curve is near its height');
  assert.equal(pointAtX(g.curve, 900), null);
});

test('a back edge dips below both ends, and pointAtX works on a curve going left', () => {
  const g = backEdge(500, 100, 100, 120);
  const p = pointAtX(g.curve, 300)!;
  assert.ok(near(p[0], 300));
  assert.ok(p[1] > 120 + 30, 'below both nodes');
  assert.match(g.arrow, /^M100,120 /, 'arrow tip on the callee');
});

test('a self loop stays right of the node', () => {
  const g = selfLoop(200, 100);
  const xs = [0, 0.25, 0.5, 0.75, 1].map((t) => cubicAt(g.curve, t)[0]);
  assert.ok(xs.every((x) => x >= 200 && x <= 200 + SELF_LOOP_REACH + 0.5));
});

test('arrowHead has its tip at the end', () => {
  assert.match(arrowHead(10, 20, 1, 0), /^M10,20 L3,/);
});
