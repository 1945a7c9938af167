/**
 * Builders of realistic objects for tests: what `kubectl get -o json` shows
 * for a running pod, a ready node, a ClusterIP service, an EndpointSlice, a
 * DaemonSet or Deployment. Feed them to `server.upsert()` (or POST them).
 * Owner uids are derived from the owner's kind, namespace and name, so pods
 * of one owner agree without bookkeeping.
 */
import { createHash } from 'node:crypto';
import type { KubeObject, OwnerReference } from './types.js';

/** A stable UUID-shaped uid for `parts`. */
export function stableUid(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('/')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The i-th pod address of a /12 pod range starting at 10.244.0.0 (i < 1,048,576). */
export function podIp(i: number): string {
  return `10.${244 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

const FIXED_TIME = '2024-06-01T12:00:00Z';

export interface OwnerSpec { kind: string; name: string; uid?: string; apiVersion?: string }

const OWNER_API: Record<string, string> = {
  ReplicaSet: 'apps/v1', DaemonSet: 'apps/v1', StatefulSet: 'apps/v1', Deployment: 'apps/v1', Job: 'batch/v1', CronJob: 'batch/v1', Node: 'v1',
};

export function ownerReference(namespace: string, o: OwnerSpec): OwnerReference {
  return {
    apiVersion: o.apiVersion ?? OWNER_API[o.kind] ?? 'v1', kind: o.kind, name: o.name,
    uid: o.uid ?? stableUid(o.kind, namespace, o.name), controller: true, blockOwnerDeletion: true,
  };
}

export interface ContainerSpec {
  name: string;
  image?: string;
  ports?: { containerPort: number; name?: string; protocol?: string }[];
}

export interface PodOptions {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Unset: an unscheduled pod (Pending, no IPs). */
  nodeName?: string;
  /** status.podIP (and podIPs[0]); null or unset: no address yet. */
  ip?: string | null;
  /** Extra addresses for status.podIPs (dual-stack). */
  extraIps?: string[];
  hostIP?: string;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  /** Ready condition; default: phase Running. */
  ready?: boolean;
  hostNetwork?: boolean;
  owner?: OwnerSpec;
  ownerReferences?: OwnerReference[];
  containers?: ContainerSpec[];
  serviceAccountName?: string;
  uid?: string;
  creationTimestamp?: string;
}

export function makePod(p: PodOptions): KubeObject {
  const namespace = p.namespace ?? 'default';
  const scheduled = p.nodeName !== undefined;
  const phase = p.phase ?? (scheduled ? 'Running' : 'Pending');
  const ready = p.ready ?? phase === 'Running';
  const started = p.creationTimestamp ?? FIXED_TIME;
  const containers = p.containers ?? [{ name: 'app', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }];
  const metadata: KubeObject['metadata'] = { name: p.name, namespace, labels: p.labels ?? { app: p.name } };
  if (p.annotations) metadata.annotations = p.annotations;
  if (p.uid) metadata.uid = p.uid;
  if (p.creationTimestamp) metadata.creationTimestamp = p.creationTimestamp;
  const owners = p.ownerReferences ?? (p.owner ? [ownerReference(namespace, p.owner)] : undefined);
  if (owners) metadata.ownerReferences = owners;
  const spec: Record<string, unknown> = {
    containers: containers.map((c) => ({
      name: c.name, image: c.image ?? 'nginx:1.27', ports: c.ports ?? [], resources: {},
      terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent',
    })),
    restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst',
    serviceAccountName: p.serviceAccountName ?? 'default', serviceAccount: p.serviceAccountName ?? 'default',
    securityContext: {}, schedulerName: 'default-scheduler', enableServiceLinks: true,
  };
  if (scheduled) spec.nodeName = p.nodeName;
  if (p.hostNetwork) spec.hostNetwork = true;
  const cond = (type: string, status: boolean) => ({ type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: started });
  const status: Record<string, unknown> = {
    phase,
    conditions: scheduled
      ? [cond('PodReadyToStartContainers', phase === 'Running'), cond('Initialized', true), cond('Ready', ready), cond('ContainersReady', ready), cond('PodScheduled', true)]
      : [cond('PodScheduled', false)],
    qosClass: 'BestEffort',
  };
  if (scheduled) {
    const hostIP = p.hostIP ?? '172.18.0.2';
    status.hostIP = hostIP;
    status.hostIPs = [{ ip: hostIP }];
    status.startTime = started;
  }
  const ip = p.hostNetwork ? (p.ip ?? status.hostIP as string | undefined) : p.ip;
  if (ip) {
    status.podIP = ip;
    status.podIPs = [ip, ...(p.extraIps ?? [])].map((a) => ({ ip: a }));
  }
  if (scheduled) {
    status.containerStatuses = containers.map((c, i) => ({
      name: c.name, state: phase === 'Running' ? { running: { startedAt: started } } : { waiting: { reason: 'ContainerCreating' } },
      lastState: {}, ready, restartCount: 0, image: c.image ?? 'nginx:1.27', imageID: '', started: phase === 'Running',
      containerID: `containerd://${stableUid(namespace, p.name, String(i)).replace(/-/g, '')}`,
    }));
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec, status };
}

