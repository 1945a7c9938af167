/**
 * What a cluster lab is made of, and the plan derived from it: every name
 * and address is decided here, before anything is created, so the builder
 * (network.ts), the inventory (inventory.ts) and the lab (lab.ts) agree.
 *
 * Address plan (all of it exists only inside the lab's namespaces):
 *   node i (1-based)   underlay eth0 172.30.0.(10+i)/24, podCIDR 10.240.i.0/24
 *   bridge node        cni0 10.240.i.1/24; pods 10.240.i.2… /24, default via 10.240.i.1
 *   routed node        no bridge; pods 10.240.i.2… /32, default via 169.254.1.1
 *                      (proxy-ARP on the node-side veth, as Calico does)
 *   services           ClusterIPs in 10.96.0.0/16 (iptables DNAT in every node)
 *   outside host       198.51.100.10/24, wired to the gateway node's eth1 198.51.100.1
 */
import { createHash } from 'node:crypto';
import { LabError } from '../netns.js';

export type CniMode = 'bridge' | 'routed';

export interface PodSpec {
  name: string;
  /** Kubernetes namespace; default `default`. */
  namespace?: string;
  labels?: Record<string, string>;
}

export interface NodeSpec {
  name: string;
  /** `bridge`: flannel/kindnet style (cni0 + veth<hash>); `routed`: Calico style (cali<hash>, /32 routes). */
  cni: CniMode;
  pods: PodSpec[];
}

export interface ServicePortSpec {
  name?: string;
  port: number;
  targetPort: number;
  /** Default TCP. */
  protocol?: 'TCP' | 'UDP';
}

export interface ServiceSpec {
  name: string;
  namespace?: string;
  /** Inside 10.96.0.0/16. */
  clusterIP: string;
  /** Backends: pods of the same namespace whose labels include all of these. Empty = no backends. */
  selector: Record<string, string>;
  ports: ServicePortSpec[];
}

export interface ClusterSpec {
  nodes: NodeSpec[];
  services?: ServiceSpec[];
  /** Add the outside host (198.51.100.10) behind the first node. Default true. */
  outside?: boolean;
  /**
   * Name part of every namespace: `ptc-<id>-…`. Default `<pid>-<n>`, which the
   * stale-namespace sweep may remove once this process is gone. A non-numeric
   * id (e.g. `demo`) is never swept: use it for a lab that outlives its builder.
   */
  id?: string;
}

/** Every cluster lab namespace name starts with this. */
export const CLUSTER_NS_PREFIX = 'ptc-';
export const POD_NET = '10.240.';
export const SERVICE_NET = '10.96.';
export const UNDERLAY_NET = '172.30.0.';
export const OUTSIDE_NET = '198.51.100.';
/** The Calico-style gateway a routed pod points its default route at. */
export const CALICO_GATEWAY = '169.254.1.1';
export const OUTSIDE_IP = `${OUTSIDE_NET}10`;
export const OUTSIDE_GATEWAY_IP = `${OUTSIDE_NET}1`;
export const BRIDGE_NAME = 'cni0';
export const UNDERLAY_BRIDGE = 'br0';
export const POD_IFACE = 'eth0';
export const NODE_UNDERLAY_IFACE = 'eth0';
export const NODE_OUTSIDE_IFACE = 'eth1';
/** Limits: node i uses 10.240.i.0/24 and 172.30.0.(10+i); a /24 holds pods .2 to .254. */
export const MAX_CLUSTER_NODES = 200;
export const MAX_PODS_PER_NODE = 250;

const ALLOWED_NETS = [POD_NET, SERVICE_NET, UNDERLAY_NET, OUTSIDE_NET];

