/**
 * The cluster lab: plan and inventory without root; with root, the default
 * lab carries real HTTP between pods on one node, across nodes, through a
 * ClusterIP and to the outside host, and leaves nothing behind.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LabError } from '../netns.js';
import { missingTools, run, waitForExit, waitForOutput } from '../proc.js';
import { inventoryOf, type KubeObject } from './inventory.js';
import { buildClusterLab, clusterLabSkipReason, listNamespaces, sweepStaleClusterLabs, type ClusterLab } from './lab.js';
import { natRules } from './network.js';
import { API_CLUSTER_IP, assertClusterAddress, defaultClusterSpec, DNS_CLUSTER_IP, OUTSIDE_IP, planCluster } from './spec.js';
import { dig, runHttpClient, startDnsServer, startHttpServer, type HttpServer } from './workloads.js';

const skip = clusterLabSkipReason();
const dnsSkip = skip ?? (missingTools(['dnsmasq', 'dig']).length > 0 ? 'dnsmasq or dig missing (apt-get install dnsmasq-base bind9-dnsutils)' : undefined);

async function hostLinks(): Promise<string> {
  return (await run('ip', ['-o', 'link', 'show'])).stdout.split('\n').map((l) => l.split(':')[1]?.trim()).sort().join(',');
}

function items(list: { items: KubeObject[] }, kind: string): KubeObject[] {
  return list.items.filter((i) => i.kind === kind);
}

describe('cluster plan and inventory (no root needed)', () => {
  const plan = planCluster(defaultClusterSpec({ podtapPod: true }), 'unit');

  test('addresses and names follow the plan', () => {
    const [n1, n2] = plan.nodes;
    assert.equal(n1?.ip, '172.30.0.11');
    assert.equal(n2?.ip, '172.30.0.12');
    assert.equal(n1?.bridge, 'cni0');
    assert.equal(n2?.bridge, undefined);
    assert.deepEqual(plan.pods.map((p) => `${p.key}@${p.ip}`), [
      'default/client@10.240.1.2',
      'default/web-1@10.240.1.3',
      'podtap/podtap-hub@10.240.1.4',
      'default/api-1@10.240.2.2',
      'kube-system/coredns-0@10.240.2.3',
    ]);
    assert.match(plan.pods[0]!.hostVeth, /^veth[0-9a-f]{8}$/);
    assert.match(plan.pods[3]!.hostVeth, /^cali[0-9a-f]{11}$/);
    assert.equal(plan.pods[0]!.ns, 'ptc-unit-p-default-client');
    assert.deepEqual(plan.services.find((s) => s.name === 'api')?.backends.map((b) => b.name), ['api-1']);
  });

  test('addresses outside the lab ranges are refused', () => {
    assert.throws(() => assertClusterAddress('192.168.1.1'), LabError);
    assert.throws(() => assertClusterAddress('10.241.0.1'), LabError);
    assertClusterAddress('10.96.0.10');
    assertClusterAddress('198.51.100.10/24');
    assert.throws(() => planCluster({ nodes: [{ name: 'n', cni: 'routed', pods: [] }], services: [{ name: 's', clusterIP: '10.1.2.3', selector: {}, ports: [] }] }, 'x'), LabError);
  });

  test('several backends are picked with the statistic module, kube-proxy style', () => {
    const p = planCluster(
      {
        nodes: [{ name: 'n1', cni: 'routed', pods: [1, 2, 3].map((i) => ({ name: `web-${i}`, labels: { app: 'web' } })) }],
        services: [{ name: 'web', clusterIP: '10.96.1.1', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] }],
      },
      'unit2',
    );
    const rules = natRules(p, p.nodes[0]!, false);
    assert.match(rules, /--probability 0\.33333333333 /);
    assert.match(rules, /--probability 0\.50000000000 /);
    assert.equal(rules.match(/-j DNAT --to-destination 10\.240\.1\.\d:8080/g)?.length, 3);
  });

  test('the inventory is a v1 List like kubectl get pods,services,nodes -A -o json', () => {
    const list = inventoryOf(plan, new Date('2025-01-02T03:04:05.678Z'));
    assert.equal(list.apiVersion, 'v1');
    assert.equal(list.kind, 'List');
    const pods = items(list, 'Pod');
    assert.equal(pods.length, 5);
    const api = pods.find((p) => p.metadata.name === 'api-1')!;
    assert.equal(api.metadata.namespace, 'default');
    assert.equal(api.metadata.creationTimestamp, '2025-01-02T03:04:05Z');
    assert.match(api.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(api.metadata.labels, { app: 'api' });
    assert.equal(api.spec.nodeName, 'node2');
    assert.equal(api.spec.hostNetwork, false);
    assert.deepEqual(api.status.podIPs, [{ ip: '10.240.2.2' }]);
    assert.equal(api.status.podIP, '10.240.2.2');
    assert.equal(api.status.phase, 'Running');
    const svcs = items(list, 'Service');
    assert.deepEqual(svcs.map((s) => `${s.metadata.namespace}/${s.metadata.name}=${String(s.spec.clusterIP)}`), [
      'default/kubernetes=10.96.0.1',
      'default/api=10.96.0.20',
      'kube-system/kube-dns=10.96.0.10',
    ]);
    const apiSvc = svcs.find((s) => s.metadata.name === 'api')!;
    assert.deepEqual(apiSvc.spec.ports, [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }]);
    assert.deepEqual(apiSvc.spec.selector, { app: 'api' });
    const nodes = items(list, 'Node');
    assert.deepEqual(nodes.map((n) => [n.metadata.name, n.spec.podCIDRs, (n.status.addresses as { type: string; address: string }[]).find((a) => a.type === 'InternalIP')?.address]), [
      ['node1', ['10.240.1.0/24'], '172.30.0.11'],
      ['node2', ['10.240.2.0/24'], '172.30.0.12'],
    ]);
  });
});

describe('cluster lab in network namespaces', { skip: skip ?? false }, () => {
  let lab: ClusterLab;
  let linksBefore: string;
  const servers: Record<string, HttpServer> = {};
  let workDir: string;

  before(async () => {
    linksBefore = await hostLinks();
    workDir = await mkdtemp(join(tmpdir(), 'ptc-test-'));
    lab = await buildClusterLab(defaultClusterSpec({ podtapPod: true }));
    const started = await Promise.all([
      startHttpServer(lab, 'web-1'),
      startHttpServer(lab, 'api-1'),
      startHttpServer(lab, 'outside', { port: 80 }),
    ]);
    for (const s of started) servers[s.where] = s;
  });
  after(async () => {
    await lab?.teardown();
    await rm(workDir, { recursive: true, force: true });
  });

  test('namespaces and node-side interfaces are what interfacesOf() says', async () => {
    const names = await listNamespaces(`ptc-${lab.id}-`);
    assert.equal(names.length, 1 + 2 + 5 + 1, names.join(' '));
    assert.equal(await hostLinks(), linksBefore, 'no link was created in the host namespace');
    for (const node of lab.nodes) {
      const want = lab.interfacesOf(node.name);
      const links = JSON.parse((await lab.exec(node.name, ['ip', '-j', 'link', 'show'])).stdout) as { ifname: string; ifindex: number; master?: string }[];
      for (const v of want.pods) {
        const link = links.find((l) => l.ifname === v.iface);
        assert.ok(link, `${v.iface} exists in ${node.name}`);
        assert.equal(link.master, want.bridge, `${v.iface} bridged only on bridge nodes`);
        // The pod's eth0 is the veth's peer: its link index points at the node-side end.
        const peer = JSON.parse((await lab.exec(v.pod, ['ip', '-j', 'link', 'show', 'eth0'])).stdout) as { link_index: number }[];
        assert.equal(peer[0]?.link_index, link.ifindex, `${v.pod} sits behind ${v.iface}`);
      }
      if (want.bridge) assert.ok(links.some((l) => l.ifname === want.bridge));
    }
    assert.equal(lab.interfacesOf('node1').uplink, 'eth1');
    assert.equal(lab.interfacesOf('node2').uplink, undefined);
  });

  test('pod to pod on the same node (bridge), keep-alive', async () => {
    const before = await servers['web-1']!.stats();
    const r = await runHttpClient(lab, 'client', { target: '10.240.1.3:8080', count: 10 });
    assert.deepEqual([r.ok, r.failed, r.connections], [10, 0, 1], JSON.stringify(r));
    assert.ok(r.servedBy.every((s) => s === 'web-1'));
    const after = await servers['web-1']!.stats();
    assert.equal(after.served - before.served, 10);
    assert.equal(after.connections - before.connections, 1);
  });

  test('pod to pod across nodes, both directions, new connections', async () => {
    const r1 = await runHttpClient(lab, 'client', { target: '10.240.2.2:8080', count: 5, newConnections: true });
    assert.deepEqual([r1.ok, r1.connections], [5, 5], JSON.stringify(r1));
    const r2 = await runHttpClient(lab, 'api-1', { target: '10.240.1.3:8080', count: 4 });
    assert.deepEqual([r2.ok, r2.connections], [4, 1], JSON.stringify(r2));
  });

  test('pod to ClusterIP is DNATed to the backend on the other node and the reply returns', async () => {
    const before = await servers['api-1']!.stats();
    const r = await runHttpClient(lab, 'client', { target: `${API_CLUSTER_IP}:80`, count: 6 });
    assert.deepEqual([r.ok, r.failed, r.connections], [6, 0, 1], JSON.stringify(r));
    assert.ok(r.servedBy.every((s) => s === 'api-1'));
    // From node2's own routed pod, and from the backend itself (hairpin, masqueraded).
    const r2 = await runHttpClient(lab, 'coredns-0', { target: `${API_CLUSTER_IP}:80`, count: 2, newConnections: true });
    const r3 = await runHttpClient(lab, 'api-1', { target: `${API_CLUSTER_IP}:80`, count: 2 });
    assert.deepEqual([r2.ok, r3.ok], [2, 2]);
    assert.equal((await servers['api-1']!.stats()).served - before.served, 10);
  });

  test('pods reach the outside host through node1 (masqueraded)', async () => {
    const before = await servers.outside!.stats();
    const r1 = await runHttpClient(lab, 'client', { target: `${OUTSIDE_IP}:80`, count: 3 });
    const r2 = await runHttpClient(lab, 'api-1', { target: `${OUTSIDE_IP}:80`, count: 3, newConnections: true });
    assert.deepEqual([r1.ok, r2.ok, r2.connections], [3, 3, 3]);
    assert.equal((await servers.outside!.stats()).served - before.served, 6);
    const conntrack = await lab.exec('outside', ['ip', 'route', 'get', '10.240.1.2'], { check: false });
    assert.notEqual(conntrack.code, 0, 'the outside host has no route to pods: replies only work through the masquerade');
  });

  test('cluster DNS: dnsmasq in a pod behind the kube-dns ClusterIP, dig from another node', { skip: dnsSkip ?? false }, async () => {
    await startDnsServer(lab, 'coredns-0');
    const udp = await dig(lab, 'client', { server: DNS_CLUSTER_IP, name: 'api.default.svc.cluster.local' });
    assert.deepEqual(udp, { status: 'NOERROR', answers: [API_CLUSTER_IP] });
    const tcp = await dig(lab, 'client', { server: DNS_CLUSTER_IP, name: 'web-1.default.svc.cluster.local', tcp: true });
    assert.equal(tcp.status, 'NXDOMAIN');
  });

  test('writeInventory() writes the lab as a v1 List with the live IPs', async () => {
    const path = join(workDir, 'inventory.json');
    await lab.writeInventory(path);
    const list = JSON.parse(await readFile(path, 'utf8')) as { kind: string; items: KubeObject[] };
    assert.equal(list.kind, 'List');
    const byName = new Map(items(list, 'Pod').map((p) => [p.metadata.name, p]));
    for (const p of lab.pods) {
      assert.equal(byName.get(p.name)?.status.podIP, p.ip);
      assert.equal(byName.get(p.name)?.spec.nodeName, p.node);
    }
    assert.equal(byName.get('podtap-hub')?.metadata.namespace, 'podtap');
    const addr = (await lab.exec('api-1', ['ip', '-j', '-4', 'addr', 'show', 'eth0'])).stdout;
    assert.match(addr, /"local":"10\.240\.2\.2"/);
  });

  test('teardown removes every namespace and leaves the host links as they were', async () => {
    await lab.teardown();
    assert.ok(lab.timings.teardownMs !== undefined && lab.timings.buildMs > 0);
    assert.deepEqual(await listNamespaces(`ptc-${lab.id}-`), []);
    assert.equal(await hostLinks(), linksBefore);
    assert.throws(() => lab.spawn('client', ['true']), LabError);
  });
});

/** True once `pid` has exited (gone, or a zombie its new parent has not reaped yet), within 2 s. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (stat === '' || / Z /.test(stat.slice(stat.lastIndexOf(')')))) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

describe('cluster lab variants and cleanup', { skip: skip ?? false }, () => {
  test('a service with three backends spreads new connections over them', async () => {
    const lab = await buildClusterLab({
      nodes: [
        { name: 'solo', cni: 'routed', pods: [{ name: 'caller' }, ...[1, 2, 3].map((i) => ({ name: `web-${i}`, labels: { app: 'web' } }))] },
      ],
      services: [{ name: 'web', clusterIP: '10.96.1.1', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] }],
      outside: false,
    });
    try {
      await Promise.all([1, 2, 3].map((i) => startHttpServer(lab, `web-${i}`)));
      const r = await runHttpClient(lab, 'caller', { target: '10.96.1.1:80', count: 30, newConnections: true });
      assert.equal(r.ok, 30, JSON.stringify(r));
      assert.ok(new Set(r.servedBy).size >= 2, `spread over ${[...new Set(r.servedBy)].join(',')}`);
    } finally {
      await lab.teardown();
    }
    assert.deepEqual(await listNamespaces(`ptc-${lab.id}-`), []);
  });

  /** Starts a process that builds the default lab and a `sleep` in a pod; resolves with it and the lab id. */
  async function ownerProcess(): Promise<{ child: ReturnType<typeof spawn>; id: string }> {
    const mod = new URL('./lab.js', import.meta.url).href;
    const script = `import { buildClusterLab } from '${mod}';
const lab = await buildClusterLab();
lab.spawn('client', ['sleep', '60']);
console.log('ready ' + lab.id);
setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('.', import.meta.url)) });
    const out = await waitForOutput(child, /ready \S+/, 15_000);
    const id = /ready (\S+)/.exec(out)?.[1] as string;
    assert.ok((await listNamespaces(`ptc-${id}-`)).length > 0);
    return { child, id };
  }

  test('SIGINT to the owning process removes its cluster lab', async () => {
    const { child, id } = await ownerProcess();
    child.kill('SIGINT');
    await waitForExit(child);
    assert.equal(child.signalCode, 'SIGINT');
    assert.deepEqual(await listNamespaces(`ptc-${id}-`), [], 'namespaces removed on SIGINT');
  });

  test('a lab whose owner was SIGKILLed is swept with the processes inside it', async () => {
    const { child, id } = await ownerProcess();
    const clientNs = `ptc-${id}-p-default-client`;
    const pids = (await run('ip', ['netns', 'pids', clientNs])).stdout.trim();
    assert.notEqual(pids, '', 'sleep runs in the client pod');
    child.kill('SIGKILL');
    await waitForExit(child);
    assert.ok((await listNamespaces(`ptc-${id}-`)).length > 0, 'SIGKILL leaves the lab behind');
    const removed = await sweepStaleClusterLabs();
    assert.ok(removed.includes(clientNs));
    assert.deepEqual(await listNamespaces(`ptc-${id}-`), []);
    for (const pid of pids.split(/\s+/).map(Number)) assert.ok(await gone(pid), `the pod's sleep (${pid}) was killed`);
  });
});
