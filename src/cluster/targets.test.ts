import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { loadInventory, parseInventory } from './inventory.js';
import { formatTargetsTable, resolveTargets } from './targets.js';
import { compileRules } from './rules.js';
import { IpOwnerHistory, MAX_OWNERS_PER_IP } from './ip-owners.js';
import { IpSet } from './ip-set.js';
import { ipv4ToUint32 } from './ip-text.js';
import { clusterFixture, pod, snapshot } from './test-support.js';

test('kind cluster, default rules: workload pods only', async () => {
  const t = resolveTargets(await loadInventory(clusterFixture('kind-cluster.json')));
  assert.deepEqual(t.pods.map((p) => `${p.pod.key} ${p.rule}`), [
    'default/backend-7b9f6c8d4-lm8kp default',
    'default/backend-7b9f6c8d4-zt5wx default',
    'default/frontend-6d4cf56db6-4qn2r default',
    'kube-system/coredns-5d78c9869d-4xk2p default',
    'kube-system/coredns-5d78c9869d-9qz7w default',
    'local-path-storage/local-path-provisioner-6bc4bddd6b-8zvjx default',
    'monitoring/prometheus-0 default',
    'shop/cart-85f6d9b7c4-p7r2t default',
    'shop/catalog-5f7d8b9c6-w4hzn default',
    'shop/catalog-db-0 default',
  ]);
  const worker = t.byNode.get('kind-worker')!;
  assert.deepEqual(worker.internalIPs, ['172.18.0.3']);
  assert.deepEqual(worker.ips.sort(), ['10.244.1.10', '10.244.1.11', '10.244.1.5', '10.244.1.6', 'fd00:10:244:1::6']);
  assert.equal(t.byNode.get('kind-control-plane')!.pods.length, 6);

  assert.equal(t.ips.size, 11);
  assert.ok(t.ips.has('10.244.1.6') && t.ips.has('fd00:10:244:1::6'));
  assert.ok(t.ips.hasV4(ipv4ToUint32('10.244.0.2')));
  assert.ok(!t.ips.has('172.18.0.2') && !t.ips.hasV4(ipv4ToUint32('172.18.0.2')), 'node IP (host-network pods) not targeted');
  assert.ok(!t.ips.hasV4(ipv4ToUint32('10.244.1.2')), 'podtap hub not targeted');

  assert.deepEqual(t.services.map((s) => [s.service.key, s.service.clusterIPs.join(','), s.targeted.map((p) => p.name).join(',')]), [
    ['default/backend', '10.96.45.7,fd00:10:96::4c1a', 'backend-7b9f6c8d4-lm8kp,backend-7b9f6c8d4-zt5wx'],
    ['default/frontend', '10.96.120.15', 'frontend-6d4cf56db6-4qn2r'],
    ['kube-system/kube-dns', '10.96.0.10', 'coredns-5d78c9869d-4xk2p,coredns-5d78c9869d-9qz7w'],
    ['shop/catalog', '10.96.200.3', 'catalog-5f7d8b9c6-w4hzn'],
    ['shop/catalog-db', '', 'catalog-db-0'], // headless: no ClusterIP, still listed
  ]);
  assert.equal(t.serviceByClusterIP.get('fd00:10:96::4c1a')!.service.name, 'backend');
  assert.equal(t.serviceByClusterIP.get('10.96.0.10')!.endpoints.length, 2);
  assert.equal(t.serviceByClusterIP.get('10.96.0.1'), undefined, 'kubernetes: no selector, endpoints unknown');
  assert.equal(t.serviceByClusterIP.get('10.96.33.33'), undefined, "podtap's own service");
});

test('rules select, and explain() says which rule', async () => {
  const s = await loadInventory(clusterFixture('kind-cluster.yaml'));
  const t = resolveTargets(s, { podRegex: '^(cat|coredns)', excludedNamespaces: ['kube-system'] });
  assert.deepEqual(t.explain(), [
    { pod: 'catalog-5f7d8b9c6-w4hzn', namespace: 'shop', node: 'kind-worker', ips: '10.244.1.10', rule: 'regex' },
    { pod: 'catalog-db-0', namespace: 'shop', node: 'kind-worker', ips: '10.244.1.11', rule: 'regex' },
  ]);
  const bySelector = resolveTargets(s, compileRules({ selector: 'tier=api,version notin (v1)' }));
  assert.deepEqual(bySelector.explain().map((r) => `${r.pod} ${r.ips} ${r.rule}`), [
    'backend-7b9f6c8d4-lm8kp 10.244.1.6,fd00:10:244:1::6 selector',
    'cart-85f6d9b7c4-p7r2t 10.244.0.11 selector',
    'catalog-5f7d8b9c6-w4hzn 10.244.1.10 selector',
  ]);
  assert.deepEqual(bySelector.services.map((x) => [x.service.name, x.endpoints.length, x.targeted.length]), [['backend', 2, 1], ['catalog', 1, 1]]);
  assert.equal(formatTargetsTable(bySelector.explain().slice(0, 1)),
    'NAMESPACE  POD                      NODE         IPS                          RULE\n' +
    'default    backend-7b9f6c8d4-lm8kp  kind-worker  10.244.1.6,fd00:10:244:1::6  selector\n');
});

