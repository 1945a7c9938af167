/**
 * A simulated Kubernetes cluster built from network namespaces: nodes, pods,
 * ClusterIP services (kube-proxy style iptables DNAT), an underlay between the
 * nodes and an outside host. Addresses and names: see spec.ts.
 *
 * Lifecycle:
 *  1. `buildClusterLab(spec)` sweeps `ptc-<pid>-…` labs of dead owners (their
 *     processes and namespaces),
 *     plans every name and address, then: creates the namespaces (`ip -batch`),
 *     turns IPv6 off in each, creates every veth pair with both ends directly
 *     inside lab namespaces, configures each namespace (`ip -n <ns> -batch`),
 *     applies node sysctls and loads each node's nat table (iptables-restore).
 *     Any failure tears down what was built and rethrows.
 *  2. `exec()` / `spawn()` run programs inside a pod, node or the outside host;
 *     spawned children are tracked.
 *  3. `teardown()` stops the children (SIGTERM, then SIGKILL), kills anything
 *     else still running inside the lab's namespaces and deletes them, which
 *     deletes every link, route and rule. Process exit and SIGINT/SIGTERM/SIGHUP
 *     do the same synchronously (netns-guard). `detach()` opts out of that, for
 *     a lab meant to outlive its builder (`scripts/lab-cluster.sh up`); remove
 *     it later with `destroyClusterLab(id)`.
 *
 * The host's namespace only gets the namespace handles under /run/netns.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { LabError } from '../netns.js';
import { netnsSkipReason, nextLabNumber, orphanedNamespaces, trackLab, untrackLab } from '../netns-guard.js';
import { run, stopChildren, which, type RunOptions, type RunResult } from '../proc.js';
import { formatInventory, inventoryOf, type KubeList } from './inventory.js';
import { BASE_SYSCTLS, namespaceLines, natRules, nodeSysctls, planNamespaces, podLines, vethLines } from './network.js';
import { FIRST_POD_HOST, nextPodHost, planRuntimePod } from './runtime-pods.js';
import {
  CLUSTER_NS_PREFIX,
  NODE_OUTSIDE_IFACE,
  NODE_UNDERLAY_IFACE,
  OUTSIDE_IP,
  planCluster,
  defaultClusterSpec,
  type ClusterPlan,
  type ClusterSpec,
  type PlannedNode,
  type PlannedPod,
  type PlannedService,
  type PodSpec,
} from './spec.js';

export type ClusterNode = Readonly<PlannedNode>;
export type ClusterPod = Readonly<PlannedPod>;
export type ClusterService = Readonly<PlannedService>;

/** How long teardown waits for children after SIGTERM before SIGKILL. */
export const CLUSTER_CHILD_STOP_TIMEOUT_MS = 2_000;
/** Tools the lab needs besides `ip`. */
export const CLUSTER_TOOLS = ['iptables-restore', 'sysctl'] as const;

/** Where `exec`/`spawn` run: a pod (`namespace/name`, or a name unique across namespaces), a node name, `outside` or `underlay`. */
export type Where = string;

export interface ClusterSpawnOptions {
  stdio?: SpawnOptions['stdio'];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Not tracked, not killed at exit; it dies when the lab is destroyed. For `detach()`ed labs. */
  detached?: boolean;
}

/** What a capture worker in a node's namespace finds there. */
export interface NodeInterfaces {
  node: string;
  ns: string;
  /** `cni0` on bridge nodes. */
  bridge: string | undefined;
  /** The node's link to the other nodes. */
  underlay: string;
  /** The link to the outside host (gateway node only). */
  uplink: string | undefined;
  /** Node-side veth ends, one per pod. */
  pods: { iface: string; pod: string; podIp: string }[];
}

/** Build and teardown durations, for logs and the report. */
export interface ClusterTimings {
  buildMs: number;
  teardownMs: number | undefined;
}

let bridgeNetfilter: boolean | undefined;
/** True when the kernel passes bridged IPv4 through iptables (br_netfilter loaded). Read-only check. */
function hasBridgeNetfilter(): boolean {
  bridgeNetfilter ??= existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables');
  return bridgeNetfilter;
}

/** Why a cluster lab cannot be built here, or undefined. */
export function clusterLabSkipReason(): string | undefined {
  const reason = netnsSkipReason();
  if (reason !== undefined) return reason;
  const missing = CLUSTER_TOOLS.filter((t) => which(t) === undefined);
  return missing.length > 0 ? `missing tools: ${missing.join(', ')} (apt-get install -y iptables procps)` : undefined;
}

