import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseKernelFilterAsync, KERNEL_MAX_INSTRUCTIONS } from './bpf.js';
import { intToIpv4, ipv4ToInt } from './cidr.js';
import { pcapAddonSkipReason } from '../live/native.js';
import { compileFilterAsync, openLiveCapture } from '../live/capture.js';

/** Pods spread like a real cluster: 25 nodes with a /24 each, pods numbered densely from .2 with a few gone. */
function clusterIps(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const node = i % 25, n = 2 + Math.floor(i / 25);
    if (n > 254) break;
    if (i % 37 === 5) continue; // a deleted pod leaves a hole
    out.push(`10.244.${node}.${n}`);
  }
  return out;
}

test('5,000 targeted pods: the precise filter compiles with libpcap in well under a second and the kernel attaches it', async (t) => {
  const skip = pcapAddonSkipReason();
  if (skip) { t.skip(skip); return; }
  const ips = clusterIps(5000);
  assert.equal(ips.length, 5000);
  const podCidrs = Array.from({ length: 25 }, (_, i) => `10.244.${i}.0/24`);
  const f = await chooseKernelFilterAsync({ localIps: [ips[0]], targetedIps: ips, podCidrs }, (e) => compileFilterAsync(e));
  t.diagnostic(`5000 pods: ${f.terms} terms, ${f.instructions} instructions, ${f.compileMs.toFixed(1)} ms, fallback ${f.fallback}`);
  assert.equal(f.fallback, false);
  assert.ok(f.instructions <= KERNEL_MAX_INSTRUCTIONS);
  assert.ok(f.compileMs < 1000, `${f.compileMs} ms`);
  if (process.getuid?.() !== 0) return;
  // And the kernel takes it: attach it to a real capture socket (loopback; nothing is sent).
  const cap = openLiveCapture('lo', { packet() {} });
  try {
    const info = cap.setProgram(f.compiled);
    assert.equal(info.attachedInKernel, true);
    assert.ok(info.instructions <= KERNEL_MAX_INSTRUCTIONS);
  } finally {
    await cap.close();
  }
});

test('a set that cannot be expressed falls back to the pod\'s own traffic, never to no filter', async (t) => {
  const skip = pcapAddonSkipReason();
  if (skip) { t.skip(skip); return; }
  // 5,000 addresses scattered with no two adjacent: nothing merges.
  const ips = Array.from({ length: 5000 }, (_, i) => intToIpv4(ipv4ToInt('10.0.0.0') + i * 2 * 257 + 1));
  const f = await chooseKernelFilterAsync({ localIps: ['10.250.0.2'], targetedIps: ips }, (e) => compileFilterAsync(e));
  t.diagnostic(`scattered: fallback ${f.fallback}, ${f.instructions} instructions, ${f.compileMs.toFixed(0)} ms`);
  assert.equal(f.fallback, true);
  assert.equal(f.expression, '(ip host 10.250.0.2)');
  assert.ok(f.instructions > 0 && f.instructions <= KERNEL_MAX_INSTRUCTIONS);
  assert.ok(f.compileMs < 1000, `${f.compileMs} ms`);
});

test('compiled off the event loop, then attached as a ready program: what the worker does at open', async (t) => {
  const skip = pcapAddonSkipReason();
  if (skip) { t.skip(skip); return; }
  const ips = clusterIps(5000);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const compiled = await compileFilterAsync(`(ip host ${ips[0]}) and not (${ips.slice(1, 400).map((ip) => `src host ${ip}`).join(' or ')})`);
  clearInterval(timer);
  t.diagnostic(`${compiled.instructions} instructions compiled while ${ticks} timer ticks ran`);
  assert.ok(compiled.program.length === compiled.instructions * 8);
  await assert.rejects(compileFilterAsync('ip host'), /filter|syntax/i);
  if (process.getuid?.() !== 0) return;
  const cap = openLiveCapture('lo', { packet() {} }, { program: compiled });
  try {
    assert.equal(cap.filter?.attachedInKernel, true);
    assert.equal(cap.filter?.instructions, compiled.instructions);
  } finally {
    await cap.close();
  }
});