/** Throws unless `ip` lies in one of the lab's ranges (or is the Calico gateway). */
export function assertClusterAddress(ip: string): void {
  const addr = ip.split('/')[0] ?? '';
  const parts = addr.split('.').map(Number);
  const valid = parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255);
  if (!valid || !(addr === CALICO_GATEWAY || ALLOWED_NETS.some((n) => addr.startsWith(n)))) {
    throw new LabError(`${ip} is outside the cluster lab's ranges (10.240/16, 10.96/16, 172.30.0/24, 198.51.100/24)`);
  }
}

export interface PlannedPod {
  /** `namespace/name`. */
  key: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  node: string;
  /** Network namespace of the pod. */
  ns: string;
  ip: string;
  /** Interface inside the pod. */
  iface: string;
  /** Node-side veth end (`veth<8 hex>` on bridge nodes, `cali<11 hex>` on routed nodes). */
  hostVeth: string;
}

export interface PlannedNode {
  name: string;
  index: number;
  cni: CniMode;
  ns: string;
  /** Underlay address (the node's InternalIP). */
  ip: string;
  podCIDR: string;
  /** `cni0` on bridge nodes. */
  bridge: string | undefined;
  /** Bridge address (the pods' gateway) on bridge nodes. */
  bridgeIp: string | undefined;
  /** True for the node wired to the outside host (the first node). */
  gateway: boolean;
  pods: PlannedPod[];
}

export interface PlannedService {
  key: string;
  name: string;
  namespace: string;
  clusterIP: string;
  selector: Record<string, string>;
  ports: Required<ServicePortSpec>[];
  /** Pods the selector matches, in spec order. */
  backends: PlannedPod[];
}

export interface ClusterPlan {
  id: string;
  /** Namespace holding the underlay bridge. */
  underlayNs: string;
  outsideNs: string | undefined;
  nodes: PlannedNode[];
  pods: PlannedPod[];
  services: PlannedService[];
}

const NAME_RE = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

function checkName(what: string, name: string): void {
  if (!NAME_RE.test(name)) throw new LabError(`${what} "${name}" must be a DNS label of at most 32 characters`);
}

/** The check planCluster applies to every name, for pods added later (runtime-pods.ts). */
export function checkLabName(what: string, name: string): void {
  checkName(what, name);
}

/** Node-side veth name the way the CNI would derive it from the pod (a hash, so stable per pod). */
export function hostVethName(cni: CniMode, key: string): string {
  const hex = createHash('sha1').update(key).digest('hex');
  return cni === 'bridge' ? `veth${hex.slice(0, 8)}` : `cali${hex.slice(0, 11)}`;
}