export class ClusterLab {
  readonly id: string;
  readonly nodes: readonly ClusterNode[];
  readonly pods: readonly ClusterPod[];
  readonly services: readonly ClusterService[];
  /** The outside host, when the spec has one. */
  readonly outside: { ns: string; ip: string } | undefined;
  readonly createdAt = new Date();
  readonly timings: ClusterTimings = { buildMs: 0, teardownMs: undefined };
  private readonly children = new Set<ChildProcess>();
  /** Namespaces created so far (so a half-built lab is removed too). */
  private readonly namespaces: string[] = [];
  private tornDown = false;
  private detached = false;
  /** Last host number handed to a pod added at runtime, per node (host-local IPAM's round robin). */
  private readonly lastPodHost = new Map<string, number>();

  constructor(readonly plan: ClusterPlan) {
    this.id = plan.id;
    this.nodes = plan.nodes;
    this.pods = plan.pods;
    this.services = plan.services;
    this.outside = plan.outsideNs === undefined ? undefined : { ns: plan.outsideNs, ip: OUTSIDE_IP };
  }

  /** Creates everything in the plan. Called once by buildClusterLab. */
  async build(): Promise<void> {
    const started = Date.now();
    const plan = this.plan;
    const all = planNamespaces(plan);
    this.namespaces.push(...all); // before creating: teardown ignores names that do not exist
    await ipBatch([], all.map((ns) => `netns add ${ns}`));
    await Promise.all(all.map((ns) => sysctl(ns, BASE_SYSCTLS)));
    await ipBatch([], vethLines(plan));
    await Promise.all([...namespaceLines(plan)].map(([ns, lines]) => ipBatch(['-n', ns], lines)));
    const masq = !hasBridgeNetfilter();
    await Promise.all(
      plan.nodes.map(async (n) => {
        await sysctl(n.ns, nodeSysctls(n));
        await runIn(n.ns, ['iptables-restore', '--noflush'], natRules(plan, n, masq));
      }),
    );
    this.timings.buildMs = Date.now() - started;
  }

  /** A pod by `namespace/name`, or by name when that is unique. */
  pod(ref: string): ClusterPod {
    const found = ref.includes('/') ? this.pods.filter((p) => p.key === ref) : this.pods.filter((p) => p.name === ref);
    if (found.length !== 1) throw new LabError(found.length === 0 ? `no pod "${ref}" in cluster lab ${this.id}` : `pod name "${ref}" is ambiguous: use namespace/name`);
    return found[0] as ClusterPod;
  }

