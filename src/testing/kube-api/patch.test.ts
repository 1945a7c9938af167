import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch.js';

test('merge patch (RFC 7386): objects merge, null deletes, lists and scalars replace; input untouched', () => {
  const target = { a: { b: 1, c: [1, 2] }, d: 'x' };
  const out = mergePatch(target, { a: { b: null, c: [3] }, e: { f: 1 } });
  assert.deepEqual(out, { a: { c: [3] }, d: 'x', e: { f: 1 } });
  assert.deepEqual(target, { a: { b: 1, c: [1, 2] }, d: 'x' });
  assert.equal(mergePatch({ a: 1 }, 'scalar'), 'scalar');
});

test('strategic merge: lists by merge key, $patch directives, finalizers as a set', () => {
  const pod = {
    metadata: { finalizers: ['a'], ownerReferences: [{ uid: '1', name: 'x' }] },
    spec: { containers: [{ name: 'app', image: 'a:1', ports: [{ containerPort: 80 }] }, { name: 'side', image: 's:1' }], tolerations: [{ key: 'k' }] },
  };
  const out = strategicMergePatch(pod, {
    metadata: { finalizers: ['a', 'b'], ownerReferences: [{ uid: '2', name: 'y' }] },
    spec: {
      containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }, { name: 'side', $patch: 'delete' }, { name: 'new', image: 'n:1' }],
      tolerations: [{ key: 'other' }],
      $setElementOrder: 'ignored',
    },
  });
  assert.deepEqual(out, {
    metadata: { finalizers: ['a', 'b'], ownerReferences: [{ uid: '1', name: 'x' }, { uid: '2', name: 'y' }] },
    spec: {
      containers: [{ name: 'app', image: 'a:1', ports: [{ containerPort: 80 }, { containerPort: 8080 }] }, { name: 'new', image: 'n:1' }],
      tolerations: [{ key: 'other' }],
    },
  });
  assert.deepEqual(strategicMergePatch({ a: { b: 1, c: 2 } }, { a: { $patch: 'replace', d: 3 } }), { a: { d: 3 } });
  assert.deepEqual(strategicMergePatch({ a: { b: 1 }, z: 1 }, { a: { $patch: 'delete' } }), { z: 1 });
});

test('JSON patch (RFC 6902): add, remove, replace, move, copy, test; failures are PatchError', () => {
  const doc = { a: [1, 2, 3], b: { 'c/d': 1, 'e~f': 2 } };
  const out = jsonPatch(doc, [
    { op: 'add', path: '/a/-', value: 4 },
    { op: 'add', path: '/a/0', value: 0 },
    { op: 'remove', path: '/a/1' },
    { op: 'replace', path: '/b/c~1d', value: 10 },
    { op: 'move', from: '/b/e~0f', path: '/g' },
    { op: 'copy', from: '/a', path: '/h' },
    { op: 'test', path: '/g', value: 2 },
  ]);
  assert.deepEqual(out, { a: [0, 2, 3, 4], b: { 'c/d': 10 }, g: 2, h: [0, 2, 3, 4] });
  assert.deepEqual(doc, { a: [1, 2, 3], b: { 'c/d': 1, 'e~f': 2 } });
  assert.throws(() => jsonPatch(doc, [{ op: 'remove', path: '/zz' }]), PatchError);
  assert.throws(() => jsonPatch(doc, [{ op: 'replace', path: '/b/zz', value: 1 }]), PatchError);
  assert.throws(() => jsonPatch(doc, [{ op: 'add', path: '/a/9', value: 1 }]), PatchError);
  assert.throws(() => jsonPatch(doc, [{ op: 'test', path: '/a/0', value: 7 }]), PatchError);
  assert.throws(() => jsonPatch(doc, { op: 'add' }), PatchError);
});
