/**
 * A throw-away test lab built from Linux network namespaces.
 *
 * Lifecycle:
 *  1. `Lab.create(spec)` removes namespaces left behind by dead processes,
 *     creates one namespace per node (`ptlab-<pid>-<lab>-<role>`), links them
 *     (one veth pair for `pair`, or a bridge in an extra `hub` namespace for
 *     `bridge`) and assigns 10.231.1.<i+1>/24 to `eth0` of node i.
 *  2. `spawn()` / `exec()` run programs inside a node (`ip netns exec`); the
 *     lab keeps every child it started.
 *  3. `teardown()` stops those children (SIGTERM, then SIGKILL) and deletes the
 *     namespaces, which deletes every link inside them. If the process exits
 *     or gets SIGINT/SIGTERM first, a synchronous handler does the same.
 *
 * Nothing is created in the host's namespace: veth ends are created directly
 * inside the lab namespaces, and every address lies in 10.231.0.0/16 on
 * interfaces that exist only there. Traffic never leaves the lab.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { NS_PREFIX, netnsSkipReason, nextLabNumber, removeStaleNamespaces, trackLab, untrackLab } from './netns-guard.js';
import { run, runSync, stopChildren, type RunOptions, type RunResult } from './proc.js';

export { canCreateNetns, netnsSkipReason, NS_PREFIX, removeStaleNamespaces } from './netns-guard.js';

/** Node addresses are 10.231.1.<i+1>/24; any extra address must stay in this /16. */
export const LAB_NET_PREFIX = '10.231.';
export const LAB_SUBNET_BITS = 24;
/** Largest number of nodes in one lab (addresses .1 to .MAX_NODES). */
export const MAX_NODES = 32;
/** How long teardown waits for children after SIGTERM before SIGKILL. */
export const CHILD_STOP_TIMEOUT_MS = 2_000;

export type Topology = 'pair' | 'bridge';

export interface LabSpec {
  /** Role names, one namespace each, e.g. ['server', 'client']. */
  nodes: readonly string[];
  /** `pair` (default) needs exactly two nodes; `bridge` joins any number through a bridge. */
  topology?: Topology;
  /** Keep IPv6 on (default off, so captures hold no router/neighbour chatter). */
  ipv6?: boolean;
}

export interface LabNode {
  role: string;
  /** Namespace name. */
  ns: string;
  /** The node's interface towards the lab. */
  iface: string;
  /** Primary address (no prefix length). */
  ip: string;
}

export interface LabSpawnOptions {
  /** Pin to these CPUs with `taskset -c` (e.g. '1'). */
  cpu?: string;
  stdio?: SpawnOptions['stdio'];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** The lab could not be built (no root, no `ip`, a command failed). */
export class LabError extends Error {
  override readonly name = 'LabError';
}

/** Throws unless `ip` (optionally with /prefix) lies inside 10.231.0.0/16. */
export function assertLabAddress(ip: string): void {
  const addr = ip.split('/')[0] ?? '';
  const parts = addr.split('.').map(Number);
  const ok = parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) && addr.startsWith(LAB_NET_PREFIX);
  if (!ok) throw new LabError(`${ip} is outside the lab network ${LAB_NET_PREFIX}0.0/16`);
}

export class Lab {
  readonly nodes: readonly LabNode[];
  /** Namespace holding the bridge `br0` (bridge topology only). */
  readonly hub: string | undefined;
  private readonly children = new Set<ChildProcess>();
  private readonly namespaces: string[] = [];
  private tornDown = false;

  private constructor(readonly id: string, nodes: LabNode[], hub: string | undefined) {
    this.nodes = nodes;
    this.hub = hub;
  }

  /** Builds the lab described by `spec`. Tears down what it built if any step fails. */
  static async create(spec: LabSpec): Promise<Lab> {
    const reason = netnsSkipReason();
    if (reason !== undefined) throw new LabError(reason);
    const topology = spec.topology ?? 'pair';
    if (new Set(spec.nodes).size !== spec.nodes.length || spec.nodes.some((r) => !/^[a-z][a-z0-9]{0,11}$/.test(r))) {
      throw new LabError(`node roles must be unique, lower-case, at most 12 characters: ${spec.nodes.join(', ')}`);
    }
    if (topology === 'pair' && spec.nodes.length !== 2) throw new LabError('a pair lab needs exactly two nodes');
    if (spec.nodes.length < 1 || spec.nodes.length > MAX_NODES) throw new LabError(`a lab has 1 to ${MAX_NODES} nodes`);
    await removeStaleNamespaces();

    const id = `${NS_PREFIX}${process.pid}-${nextLabNumber()}`;
    const nodes: LabNode[] = spec.nodes.map((role, i) => ({ role, ns: `${id}-${role}`, iface: 'eth0', ip: `${LAB_NET_PREFIX}1.${i + 1}` }));
    const hub = topology === 'bridge' ? `${id}-hub` : undefined;
    const lab = new Lab(id, nodes, hub);
    trackLab(lab);
    try {
      await lab.build(topology, spec.ipv6 ?? false);
    } catch (err) {
      await lab.teardown();
      throw err;
    }
    return lab;
  }