/** Resolves names and addresses. Throws LabError on an inconsistent spec. */
export function planCluster(spec: ClusterSpec, id: string): ClusterPlan {
  if (spec.nodes.length < 1 || spec.nodes.length > MAX_CLUSTER_NODES) throw new LabError(`a cluster lab has 1 to ${MAX_CLUSTER_NODES} nodes`);
  const base = `${CLUSTER_NS_PREFIX}${id}`;
  const seenKeys = new Set<string>();
  const nodes: PlannedNode[] = spec.nodes.map((n, i) => {
    checkName('node', n.name);
    if (n.pods.length > MAX_PODS_PER_NODE) throw new LabError(`node ${n.name}: at most ${MAX_PODS_PER_NODE} pods`);
    const index = i + 1;
    const node: PlannedNode = {
      name: n.name,
      index,
      cni: n.cni,
      ns: `${base}-${n.name}`,
      ip: `${UNDERLAY_NET}${10 + index}`,
      podCIDR: `${POD_NET}${index}.0/24`,
      bridge: n.cni === 'bridge' ? BRIDGE_NAME : undefined,
      bridgeIp: n.cni === 'bridge' ? `${POD_NET}${index}.1` : undefined,
      gateway: i === 0,
      pods: [],
    };
    const vethNames = new Set<string>();
    n.pods.forEach((p, j) => {
      const namespace = p.namespace ?? 'default';
      checkName('pod', p.name);
      checkName('namespace', namespace);
      const key = `${namespace}/${p.name}`;
      if (seenKeys.has(key)) throw new LabError(`pod ${key} is declared twice`);
      seenKeys.add(key);
      const hostVeth = hostVethName(n.cni, key);
      if (vethNames.has(hostVeth)) throw new LabError(`veth name clash on ${n.name}: ${hostVeth}`);
      vethNames.add(hostVeth);
      node.pods.push({
        key,
        name: p.name,
        namespace,
        labels: { ...(p.labels ?? {}) },
        node: n.name,
        ns: `${base}-p-${namespace}-${p.name}`,
        ip: `${POD_NET}${index}.${j + 2}`,
        iface: POD_IFACE,
        hostVeth,
      });
    });
    return node;
  });
  if (new Set(nodes.map((n) => n.name)).size !== nodes.length) throw new LabError('node names must be unique');
  const pods = nodes.flatMap((n) => n.pods);
  const services = (spec.services ?? []).map((s): PlannedService => {
    const namespace = s.namespace ?? 'default';
    checkName('service', s.name);
    assertClusterAddress(s.clusterIP);
    if (!s.clusterIP.startsWith(SERVICE_NET)) throw new LabError(`service ${s.name}: ClusterIP ${s.clusterIP} is not in 10.96.0.0/16`);
    const selector = { ...s.selector };
    const entries = Object.entries(selector);
    const backends = entries.length === 0 ? [] : pods.filter((p) => p.namespace === namespace && entries.every(([k, v]) => p.labels[k] === v));
    return {
      key: `${namespace}/${s.name}`,
      name: s.name,
      namespace,
      clusterIP: s.clusterIP,
      selector,
      ports: s.ports.map((p, i) => ({ name: p.name ?? (s.ports.length === 1 ? '' : `port-${i}`), port: p.port, targetPort: p.targetPort, protocol: p.protocol ?? 'TCP' })),
      backends,
    };
  });
  return {
    id,
    underlayNs: `${base}-underlay`,
    outsideNs: spec.outside === false ? undefined : `${base}-outside`,
    nodes,
    pods,
    services,
  };
}

/** Ports the default lab's workloads use. */
export const DEFAULT_HTTP_PORT = 8080;
export const DEFAULT_OUTSIDE_PORT = 80;
export const API_CLUSTER_IP = '10.96.0.20';
export const DNS_CLUSTER_IP = '10.96.0.10';

/**
 * The default lab: node1 bridge-based with `default/client` and `default/web-1`,
 * node2 routed with `default/api-1` and `kube-system/coredns-0`; services
 * `default/api` (10.96.0.20:80 → api-1:8080) and `kube-system/kube-dns`
 * (10.96.0.10:53 UDP+TCP → coredns-0:53); the outside host. With `podtapPod`,
 * also `podtap/podtap-hub` on node1 (for exclusion tests).
 */
export function defaultClusterSpec(opts: { podtapPod?: boolean; id?: string } = {}): ClusterSpec {
  const node1Pods: PodSpec[] = [
    { name: 'client', labels: { app: 'client' } },
    { name: 'web-1', labels: { app: 'web' } },
  ];
  if (opts.podtapPod) node1Pods.push({ name: 'podtap-hub', namespace: 'podtap', labels: { 'app.kubernetes.io/name': 'podtap' } });
  return {
    ...(opts.id === undefined ? {} : { id: opts.id }),
    nodes: [
      { name: 'node1', cni: 'bridge', pods: node1Pods },
      {
        name: 'node2',
        cni: 'routed',
        pods: [
          { name: 'api-1', labels: { app: 'api' } },
          { name: 'coredns-0', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
        ],
      },
    ],
    services: [
      { name: 'api', clusterIP: API_CLUSTER_IP, selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: DEFAULT_HTTP_PORT }] },
      {
        name: 'kube-dns',
        namespace: 'kube-system',
        clusterIP: DNS_CLUSTER_IP,
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
        ],
      },
    ],
    outside: true,
  };
}