export interface NodeOptions {
  name: string;
  internalIP?: string;
  podCIDR?: string;
  labels?: Record<string, string>;
  ready?: boolean;
  unschedulable?: boolean;
}

export function makeNode(p: NodeOptions): KubeObject {
  const ip = p.internalIP ?? '172.18.0.2';
  const spec: Record<string, unknown> = {};
  if (p.podCIDR) { spec.podCIDR = p.podCIDR; spec.podCIDRs = [p.podCIDR]; }
  if (p.unschedulable) spec.unschedulable = true;
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: p.name,
      labels: { 'kubernetes.io/hostname': p.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...p.labels },
    },
    spec,
    status: {
      addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: p.name }],
      conditions: [{ type: 'Ready', status: p.ready === false ? 'False' : 'True', reason: 'KubeletReady', lastHeartbeatTime: FIXED_TIME, lastTransitionTime: FIXED_TIME }],
      nodeInfo: { kubeletVersion: 'v1.31.0', containerRuntimeVersion: 'containerd://1.7.18', operatingSystem: 'linux', architecture: 'amd64' },
    },
  };
}

export function makeNamespace(name: string, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: labels ? { name, labels } : { name }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}

export interface ServiceOptions {
  name: string;
  namespace?: string;
  clusterIP?: string;
  selector?: Record<string, string>;
  ports?: { port: number; targetPort?: number | string; name?: string; protocol?: string }[];
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  labels?: Record<string, string>;
}

export function makeService(p: ServiceOptions): KubeObject {
  const spec: Record<string, unknown> = {
    type: p.type ?? 'ClusterIP',
    ports: (p.ports ?? [{ port: 80 }]).map((x) => ({ protocol: 'TCP', targetPort: x.port, ...x })),
  };
  if (p.selector) spec.selector = p.selector;
  if (p.clusterIP) { spec.clusterIP = p.clusterIP; spec.clusterIPs = [p.clusterIP]; }
  const metadata: KubeObject['metadata'] = { name: p.name, namespace: p.namespace ?? 'default' };
  if (p.labels) metadata.labels = p.labels;
  return { apiVersion: 'v1', kind: 'Service', metadata, spec, status: { loadBalancer: {} } };
}

export interface EndpointSliceOptions {
  name: string;
  namespace?: string;
  service: string;
  addressType?: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: { ip: string; nodeName?: string; podName?: string; ready?: boolean }[];
  ports?: { port: number; name?: string; protocol?: string }[];
}

export function makeEndpointSlice(p: EndpointSliceOptions): KubeObject {
  const namespace = p.namespace ?? 'default';
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      name: p.name, namespace,
      labels: { 'kubernetes.io/service-name': p.service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ ...ownerReference(namespace, { kind: 'Service', name: p.service, apiVersion: 'v1' }), blockOwnerDeletion: true }],
    },
    addressType: p.addressType ?? 'IPv4',
    endpoints: p.endpoints.map((e) => {
      const out: Record<string, unknown> = { addresses: [e.ip], conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: false } };
      if (e.nodeName) out.nodeName = e.nodeName;
      if (e.podName) out.targetRef = { kind: 'Pod', namespace, name: e.podName };
      return out;
    }),
    ports: (p.ports ?? [{ port: 80 }]).map((x) => ({ name: x.name ?? '', protocol: x.protocol ?? 'TCP', port: x.port })),
  };
}

export interface WorkloadOptions {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  image?: string;
  replicas?: number;
}

function podTemplate(p: WorkloadOptions): Record<string, unknown> {
  const labels = p.labels ?? { app: p.name };
  return {
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: p.name, image: p.image ?? 'nginx:1.27' }] } },
  };
}

export function makeDaemonSet(p: WorkloadOptions): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: p.name, namespace: p.namespace ?? 'default' }, spec: podTemplate(p) };
}

export function makeDeployment(p: WorkloadOptions): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: p.name, namespace: p.namespace ?? 'default' }, spec: { replicas: p.replicas ?? 1, ...podTemplate(p) } };
}
