import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyKernelFilter, type FilterTarget } from './apply.js';

function fake(maxInstructions: number, attach = true): FilterTarget & { applied: string[] } {
  const applied: string[] = [];
  return {
    applied,
    async setFilterAsync(expression) {
      applied.push(expression);
      const instructions = expression.length / 10; // a stand-in size that grows with the expression
      return { expression, instructions, attachedInKernel: attach && instructions <= maxInstructions };
    },
  };
}

test('the precise filter is used when the kernel takes it', async () => {
  const t = fake(4096);
  const r = await applyKernelFilter(t, { localIps: ['10.240.1.2'], targetedIps: ['10.240.1.3'] });
  assert.equal(r.fallback, null);
  assert.equal(t.applied.length, 1);
  assert.match(r.expression, /not/);
});

test('refused by the kernel: fall back to the pod\'s own addresses, and say why', async () => {
  const t = fake(4096, false);
  const r = await applyKernelFilter(t, { localIps: ['10.240.1.2'], targetedIps: ['10.240.1.3'] });
  assert.equal(r.fallback, 'kernel-refused');
  assert.equal(r.expression, '(ip host 10.240.1.2)');
});

test('too many terms: no attempt at the precise filter', async () => {
  const t = fake(1e9);
  const ips = Array.from({ length: 4000 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) % 250 + 1}`).filter((_, i) => i % 2 === 0);
  const r = await applyKernelFilter(t, { localIps: ['10.250.0.2'], targetedIps: ips });
  assert.equal(r.fallback, 'too-many-terms');
  assert.equal(t.applied.length, 1);
  assert.equal(r.expression, '(ip host 10.250.0.2)');
});
