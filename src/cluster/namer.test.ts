import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointNamer, EXTERNAL } from './namer.js';
import type { ClusterSnapshot, PodInfo } from './model.js';
import { dnsA, httpGet } from '../output/sample-entries.js';
import type { Entry } from '../entries/types.js';

const T0 = Date.UTC(2026, 10, 27, 12);

function pod(name: string, ip: string, createdAt: number, labels: Record<string, string> = {}, uid = name): PodInfo {
  return { key: `shop/${name}`, name, namespace: 'shop', uid, labels, node: 'node-1', ips: [ip], hostNetwork: false, phase: 'Running', createdAt };
}

function snapshot(pods: PodInfo[]): ClusterSnapshot {
  return {
    pods,
    services: [{ key: 'shop/cart', name: 'cart', namespace: 'shop', clusterIPs: ['10.96.0.20'], ports: [], selector: { app: 'cart' } }],
    nodes: [{ name: 'node-1', internalIPs: ['172.18.0.2'], labels: {}, podCIDRs: [] }],
    source: 'test', loadedAt: T0,
  } as ClusterSnapshot;
}

function entry(srcIp: string, dstIp: string, ts: number): Entry {
  return { ...httpGet(), timestamp: ts, src: { ip: srcIp, port: 40000 }, dst: { ip: dstIp, port: 8080 } };
}

test('pods, services, nodes and external addresses are named', () => {
  const n = new EndpointNamer(snapshot([pod('cart-1', '10.244.1.5', T0, { app: 'cart', tier: 'be' }), pod('web-1', '10.244.1.6', T0)]));
  const e = n.name(entry('10.244.1.6', '10.96.0.20', T0 + 1000));
  assert.deepEqual(e.src, { ip: '10.244.1.6', port: 40000, name: 'web-1', namespace: 'shop', pod: 'web-1', node: 'node-1' });
  assert.deepEqual(e.dst, { ip: '10.96.0.20', port: 8080, name: 'cart', namespace: 'shop', service: 'cart' });
  const back = n.name(entry('10.244.1.5', '172.18.0.2', T0 + 1000));
  assert.deepEqual(back.src, { ip: '10.244.1.5', port: 40000, name: 'cart', namespace: 'shop', pod: 'cart-1', service: 'cart', node: 'node-1', labels: { app: 'cart', tier: 'be' } });
  assert.deepEqual(back.dst, { ip: '172.18.0.2', port: 8080, name: 'node-1', node: 'node-1' });
  assert.equal(n.name(entry('10.244.1.6', '93.184.216.34', T0)).dst.name, EXTERNAL);
});

test('an IP reused by a new pod is named after the pod that had it at the entry\'s time', () => {
  const n = new EndpointNamer(snapshot([pod('old', '10.244.1.9', T0, {}, 'uid-old')]));
  n.update(snapshot([pod('new', '10.244.1.9', T0 + 60_000, {}, 'uid-new')])); // old deleted, IP reused a minute later
  assert.equal(n.name(entry('10.244.1.9', '10.96.0.20', T0 + 30_000)).src.pod, 'old');
  assert.equal(n.name(entry('10.244.1.9', '10.96.0.20', T0 + 90_000)).src.pod, 'new');
  assert.equal(n.name(entry('10.244.1.9', '10.96.0.20', T0 + 30_000)).src.pod, 'old', 'and again, from the cache');
});

test('DNS answers seen in the traffic name external addresses; the input entry is not changed', () => {
  const n = new EndpointNamer(snapshot([]));
  const d = dnsA();
  const answer = d.response!.answers.find((a) => a.type === 'A')!;
  n.name(d);
  const e = entry('10.244.1.6', answer.data, T0);
  const named = n.name(e);
  assert.equal(named.dst.name, EXTERNAL);
  assert.equal(named.dst.dns, d.request!.questions[0]!.name.replace(/\.$/, ''));
  assert.equal(e.dst.name, undefined);
  assert.ok(Object.isFrozen(named.dst));
  assert.equal(n.name(entry('10.244.1.6', answer.data, T0)).dst, named.dst, 'the same frozen endpoint is shared');
});
