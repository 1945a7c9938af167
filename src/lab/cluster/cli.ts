/**
 * `scripts/lab-cluster.sh` for humans (run as a script, as root):
 *   node dist/lab/cluster/cli.js up     [--id demo] [--inventory PATH] [--podtap-pod]
 *   node dist/lab/cluster/cli.js down   [--id demo]
 *   node dist/lab/cluster/cli.js status [--id demo]
 * `up` builds the default two-node lab under a fixed id, starts the HTTP
 * servers (web-1, api-1 on :8080, the outside host on :80) and dnsmasq in
 * coredns-0, writes the inventory, and leaves it all running (detached).
 * `down` kills what runs inside and deletes the namespaces.
 */
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { sleep } from '../proc.js';
import { buildClusterLab, destroyClusterLab, listNamespaces, type ClusterLab } from './lab.js';
import { API_CLUSTER_IP, CLUSTER_NS_PREFIX, defaultClusterSpec, DNS_CLUSTER_IP, OUTSIDE_IP, planCluster } from './spec.js';
import { clusterDnsArgs } from './workloads.js';

const READY_TIMEOUT_MS = 5_000;
const stateDir = (id: string): string => `/tmp/podtap-lab-${id}`;

async function waitForLog(path: string, pattern: RegExp): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (existsSync(path) && pattern.test(readFileSync(path, 'utf8'))) return true;
    await sleep(50);
  }
  return false;
}

async function startDetached(lab: ClusterLab, dir: string, where: string, argv: string[], ready: RegExp): Promise<void> {
  const log = join(dir, `${where.replace('/', '_')}.log`);
  const fd = openSync(log, 'a');
  lab.spawn(where, argv, { detached: true, stdio: ['ignore', fd, fd] });
  if (!(await waitForLog(log, ready))) process.stderr.write(`warning: ${where} did not report ready, see ${log}\n`);
}

async function up(id: string, inventory: string | undefined, podtapPod: boolean): Promise<void> {
  const dir = stateDir(id);
  await mkdir(dir, { recursive: true });
  const lab = await buildClusterLab(defaultClusterSpec({ id, podtapPod }));
  try {
    const server = fileURLToPath(new URL('./http-counter-server.js', import.meta.url));
    for (const pod of ['web-1', 'api-1']) {
      await startDetached(lab, dir, pod, [process.execPath, server, '--host', lab.pod(pod).ip, '--port', '8080', '--name', pod], /listening/);
    }
    await startDetached(lab, dir, 'outside', [process.execPath, server, '--host', OUTSIDE_IP, '--port', '80', '--name', 'outside'], /listening/);
    await startDetached(lab, dir, 'kube-system/coredns-0', ['dnsmasq', ...clusterDnsArgs(lab, lab.pod('coredns-0').ip)], /started, version/);
    const invPath = inventory ?? join(dir, 'inventory.json');
    await lab.writeInventory(invPath);
    lab.detach();
    const client = lab.pod('client').ns;
    process.stdout.write(
      [
        `cluster lab "${id}" is up (built in ${lab.timings.buildMs} ms); inventory: ${invPath}`,
        ...lab.nodes.map((n) => `  ${n.name} (${n.cni}) ns=${n.ns} ip=${n.ip} pods=${n.podCIDR}` + (n.bridge ? ` bridge=${n.bridge}` : '')),
        ...lab.pods.map((p) => `  pod ${p.key.padEnd(24)} ${p.ip.padEnd(12)} on ${p.node} via ${p.hostVeth}  ns=${p.ns}`),
        ...lab.services.map((s) => `  svc ${s.key.padEnd(24)} ${s.clusterIP}`),
        lab.outside ? `  outside ${OUTSIDE_IP} ns=${lab.outside.ns}` : '',
        'try:',
        `  ip netns exec ${client} curl -s http://${API_CLUSTER_IP}/hello`,
        `  ip netns exec ${client} dig @${DNS_CLUSTER_IP} api.default.svc.cluster.local +short`,
        `  ip netns exec ${lab.node('node1').ns} tcpdump -ni any`,
        `remove with: scripts/lab-cluster.sh down${id === 'demo' ? '' : ` --id ${id}`}`,
        '',
      ].join('\n'),
    );
  } catch (err) {
    await lab.teardown();
    throw err;
  }
}

async function status(id: string): Promise<void> {
  const names = await listNamespaces(`${CLUSTER_NS_PREFIX}${id}-`);
  if (names.length === 0) {
    process.stdout.write(`cluster lab "${id}" is not up\n`);
    process.exitCode = 1;
    return;
  }
  const plan = planCluster(defaultClusterSpec({ id }), id);
  process.stdout.write(`cluster lab "${id}": ${names.length} namespaces\n`);
  for (const n of plan.nodes) process.stdout.write(`  ${n.name}: ip netns exec ${n.ns} bash\n`);
  const inv = join(stateDir(id), 'inventory.json');
  if (existsSync(inv)) process.stdout.write(`  inventory: ${inv}\n`);
  for (const ns of names) process.stdout.write(`  ${ns}\n`);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { id: { type: 'string', default: 'demo' }, inventory: { type: 'string' }, 'podtap-pod': { type: 'boolean', default: false } },
  });
  const id = values.id ?? 'demo';
  if (/^\d+-/.test(id)) throw new Error('--id must not start with digits and a dash (those names belong to test runs)');
  switch (positionals[0]) {
    case 'up':
      return up(id, values.inventory, values['podtap-pod'] ?? false);
    case 'down': {
      const removed = await destroyClusterLab(id);
      process.stdout.write(removed.length === 0 ? `cluster lab "${id}" was not up\n` : `removed ${removed.length} namespaces of cluster lab "${id}"\n`);
      return;
    }
    case 'status':
      return status(id);
    default:
      throw new Error('usage: lab-cluster.sh up|down|status [--id ID] [--inventory PATH] [--podtap-pod]');
  }
}

main().catch((err: Error) => {
  process.stderr.write(`lab-cluster: ${err.message}\n`);
  process.exit(1);
});
