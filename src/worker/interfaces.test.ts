import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { discoverPodInterfaces, defaultRunner, type JsonRunner } from './interfaces.js';
import { netnsSkipReason } from '../lab/netns-guard.js';

const sh = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

test('pods behind a bridge and behind /32 routes are found on their own veths', async (t) => {
  const skip = netnsSkipReason();
  if (skip) { t.skip(skip); return; }
  const p = `ptlab-${process.pid}-if`;
  const node = `${p}-node`, pods = [`${p}-a`, `${p}-b`, `${p}-c`];
  try {
    for (const ns of [node, ...pods]) sh('netns', 'add', ns);
    sh('-n', node, 'link', 'add', 'cni0', 'type', 'bridge');
    sh('-n', node, 'addr', 'add', '10.233.1.1/24', 'dev', 'cni0');
    sh('-n', node, 'link', 'set', 'cni0', 'up');
    const wire = (pod: string, veth: string, ip: string, bridged: boolean) => {
      sh('-n', node, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod);
      sh('-n', pod, 'addr', 'add', `${ip}/${bridged ? 24 : 32}`, 'dev', 'eth0');
      sh('-n', pod, 'link', 'set', 'eth0', 'up');
      sh('-n', node, 'link', 'set', veth, 'up');
      if (bridged) sh('-n', node, 'link', 'set', veth, 'master', 'cni0');
      else sh('-n', node, 'route', 'add', `${ip}/32`, 'dev', veth);
    };
    wire(pods[0], 'vetha1', '10.233.1.2', true);
    wire(pods[1], 'vethb2', '10.233.1.3', true);
    wire(pods[2], 'cali3', '10.233.2.4', false);
    // As the worker would run inside the node's namespace: `ip -j netns exec NODE <cmd> -j …`.
    const inNode: JsonRunner = (cmd, args) => defaultRunner('ip', ['netns', 'exec', node, cmd, '-j', ...args]);
    const r = await discoverPodInterfaces([
      { key: 'default/a', ips: ['10.233.1.2'] }, { key: 'default/b', ips: ['10.233.1.3'] },
      { key: 'default/c', ips: ['10.233.2.4'] }, { key: 'default/gone', ips: ['10.233.9.9'] },
    ], inNode);
    const got = Object.fromEntries(r.found.map((f) => [f.podKey, `${f.iface}/${f.via}`]));
    assert.deepEqual(got, { 'default/a': 'vetha1/netns', 'default/b': 'vethb2/netns', 'default/c': 'cali3/route' });
    assert.deepEqual(r.missing.map((m) => m.podKey), ['default/gone']);
    assert.match(r.missing[0].reason, /no veth found/);
  } finally {
    for (const ns of [...pods, node]) try { sh('netns', 'del', ns); } catch { /* already gone */ }
  }
});
