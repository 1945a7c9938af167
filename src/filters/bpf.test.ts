import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buildInterfaceFilter, KERNEL_MAX_INSTRUCTIONS } from './bpf.js';
import { intToIpv4, ipv4ToInt } from './cidr.js';

/** Compile with tcpdump (libpcap) as an independent check: instruction count, or null when tcpdump is missing. */
function compile(expr: string): { instructions: number; ms: number } | null {
  const t = process.hrtime.bigint();
  const r = spawnSync('tcpdump', ['-d', '-y', 'EN10MB', expr], { encoding: 'utf8' });
  if (r.error) return null;
  assert.equal(r.status, 0, r.stderr);
  return { instructions: r.stdout.trim().split('\n').length, ms: Number(process.hrtime.bigint() - t) / 1e6 };
}

function podIps(count: number, base = '10.240.0.0'): string[] {
  return Array.from({ length: count }, (_, i) => intToIpv4(ipv4ToInt(base) + 2 + i + Math.floor(i / 250) * 6));
}

test('a lone targeted pod: just its host', () => {
  const f = buildInterfaceFilter({ localIps: ['10.240.1.2'], targetedIps: ['10.240.1.2'] });
  assert.equal(f.expression, '(ip host 10.240.1.2)');
});

test('other targeted pods become the ownership clause with merged blocks', () => {
  const f = buildInterfaceFilter({ localIps: ['10.240.1.2'], targetedIps: ['10.240.1.2', '10.240.1.4', '10.240.1.5', '10.240.1.6', '10.240.1.7'] });
  assert.match(f.expression, /src net 10\.240\.1\.4\/30/);
  assert.match(f.expression, /tcp\[0:2\] > tcp\[2:2\]/);
  const c = compile(f.expression);
  if (c) assert.ok(c.instructions > 0);
});

test('IPv6 pods get their host term; the ownership clause stays IPv4', () => {
  const f = buildInterfaceFilter({ localIps: ['10.240.1.2', 'fd00::2'], targetedIps: ['fd00::3', '10.240.1.3'] });
  assert.match(f.expression, /ip6 host fd00::2/);
  assert.doesNotMatch(f.expression, /fd00::3/);
  const c = compile(f.expression);
  if (c) assert.ok(c.instructions > 0);
});

test('5,000 targeted pods compile within the kernel limit, quickly', (t) => {
  const ips = podIps(5000);
  const f = buildInterfaceFilter({ localIps: [ips[0]], targetedIps: ips, podCidrs: ['10.240.0.0/16'] });
  const c = compile(f.expression);
  if (c === null) { t.skip('tcpdump not installed'); return; }
  t.diagnostic(`5000 pods: ${f.terms} terms, ${c.instructions} instructions, compiled in ${c.ms.toFixed(0)} ms (tcpdump -d, incl. process start)`);
  assert.ok(c.instructions < KERNEL_MAX_INSTRUCTIONS, `${c.instructions} instructions`);
});

test('all pods of the pod CIDR but a few: written as CIDR minus exceptions', () => {
  const all = Array.from({ length: 254 }, (_, i) => `10.240.5.${i + 1}`).filter((ip) => ip !== '10.240.5.77' && ip !== '10.240.5.200');
  const f = buildInterfaceFilter({ localIps: ['10.240.5.1'], targetedIps: all, podCidrs: ['10.240.5.0/24'] });
  assert.match(f.expression, /not \(src net/);
  assert.ok(f.terms < 20, `${f.terms} terms`);
  const c = compile(f.expression);
  if (c) assert.ok(c.instructions < KERNEL_MAX_INSTRUCTIONS);
});

test('the kernel filter agrees with the exact ownership rule on every packet (tcpdump as the BPF engine)', async (t) => {
  const { pcapFile } = await import('../capture/writer.js');
  const { tcpFrame, udpFrame } = await import('../testing/packets.js');
  const { decide, Verdict } = await import('../ownership/rule.js');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const local = '10.240.1.2';
  const targeted = ['10.240.1.2', '10.240.1.3', '10.240.1.4', '10.240.2.9', '10.240.2.10'];
  const others = ['10.240.1.50', '10.96.0.10', '198.51.100.7'];
  const f = buildInterfaceFilter({ localIps: [local], targetedIps: targeted, podCidrs: ['10.240.0.0/16'] });
  let seed = 11;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const ports = [53, 80, 6379, 8080, 33000, 45000, 50000, 60999];
  const frames: Buffer[] = [];
  const expectOwn: boolean[] = [];
  const tie: boolean[] = [];
  for (let i = 0; i < 400; i++) {
    const remote = [...targeted.slice(1), ...others][rnd(7)];
    const [src, dst] = rnd(2) ? [local, remote] : [remote, local];
    const sport = ports[rnd(ports.length)], dport = ports[rnd(ports.length)];
    frames.push(rnd(2) ? tcpFrame({ src, dst, sport, dport, seq: i, payload: 'x' }) : udpFrame({ src, dst, sport, dport, payload: 'x' }));
    const view = { isLocal: (a: number) => a === ipv4ToInt(local), isTargeted: (a: number) => targeted.map(ipv4ToInt).includes(a) };
    expectOwn.push(decide(view, ipv4ToInt(src), sport, ipv4ToInt(dst), dport) === Verdict.Own);
    tie.push(sport === dport);
  }
  const dir = mkdtempSync(join(tmpdir(), 'podtap-bpf-'));
  const file = join(dir, 'in.pcap');
  writeFileSync(file, pcapFile(frames.map((data, i) => ({ ts: i, data })), { linkType: 1 }));
  const r = spawnSync('tcpdump', ['-nn', '-r', file, '-tt', f.expression], { encoding: 'utf8' });
  if (r.error) { t.skip('tcpdump not installed'); return; }
  assert.equal(r.status, 0, r.stderr);
  const passed = new Set(r.stdout.trim().split('\n').filter(Boolean).map((l) => Math.round(Number(l.split(' ')[0]) * 1000)));
  for (let i = 0; i < frames.length; i++) {
    if (expectOwn[i]) assert.ok(passed.has(i), `packet ${i} is owned here but the kernel filter dropped it`);
    else if (passed.has(i)) assert.ok(tie[i], `packet ${i} is owned elsewhere and only a port tie may pass the kernel`);
  }
});
