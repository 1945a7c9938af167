import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL_SPACING, placeLabels, type LabelBox } from './labels.js';

const box = (id: string, x: number, y: number, w = 100, h = 40): LabelBox => ({ id, x, y, w, h });

const overlap = (a: LabelBox & { y: number }, b: LabelBox & { y: number }): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function placed(boxes: LabelBox[]): Array<LabelBox & { y: number }> {
  const m = placeLabels(boxes);
  return boxes.map((b) => ({ ...b, ...m.get(b.id)! }));
}

test('labels that do not collide stay where they want to be', () => {
  const p = placed([box('a', 0, 0), box('b', 0, 100), box('c', 300, 10)]);
  assert.deepEqual(p.map((b) => [b.id, b.x, b.y]), [['a', 0, 0], ['b', 0, 100], ['c', 300, 10]]);
});

test('a crowd spreads around where it wanted to be, without overlaps', () => {
  const boxes = [box('a', 0, 100), box('b', 10, 110), box('c', 0, 105), box('d', 20, 95)];
  const p = placed(boxes);
  for (let i = 0; i < p.length; i++) for (let j = i + 1; j < p.length; j++) assert.ok(!overlap(p[i]!, p[j]!), `${p[i]!.id} / ${p[j]!.id}`);
  const wanted = boxes.reduce((s, b) => s + b.y + b.h / 2, 0) / boxes.length;
  const got = p.reduce((s, b) => s + b.y + b.h / 2, 0) / p.length;
  assert.ok(Math.abs(wanted - got) < 1e-9, 'centred on the mean of the wanted centres');
  assert.deepEqual(p.map((b) => b.x), boxes.map((b) => b.x), 'x is kept');
  const ys = p.map((b) => b.y).sort((x, y) => x - y);
  for (let i = 1; i < ys.length; i++) assert.equal(ys[i]! - ys[i - 1]!, 40 + LABEL_SPACING, 'packed tight');
});

test('a merge that reaches a cluster above merges with it too', () => {
  const p = placed([box('a', 0, 0), box('b', 0, 46), box('c', 0, 50), box('d', 0, 52)]);
  for (let i = 0; i < p.length; i++) for (let j = i + 1; j < p.length; j++) assert.ok(!overlap(p[i]!, p[j]!));
});

test('the result does not depend on input order', () => {
  const boxes = [box('a', 0, 100), box('b', 10, 100), box('c', 0, 100), box('d', 200, 5), box('e', 250, 6)];
  assert.deepEqual([...placeLabels(boxes)].sort(), [...placeLabels([...boxes].reverse())].sort());
});