  private async build(topology: Topology, ipv6: boolean): Promise<void> {
    const all = this.hub === undefined ? this.nodes.map((n) => n.ns) : [this.hub, ...this.nodes.map((n) => n.ns)];
    for (const ns of all) {
      await ip(['netns', 'add', ns]);
      this.namespaces.push(ns);
      await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      if (!ipv6) {
        await run('ip', ['netns', 'exec', ns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6']);
      }
    }
    if (topology === 'pair') {
      const [a, b] = this.nodes as [LabNode, LabNode];
      await ip(['link', 'add', a.iface, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.iface, 'netns', b.ns]);
    } else {
      const hub = this.hub as string;
      await ip(['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
      await ip(['-n', hub, 'link', 'set', 'br0', 'up']);
      for (const [i, n] of this.nodes.entries()) {
        const port = `p${i}`;
        await ip(['link', 'add', n.iface, 'netns', n.ns, 'type', 'veth', 'peer', 'name', port, 'netns', hub]);
        await ip(['-n', hub, 'link', 'set', port, 'master', 'br0', 'up']);
      }
    }
    for (const n of this.nodes) {
      await ip(['-n', n.ns, 'addr', 'add', `${n.ip}/${LAB_SUBNET_BITS}`, 'dev', n.iface]);
      await ip(['-n', n.ns, 'link', 'set', n.iface, 'up']);
    }
  }

  /** The node with this role. */
  node(role: string): LabNode {
    const n = this.nodes.find((x) => x.role === role);
    if (!n) throw new LabError(`no node "${role}" in lab ${this.id}`);
    return n;
  }

  /** Adds a secondary address (must be inside 10.231.0.0/16) to a node's interface. */
  async addAddress(role: string, addr: string): Promise<void> {
    assertLabAddress(addr);
    const n = this.node(role);
    await ip(['-n', n.ns, 'addr', 'add', addr.includes('/') ? addr : `${addr}/${LAB_SUBNET_BITS}`, 'dev', n.iface]);
  }

  /** argv that runs `cmd args` inside the namespace `ns` (pinned when `cpu` is set). */
  argv(ns: string, cmd: string, args: readonly string[], cpu?: string): string[] {
    const pin = cpu === undefined ? [] : ['taskset', '-c', cpu];
    return ['netns', 'exec', ns, ...pin, cmd, ...args];
  }

  /**
   * Starts `cmd` inside a node (role) or the hub (pass `lab.hub`). The child is
   * tracked and killed at teardown. Output is piped unless `stdio` says otherwise;
   * the caller must read piped output or it may block the child.
   */
  spawn(where: string, cmd: string, args: readonly string[], opts: LabSpawnOptions = {}): ChildProcess {
    if (this.tornDown) throw new LabError(`lab ${this.id} is torn down`);
    const ns = where === this.hub ? where : this.node(where).ns;
    const child = spawn('ip', this.argv(ns, cmd, args, opts.cpu), {
      stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    child.once('error', () => this.children.delete(child));
    return child;
  }

  /** Runs `cmd` inside a node to completion (see `run`). */
  exec(where: string, cmd: string, args: readonly string[], opts: RunOptions & { cpu?: string } = {}): Promise<RunResult> {
    const ns = where === this.hub ? where : this.node(where).ns;
    return run('ip', this.argv(ns, cmd, args, opts.cpu), opts);
  }

  /** Stops every child started here and deletes the lab's namespaces (and with them every link). */
  async teardown(): Promise<void> {
    if (this.tornDown) return;
    await stopChildren([...this.children], CHILD_STOP_TIMEOUT_MS);
    this.tornDown = true;
    for (const ns of this.namespaces.splice(0).reverse()) await run('ip', ['netns', 'del', ns], { check: false });
    untrackLab(this);
  }

  /** Exit-handler variant: kill children, delete namespaces, all synchronously. */
  teardownSync(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    for (const c of this.children) c.kill('SIGKILL');
    for (const ns of this.namespaces.splice(0).reverse()) runSync('ip', ['netns', 'del', ns]);
    untrackLab(this);
  }
}

async function ip(args: string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (err) {
    throw new LabError(`ip ${args.join(' ')}: ${(err as Error).message}`);
  }
}
