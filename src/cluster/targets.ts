/**
 * The capture plan for one snapshot: which pods are targets, on which node,
 * under which IPs, and which services lead to them. Rebuilt whole on every
 * snapshot (a 5,000-pod cluster resolves in milliseconds); `ipOwner` can keep
 * history across snapshots when given the same `IpOwnerHistory`.
 */
import type { ClusterSnapshot, PodInfo, ServiceInfo } from './model.js';
import { compileRules, type PodFilter, type TargetRuleName, type TargetRules } from './rules.js';
import { matchesSelector, type Selector } from './selector.js';
import { IpSet } from './ip-set.js';
import { IpOwnerHistory } from './ip-owners.js';

export interface TargetedPod {
  pod: PodInfo;
  rule: TargetRuleName;
}

export interface NodeTargets {
  /** Node name; '' for targeted pods not (yet) scheduled on a known node. */
  node: string;
  /** The node's InternalIPs ([] when the node is not in the snapshot). */
  internalIPs: string[];
  pods: TargetedPod[];
  /** The targeted pods' IPs on this node. */
  ips: string[];
}

export interface TargetedService {
  service: ServiceInfo;
  /** Pods behind the service (same namespace, selector matches, Running with an IP), targeted or not. */
  endpoints: PodInfo[];
  /** The endpoints that are targets (never empty in `TargetSet.services`). */
  targeted: PodInfo[];
}

/** One row of `podtap targets`. */
export interface ExplainRow {
  pod: string;
  namespace: string;
  node: string;
  ips: string;
  rule: TargetRuleName;
}

export interface TargetSet {
  /** Targeted pods, sorted by namespace then name. */
  pods: TargetedPod[];
  byNode: Map<string, NodeTargets>;
  /** Every targeted pod IP. */
  ips: IpSet;
  /** Services with at least one targeted endpoint. */
  services: TargetedService[];
  /** ClusterIP → its service, for services in `services`. */
  serviceByClusterIP: Map<string, TargetedService>;
  /** Table rows for `podtap targets`. */
  explain(): ExplainRow[];
  /** The pod that had `ip` at `atMs` (any pod, targeted or not). */
  ipOwner(ip: string, atMs: number): PodInfo | undefined;
}

/**
 * Resolves targets; `rules` as given by the user or compiled once with
 * `compileRules` (throws RuleError when they are invalid). Pass the same
 * `history` to successive calls to keep IP owners across snapshots.
 */
export function resolveTargets(snapshot: ClusterSnapshot, rules: TargetRules | PodFilter = {}, history = new IpOwnerHistory()): TargetSet {
  const filter = typeof rules === 'function' ? rules : compileRules(rules);
  history.update(snapshot);
  const nodeIPs = new Map(snapshot.nodes.map((n) => [n.name, n.internalIPs]));

  const pods: TargetedPod[] = [];
  const ips = new IpSet();
  const byNode = new Map<string, NodeTargets>();
  const targetedKeys = new Set<string>();
  for (const pod of snapshot.pods) {
    const v = filter.verdict(pod);
    if (!v.targeted) continue;
    const t: TargetedPod = { pod, rule: v.rule };
    pods.push(t);
    targetedKeys.add(pod.key);
    let n = byNode.get(pod.node);
    if (n === undefined) byNode.set(pod.node, (n = { node: pod.node, internalIPs: nodeIPs.get(pod.node) ?? [], pods: [], ips: [] }));
    n.pods.push(t);
    for (const ip of pod.ips) { ips.add(ip); n.ips.push(ip); }
  }
  pods.sort((a, b) => compareKeys(a.pod, b.pod));

  const services = resolveServices(snapshot, targetedKeys);
  const serviceByClusterIP = new Map<string, TargetedService>();
  for (const s of services) for (const ip of s.service.clusterIPs) serviceByClusterIP.set(ip, s);

  return {
    pods, byNode, ips, services, serviceByClusterIP,
    explain: () => pods.map(({ pod, rule }) => ({ pod: pod.name, namespace: pod.namespace, node: pod.node || '-', ips: pod.ips.join(','), rule })),
    ipOwner: (ip, atMs) => history.ownerAt(ip, atMs),
  };
}

function resolveServices(snapshot: ClusterSnapshot, targetedKeys: Set<string>): TargetedService[] {
  const byNamespace = new Map<string, PodInfo[]>();
  for (const pod of snapshot.pods) {
    if (pod.phase !== 'Running' || pod.ips.length === 0) continue;
    let list = byNamespace.get(pod.namespace);
    if (list === undefined) byNamespace.set(pod.namespace, (list = []));
    list.push(pod);
  }
  const out: TargetedService[] = [];
  for (const service of snapshot.services) {
    const entries = Object.entries(service.selector);
    if (entries.length === 0) continue; // endpoints managed by hand (e.g. `kubernetes`): unknown here
    const selector: Selector = entries.map(([key, value]) => ({ key, op: 'eq', values: [value], column: 0 }));
    const endpoints = (byNamespace.get(service.namespace) ?? []).filter((p) => matchesSelector(selector, p.labels));
    const targeted = endpoints.filter((p) => targetedKeys.has(p.key));
    if (targeted.length > 0) out.push({ service, endpoints, targeted });
  }
  return out.sort((a, b) => compareKeys(a.service, b.service));
}

function compareKeys(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** `explain()` rows as an aligned text table with a header. */
export function formatTargetsTable(rows: ExplainRow[]): string {
  const head: ExplainRow = { pod: 'POD', namespace: 'NAMESPACE', node: 'NODE', ips: 'IPS', rule: 'RULE' as TargetRuleName };
  const cols: (keyof ExplainRow)[] = ['namespace', 'pod', 'node', 'ips', 'rule'];
  const all = [head, ...rows];
  const width = cols.map((c) => all.reduce((w, r) => Math.max(w, r[c].length), 0));
  return all.map((r) => cols.map((c, i) => (i === cols.length - 1 ? r[c] : r[c].padEnd(width[i]))).join('  ')).join('\n') + '\n';
}