test('ipOwner: an IP reused by a new pod maps to the owner at the time', () => {
  const history = new IpOwnerHistory();
  const T = Date.parse('2024-05-02T10:00:00Z');
  const old = pod({ name: 'web-old', uid: 'u1', ips: ['10.0.0.7'], createdAt: T });
  const t1 = resolveTargets(snapshot([old]), {}, history);
  assert.equal(t1.ipOwner('10.0.0.7', T + 60_000)?.name, 'web-old');
  // web-old deleted; 10.0.0.7 goes to web-new five minutes later.
  const fresh = pod({ name: 'web-new', uid: 'u2', ips: ['10.0.0.7'], createdAt: T + 300_000 });
  const t2 = resolveTargets(snapshot([fresh]), {}, history);
  assert.equal(t2.ipOwner('10.0.0.7', T + 60_000)?.name, 'web-old', 'a packet from before the reuse');
  assert.equal(t2.ipOwner('10.0.0.7', T + 301_000)?.name, 'web-new');
  assert.equal(t2.ipOwner('10.0.0.7', T - 3_600_000), undefined, 'before any known owner');
  assert.equal(t2.ipOwner('10.9.9.9', T), undefined);
  // The same pod seen again is not a new owner; only the newest MAX_OWNERS_PER_IP are kept.
  history.update(snapshot([fresh]));
  assert.equal(history.ownersOf('10.0.0.7').length, 2);
  for (let i = 1; i <= 4; i++) history.record('10.0.0.7', pod({ name: `w${i}`, uid: `x${i}`, createdAt: T + 300_000 + i * 1000 }));
  assert.equal(history.ownersOf('10.0.0.7').length, MAX_OWNERS_PER_IP);
  assert.equal(history.evicted, 2);
  assert.equal(history.ownerAt('10.0.0.7', T + 60_000), undefined, 'web-old forgotten');
  // Host-network pods do not own their node's IP.
  history.update(snapshot([pod({ name: 'proxy', hostNetwork: true, ips: ['172.18.0.2'] })]));
  assert.equal(history.ownerAt('172.18.0.2', Date.now()), undefined);
});

test('IpSet: text and uint32 lookups agree, any text form in', () => {
  const set = new IpSet();
  const ips: string[] = [];
  for (let i = 0; i < 3000; i++) ips.push(`10.${(i >> 8) & 255}.${i & 255}.${i % 7}`);
  for (const ip of ips) set.add(ip);
  assert.equal(set.add('not-an-ip'), false);
  set.add('0.0.0.0');
  set.add('FD00:0:0::0001');
  for (const ip of ips) assert.ok(set.has(ip) && set.hasV4(ipv4ToUint32(ip)), ip);
  assert.ok(set.hasV4(0) && set.has('fd00::1'));
  assert.ok(!set.hasV4(ipv4ToUint32('10.200.0.1')) && !set.has('10.200.0.1'));
  assert.ok(set.hasV4(ipv4ToUint32('255.255.255.255')) === false);
});

test('5,000 pods: parse and resolve (times printed, not asserted)', () => {
  const items: unknown[] = [];
  for (let n = 0; n < 20; n++) {
    items.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${n}`, labels: { 'kubernetes.io/hostname': `node-${n}` } }, spec: { podCIDRs: [`10.${100 + n}.0.0/16`] }, status: { addresses: [{ type: 'InternalIP', address: `172.20.0.${n + 1}` }] } });
  }
  for (let i = 0; i < 5000; i++) {
    const ns = `team-${i % 50}`;
    const app = `app-${i % 500}`;
    items.push({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `${app}-7d9f8c6b5-${i.toString(36).padStart(5, '0')}`, namespace: ns, uid: `uid-${i}`, creationTimestamp: '2024-05-02T10:00:00Z', labels: { app, tier: i % 3 === 0 ? 'web' : 'api', 'pod-template-hash': '7d9f8c6b5' } },
      spec: { nodeName: `node-${i % 20}`, hostNetwork: i % 100 === 0, containers: [{ name: 'main', image: 'example/app:1' }] },
      status: { phase: i % 250 === 0 ? 'Pending' : 'Running', podIP: `10.${100 + (i % 20)}.${i >> 8}.${i & 255}`, podIPs: [{ ip: `10.${100 + (i % 20)}.${i >> 8}.${i & 255}` }] },
    });
  }
  for (let s = 0; s < 500; s++) {
    items.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: `app-${s}`, namespace: `team-${s % 50}` }, spec: { clusterIP: `10.96.${s >> 8}.${s & 255}`, selector: { app: `app-${s}` }, ports: [{ port: 80, targetPort: 8080 }] } });
  }
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 4);
  let t0 = performance.now();
  const snap = parseInventory(text, 'big.json');
  const parseMs = performance.now() - t0;
  t0 = performance.now();
  const targets = resolveTargets(snap, { excludedNamespaces: ['team-0'] });
  const resolveMs = performance.now() - t0;
  console.log(`# 5,000 pods, ${(text.length / 1048576).toFixed(1)} MiB JSON: parse ${parseMs.toFixed(1)} ms, resolve ${resolveMs.toFixed(1)} ms; ${targets.pods.length} targets, ${targets.services.length} services`);
  assert.equal(snap.pods.length, 5000);
  assert.equal(targets.pods.length, 4900); // team-0 is every 50th pod, and holds the host-network ones; Pending pods have IPs
  assert.equal(targets.byNode.size, 20);
});
