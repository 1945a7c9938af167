import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory, MAX_INVENTORY_ITEMS, parseInventory } from './inventory.js';
import { InventoryError } from './model.js';
import { clusterFixture } from './test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'podtap-inventory-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('kind cluster, JSON as kubectl prints it', async () => {
  const s = await loadInventory(clusterFixture('kind-cluster.json'));
  assert.equal(s.pods.length, 22);
  assert.equal(s.services.length, 8);
  assert.equal(s.nodes.length, 2);
  assert.equal(s.skipped, undefined);
  assert.ok(s.source.endsWith('kind-cluster.json'));

  const backend = s.pods.find((p) => p.name === 'backend-7b9f6c8d4-lm8kp')!;
  assert.deepEqual(backend, {
    key: 'default/backend-7b9f6c8d4-lm8kp', name: 'backend-7b9f6c8d4-lm8kp', namespace: 'default',
    uid: '00000001-4c3b-4f1e-9a2d-000000001eef',
    labels: { app: 'backend', tier: 'api', version: 'v2', 'pod-template-hash': '7b9f6c8d4' },
    node: 'kind-worker', ips: ['10.244.1.6', 'fd00:10:244:1::6'], hostNetwork: false, phase: 'Running',
    createdAt: Date.parse('2024-05-02T10:02:11Z'),
  });
  const etcd = s.pods.find((p) => p.name === 'etcd-kind-control-plane')!;
  assert.equal(etcd.hostNetwork, true);
  assert.deepEqual(etcd.ips, ['172.18.0.2']);
  const redis = s.pods.find((p) => p.name === 'redis-0')!;
  assert.deepEqual([redis.phase, redis.ips], ['Pending', []]);

  const svc = (name: string) => s.services.find((x) => x.name === name)!;
  assert.deepEqual(svc('redis').clusterIPs, [], 'headless: clusterIP None');
  assert.deepEqual(svc('backend').clusterIPs, ['10.96.45.7', 'fd00:10:96::4c1a']);
  assert.deepEqual(svc('frontend').ports, [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
  assert.deepEqual(svc('kube-dns').ports.map((p) => `${p.port}/${p.protocol}`), ['53/UDP', '53/TCP', '9153/TCP']);
  assert.deepEqual(svc('kubernetes').selector, {});
  assert.deepEqual(svc('catalog').ports[0], { name: '', port: 80, targetPort: 8080, protocol: 'TCP' });

  const cp = s.nodes.find((n) => n.name === 'kind-control-plane')!;
  assert.deepEqual(cp.internalIPs, ['172.18.0.2']);
  assert.deepEqual(cp.podCIDRs, ['10.244.0.0/24']);
  assert.equal(cp.labels['node-role.kubernetes.io/control-plane'], '');
});

test('the same cluster as YAML gives the same snapshot', async () => {
  const json = await loadInventory(clusterFixture('kind-cluster.json'));
  const yaml = await loadInventory(clusterFixture('kind-cluster.yaml'));
  assert.deepEqual({ ...yaml, source: '', loadedAt: 0 }, { ...json, source: '', loadedAt: 0 });
});

test('multi-document YAML stream: unknown kinds skipped and counted, IPs canonical', async () => {
  const s = await loadInventory(clusterFixture('multi-doc.yaml'));
  assert.deepEqual(s.skipped, { 'apps/v1/Deployment': 1, 'v1/ConfigMap': 1 });
  assert.deepEqual(s.pods.map((p) => [p.key, p.ips, p.labels.version]), [['prod/api-5d9f7c6b8-2xk9p', ['10.42.0.17', 'fd00:42::11'], '2']]);
  assert.deepEqual(s.nodes[0].internalIPs, ['192.168.10.11', 'fd00:192:168::b']);
  assert.deepEqual(s.nodes[0].podCIDRs, ['10.42.0.0/24', 'fd00:42::/64']);
  assert.deepEqual(s.services[0].clusterIPs, ['10.43.0.20']);
  assert.equal(s.services[0].ports[0].targetPort, 8443);
});

test('bare PodList from the API: items without kind', async () => {
  const s = await loadInventory(clusterFixture('pod-list.json'));
  assert.deepEqual(s.pods.map((p) => [p.name, p.phase, p.ips]), [['web-0', 'Running', ['10.42.1.4']], ['web-1', 'Pending', []]]);
});

test('a single Pod object, and a missing namespace defaults to "default"', () => {
  const s = parseInventory('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"status":{"podIP":"10.1.2.3"}}', 'one.json');
  assert.deepEqual(s.pods.map((p) => [p.key, p.phase, p.ips]), [['default/x', 'Unknown', ['10.1.2.3']]]);
});

const list = (...items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const goodPod = (patch: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, ...patch });

/** [case, file content, what the message must say]; every message is one line: "FILE: …; fix". */
const HOSTILE: [string, string | Uint8Array, RegExp][] = [
  ['plain text', 'hello world', /top level is "hello world", not a Kubernetes object; write it with 'kubectl get pods,services,nodes -A -o json > FILE'$/],
  ['broken JSON', '{"kind": "List", "items": [', /is not valid JSON \(.+\); .*fix the JSON$/],
  ['broken YAML', 'kind: List\nitems: [unclosed\n  - a: b: c', /is not valid YAML \(.+\); .*fix the YAML$/],
  ['binary', new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1, 0, 0, 4, 0]), /is binary, not JSON or YAML \(NUL byte at offset 4\); write it with/],
  ['not UTF-8', new Uint8Array([0x6b, 0x69, 0xff, 0xfe, 0x41]), /is not UTF-8 text/],
  ['empty', '  \n', /is empty; write it with/],
  ['a JSON array', '[1, 2]', /top level is \[1,2\], not a Kubernetes object/],
  ['no kind at top', '{"items": []}', /top level is not a Kubernetes List \(no "kind"; keys \["items"\]\)/],
  ['a ConfigMap', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}', /top level is a "ConfigMap", not a List of pods, services and nodes/],
  ['items not a list', '{"kind":"List","items":{"a":1}}', /List: items is \{"a":1\}, not a list/],
  ['item not an object', list(goodPod(), 42), /items\[1\] is 42, not a Kubernetes object/],
  ['item without kind', list({ metadata: { name: 'x' } }), /items\[0\]: has no "kind"; add kind: Pod, Service or Node/],
  ['item without metadata', list({ kind: 'Pod' }), /items\[0\]: Pod has no metadata; give it metadata with a name/],
  ['metadata wrong type', list({ kind: 'Pod', metadata: 'web' }), /items\[0\]: Pod has metadata "web", not a mapping/],
  ['pod without name', list({ kind: 'Pod', metadata: { namespace: 'a' } }), /items\[0\]: metadata.name is missing or empty; give every Pod a metadata.name$/],
  ['label is a number (YAML)', 'kind: List\nitems:\n- kind: Pod\n  metadata: {name: web, namespace: shop, labels: {version: 2}}\n',
    /items\[0\] Pod shop\/web: metadata.labels.version is number 2, expected a string; quote the value \(version: "2"\)$/],
  ['hostNetwork not boolean', list(goodPod({ spec: { hostNetwork: 'yes' } })), /items\[0\] Pod shop\/web: spec.hostNetwork is string "yes", expected true or false; fix spec.hostNetwork or remove it$/],
  ['bad pod IP', list(goodPod(), goodPod({ metadata: { name: 'db' }, status: { podIP: '10.0.0.300' } })), /items\[1\] Pod default\/db: status.podIP "10.0.0.300" is not an IP address; fix the address or remove the field$/],
  ['podIPs not a list', list(goodPod({ status: { podIPs: '10.0.0.1' } })), /status.podIPs is string "10.0.0.1", expected a list/],
  ['podIPs entry', list(goodPod({ status: { podIPs: ['10.0.0.1'] } })), /status.podIPs\[0\] is "10.0.0.1", expected a mapping with "ip"; write it as \{ip: "10.244.1.5"\}/],
  ['bad timestamp', list(goodPod({ metadata: { name: 'web', creationTimestamp: 'yesterday' } })), /metadata.creationTimestamp "yesterday" is not an RFC 3339 time/],
  ['service port', list({ kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 70000 }] } }), /items\[0\] Service default\/s: spec.ports\[0\].port 70000 is not a port number; use an integer from 1 to 65535$/],
  ['service protocol', list({ kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, protocol: 'HTTP' }] } }), /spec.ports\[0\].protocol "HTTP" is not TCP, UDP or SCTP/],
  ['service clusterIP', list({ kind: 'Service', metadata: { name: 's' }, spec: { clusterIP: 'none' } }), /spec.clusterIP "none" is not an IP address/],
  ['node CIDR', list({ kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDRs: ['10.0.0.0/33'] } }), /items\[0\] Node n1: spec.podCIDRs\[0\] "10.0.0.0\/33" is not a CIDR/],
  ['node address', list({ kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: 'node-1' }] } }), /status.addresses\[0\].address "node-1" is not an IP address/],
  ['multi-doc item without kind', 'kind: Pod\nmetadata: {name: a}\n---\nmetadata: {name: b}\n', /document 2: has no "kind"/],
  ['YAML alias bomb', ['a: &a [x,x,x,x,x,x,x,x,x,x]', ...'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${new Array(10).fill(`*${'abcdefg'[i]}`).join(',')}]`), 'kind: Pod'].join('\n'),
    /YAML cannot be read \(.*alias.*\); remove YAML aliases/i],
];