  node(name: string): ClusterNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new LabError(`no node "${name}" in cluster lab ${this.id}`);
    return n;
  }

  service(ref: string): ClusterService {
    const s = this.services.find((x) => x.key === ref || x.name === ref);
    if (!s) throw new LabError(`no service "${ref}" in cluster lab ${this.id}`);
    return s;
  }

  /** Network namespace of a pod, node, `outside` or `underlay`. */
  nsOf(where: Where): string {
    if (where === 'underlay') return this.plan.underlayNs;
    if (where === 'outside') {
      if (!this.outside) throw new LabError(`cluster lab ${this.id} has no outside host`);
      return this.outside.ns;
    }
    const node = this.nodes.find((n) => n.name === where);
    return node ? node.ns : this.pod(where).ns;
  }

  /** Runs argv inside `where` to completion. */
  exec(where: Where, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    this.assertLive();
    return run('ip', ['netns', 'exec', this.nsOf(where), ...argv], opts);
  }

  /**
   * Starts argv inside `where`. Tracked and stopped at teardown unless
   * `detached`. Output is piped by default: read it, or the child may block.
   */
  spawn(where: Where, argv: readonly string[], opts: ClusterSpawnOptions = {}): ChildProcess {
    this.assertLive();
    const child = spawn('ip', ['netns', 'exec', this.nsOf(where), ...argv], {
      stdio: opts.stdio ?? (opts.detached ? 'ignore' : ['ignore', 'pipe', 'pipe']),
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      detached: opts.detached ?? false,
    });
    if (opts.detached) {
      child.unref();
      return child;
    }
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    child.once('error', () => this.children.delete(child));
    return child;
  }

  /** The node-side links a worker in `node`'s namespace sees, with the pod behind each veth. */
  interfacesOf(node: string): NodeInterfaces {
    const n = this.node(node);
    return {
      node: n.name,
      ns: n.ns,
      bridge: n.bridge,
      underlay: NODE_UNDERLAY_IFACE,
      uplink: n.gateway && this.outside ? NODE_OUTSIDE_IFACE : undefined,
      pods: n.pods.map((p) => ({ iface: p.hostVeth, pod: p.key, podIp: p.ip })),
    };
  }

  /** Pods, services and nodes as `kubectl get pods,services,nodes -A -o json` prints them. */
  inventory(): KubeList {
    return inventoryOf(this.plan, this.createdAt);
  }

  async writeInventory(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, formatInventory(this.inventory()));
  }

  /**
   * Adds a pod to `node` while the lab runs, as a CNI plugin would: its
   * namespace, its veth (node side named like the build's), addresses and
   * routes (runtime-pods.ts plans, `podLines` wires). The pod then shows in
   * `pods`, `pod()`, `interfacesOf()` and `inventory()`; it is no backend of
   * any service (selectors are resolved at build time). Throws LabError,
   * after removing what it created.
   */
  async addPod(node: string, spec: PodSpec): Promise<ClusterPod> {
    this.assertLive();
    const n = this.plan.nodes.find((x) => x.name === node);
    if (!n) throw new LabError(`no node "${node}" in cluster lab ${this.id}`);
    const last = this.lastPodHost.get(n.name) ?? Math.max(FIRST_POD_HOST - 1, ...n.pods.map((p) => Number(p.ip.split('.')[3])));
    const host = nextPodHost(n, last);
    const pod = planRuntimePod(`${CLUSTER_NS_PREFIX}${this.id}`, n, this.plan.pods, spec, host);
    this.lastPodHost.set(n.name, host);
    const lines = podLines(this.plan, n, pod);
    this.namespaces.push(pod.ns); // before creating: teardown ignores names that do not exist
    try {
      await ipBatch([], [`netns add ${pod.ns}`]);
      await sysctl(pod.ns, BASE_SYSCTLS);
      await ipBatch([], [`link add ${pod.hostVeth} netns ${n.ns} type veth peer name ${pod.iface} netns ${pod.ns}`]);
      await Promise.all([ipBatch(['-n', n.ns], lines.node), ipBatch(['-n', pod.ns], lines.pod)]);
      if (lines.nodeSysctls.length > 0) await sysctl(n.ns, lines.nodeSysctls);
    } catch (err) {
      this.forgetNamespace(pod.ns);
      await deleteNamespaces([pod.ns]);
      throw err instanceof LabError ? err : new LabError(`adding pod ${pod.key}: ${(err as Error).message}`);
    }
    n.pods.push(pod);
    this.plan.pods.push(pod);
    return pod;
  }

  /**
   * Removes a pod added with addPod (or built with the lab): kills what still
   * runs in it and deletes its namespace, which deletes its veth pair and
   * the node's route to it. Idempotent for a pod already removed.
   */
  async removePod(ref: string): Promise<void> {
    this.assertLive();
    const pod = this.plan.pods.find((p) => p.key === ref || (!ref.includes('/') && p.name === ref));
    if (pod === undefined) return;
    const n = this.plan.nodes.find((x) => x.name === pod.node)!;
    n.pods.splice(n.pods.indexOf(pod), 1);
    this.plan.pods.splice(this.plan.pods.indexOf(pod), 1);
    this.forgetNamespace(pod.ns);
    await deleteNamespaces([pod.ns]);
  }

  private forgetNamespace(ns: string): void {
    const i = this.namespaces.indexOf(ns);
    if (i >= 0) this.namespaces.splice(i, 1);
  }

  /** Leave the lab running after this process exits (no exit handler, children not tracked). */
  detach(): void {
    this.detached = true;
    for (const c of this.children) c.unref();
    this.children.clear();
    untrackLab(this);
  }

  /** Stops children, kills what else runs in the lab's namespaces, deletes them. Idempotent. */
  async teardown(): Promise<void> {
    if (this.tornDown) return;
    const started = Date.now();
    await stopChildren([...this.children], CLUSTER_CHILD_STOP_TIMEOUT_MS);
    this.tornDown = true;
    await deleteNamespaces(this.namespaces.splice(0));
    untrackLab(this);
    this.timings.teardownMs = Date.now() - started;
  }

  /** Exit-handler variant: everything synchronous. */
  teardownSync(): void {
    if (this.tornDown || this.detached) return;
    this.tornDown = true;
    for (const c of this.children) c.kill('SIGKILL');
    const names = this.namespaces.splice(0);
    for (const ns of names) killPidsSync(ns);
    spawnSync('ip', ['-force', '-batch', '-'], { input: names.map((ns) => `netns del ${ns}\n`).join(''), stdio: ['pipe', 'ignore', 'ignore'], timeout: 10_000 });
    untrackLab(this);
  }

  private assertLive(): void {
    if (this.tornDown) throw new LabError(`cluster lab ${this.id} is torn down`);
  }
}

