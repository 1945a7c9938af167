import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Verdict, decide, isClientSide, type OwnershipView } from './rule.js';
import { ipv4ToInt as ip } from '../filters/cidr.js';

const A = ip('10.240.1.2'), B = ip('10.240.1.3'), X = ip('10.240.2.2'), U = ip('10.240.1.9'), C = ip('10.96.0.10'), OUT = ip('198.51.100.7');
const targeted = new Set([A, B, X]);
const at = (local: number): OwnershipView => ({ isLocal: (a) => a === local, isTargeted: (a) => targeted.has(a) });

/** How many capture points own a packet of this flow (client→server direction and back). */
function owners(points: number[], c: [number, number], s: [number, number], serverViewAt?: Map<number, [number, number]>): number {
  let n = 0;
  for (const p of points) {
    // At the server pod's interface a DNAT'd call shows the pod, not the ClusterIP.
    const sv = serverViewAt?.get(p) ?? s;
    const fwd = decide(at(p), c[0], c[1], sv[0], sv[1]);
    const back = decide(at(p), sv[0], sv[1], c[0], c[1]);
    assert.equal(fwd, back, 'both directions decided alike');
    if (fwd === Verdict.Own) n++;
  }
  return n;
}

test('client side: higher port, then higher address', () => {
  assert.equal(isClientSide(A, 45000, B, 80), true);
  assert.equal(isClientSide(A, 80, B, 45000), false);
  assert.equal(isClientSide(B, 5000, A, 5000), true);
});

test('two targeted pods: exactly one capture point owns the call, whichever calls', () => {
  assert.equal(owners([A, B], [A, 45000], [B, 8080]), 1);
  assert.equal(owners([A, B], [B, 45000], [A, 8080]), 1);
  assert.equal(owners([A, X], [X, 50000], [A, 6379]), 1);
});

test('the targeted client owns it; the server pod drops it', () => {
  assert.equal(decide(at(A), A, 45000, B, 8080), Verdict.Own);
  assert.equal(decide(at(B), A, 45000, B, 8080), Verdict.OwnedElsewhere);
});

test('an untargeted client: the targeted server owns it', () => {
  assert.equal(decide(at(B), U, 45000, B, 8080), Verdict.Own);
  assert.equal(owners([B], [U, 45000], [B, 8080]), 1);
});

test('through a ClusterIP: the client sees the service, the server the pod; still one owner', () => {
  const serverView = new Map([[B, [B, 8080] as [number, number]]]);
  assert.equal(owners([A, B], [A, 45000], [C, 80], serverView), 1);
  assert.equal(decide(at(A), A, 45000, C, 80), Verdict.Own);
});

test('a targeted pod calling outside the cluster is owned at its interface', () => {
  assert.equal(owners([A], [A, 45000], [OUT, 443]), 1);
});

test('packets of neither local address are untargeted', () => {
  assert.equal(decide(at(A), U, 1, OUT, 2), Verdict.Untargeted);
});