test('hostile inventories: one-line InventoryError naming file, item and fix', () => {
  for (const [name, content, expected] of HOSTILE) {
    assert.throws(() => parseInventory(content, 'inv.txt'), (err: Error) => {
      assert.ok(err instanceof InventoryError, `${name}: ${err}`);
      assert.ok(!err.message.includes('\n'), `${name}: one line: ${JSON.stringify(err.message)}`);
      assert.ok(err.message.startsWith('inv.txt: '), `${name}: names the file: ${err.message}`);
      assert.match(err.message, /; [a-z]/, `${name}: ends with a fix: ${err.message}`);
      assert.match(err.message, expected, name);
      if (process.env.PODTAP_SHOW_ERRORS) console.log(err.message);
      return true;
    });
  }
});

test('limits: bytes checked before reading, item count', async () => {
  const big = join(dir, 'big.json');
  writeFileSync(big, '{');
  truncateSync(big, 65 * 1024 * 1024); // sparse: never read
  await assert.rejects(loadInventory(big), /^InventoryError: .*big.json: 65.0 MiB is over the 64.0 MiB limit \(MAX_INVENTORY_BYTES\); inventory only pods, services and nodes/);
  await assert.rejects(loadInventory(join(dir, 'missing.json')), /missing.json: cannot be read \(ENOENT\); check the path/);
  await assert.rejects(loadInventory(dir), /is not a regular file/);

  const items = `{"kind":"List","items":[${new Array(MAX_INVENTORY_ITEMS + 1).fill('{"kind":"Secret","metadata":{}}').join(',')}]}`;
  assert.throws(() => parseInventory(items, 'many.json'), /^InventoryError: many.json: more than 200000 objects \(MAX_INVENTORY_ITEMS\); inventory only pods/);
  // Right at the limit is fine, and the skipped objects are counted.
  const ok = parseInventory(`{"kind":"List","items":[${new Array(MAX_INVENTORY_ITEMS).fill('{"kind":"Secret","metadata":{}}').join(',')}]}`, 'ok.json');
  assert.deepEqual(ok.skipped, { 'v1/Secret': MAX_INVENTORY_ITEMS });
});