/**
 * Builds the lab (default: `defaultClusterSpec()`). Throws LabError when it
 * cannot (no root, tool missing, a command failed), after removing what it built.
 */
export async function buildClusterLab(spec: ClusterSpec = defaultClusterSpec()): Promise<ClusterLab> {
  const reason = clusterLabSkipReason();
  if (reason !== undefined) throw new LabError(reason);
  await sweepStaleClusterLabs();
  const id = spec.id ?? `${process.pid}-${nextLabNumber()}`;
  if (!/^[a-z0-9][-a-z0-9]{0,19}$/.test(id)) throw new LabError(`cluster lab id "${id}" must be lower-case letters, digits and dashes (at most 20)`);
  const plan = planCluster(spec, id);
  const existing = await listNamespaces(`${CLUSTER_NS_PREFIX}${id}-`);
  if (existing.length > 0) throw new LabError(`cluster lab ${id} already exists (${existing[0]}…): destroy it first`);
  const lab = new ClusterLab(plan);
  trackLab(lab);
  try {
    await lab.build();
  } catch (err) {
    await lab.teardown();
    throw err instanceof LabError ? err : new LabError(`building cluster lab ${id}: ${(err as Error).message}`);
  }
  return lab;
}

/** Removes every namespace of cluster lab `id` (and the processes in them). Returns the names removed. */
export async function destroyClusterLab(id: string): Promise<string[]> {
  const names = await listNamespaces(`${CLUSTER_NS_PREFIX}${id}-`);
  await deleteNamespaces(names);
  return names;
}

/**
 * Removes cluster labs whose owner died without cleaning up (SIGKILL): namespaces
 * `ptc-<pid>-…` with `pid` gone, and the processes still running inside them.
 * Labs with a non-numeric id (`ptc-demo-…`) are never touched. Returns the names removed.
 */
export async function sweepStaleClusterLabs(): Promise<string[]> {
  const stale = await orphanedNamespaces(/^ptc-(\d+)-/);
  await deleteNamespaces(stale);
  return stale;
}

/** Lab namespaces whose name starts with `prefix`. */
export async function listNamespaces(prefix: string = CLUSTER_NS_PREFIX): Promise<string[]> {
  const r = await run('ip', ['netns', 'list'], { check: false });
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

async function deleteNamespaces(names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  for (const ns of names) killPidsSync(ns);
  await run('ip', ['-force', '-batch', '-'], { input: names.map((ns) => `netns del ${ns}\n`).join(''), check: false });
}

/** SIGKILLs every process whose network namespace is `ns` (strays: detached servers, grandchildren). */
function killPidsSync(ns: string): void {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5_000 });
  for (const pid of (r.stdout ?? '').split(/\s+/).filter(Boolean).map(Number)) {
    if (pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function ipBatch(global: string[], lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  const r = await run('ip', [...global, '-batch', '-'], { input: `${lines.join('\n')}\n`, check: false });
  if (r.code !== 0) throw new LabError(`ip ${[...global, '-batch'].join(' ')} failed: ${r.stderr.trim().slice(-600)}`);
}

async function sysctl(ns: string, settings: readonly string[]): Promise<void> {
  await runIn(ns, ['sysctl', '-q', '-w', ...settings]);
}

async function runIn(ns: string, argv: readonly string[], input?: string): Promise<void> {
  const r = await run('ip', ['netns', 'exec', ns, ...argv], { check: false, ...(input === undefined ? {} : { input }) });
  if (r.code !== 0) throw new LabError(`${argv[0]} in ${ns} failed: ${r.stderr.trim().slice(-600)}`);
}

export { defaultClusterSpec } from './spec.js';
export type { ClusterSpec } from './spec.js';
