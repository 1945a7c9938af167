/**
 * The lab described the way `kubectl get pods,services,nodes -A -o json`
 * prints a cluster: one v1 List holding Pod, Service and Node objects (fields
 * in kubectl's order, 4-space indent). Only fields a real API server fills
 * are used; values that cannot come from the lab (uids, resourceVersions)
 * are derived from the lab id so a given lab always prints the same thing.
 * Like a real cluster it includes the `default/kubernetes` service (no
 * selector, no backends here).
 */
import { createHash } from 'node:crypto';
import type { ClusterPlan, PlannedNode, PlannedPod, PlannedService } from './spec.js';

/** The API server's service in every cluster. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

export interface KubeList {
  apiVersion: 'v1';
  items: KubeObject[];
  kind: 'List';
  metadata: { resourceVersion: string };
}

/** One Pod, Service or Node object, as plain JSON. */
export interface KubeObject {
  apiVersion: 'v1';
  kind: 'Pod' | 'Service' | 'Node';
  metadata: {
    creationTimestamp: string;
    labels?: Record<string, string>;
    name: string;
    namespace?: string;
    resourceVersion: string;
    uid: string;
  };
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
}

function uid(plan: ClusterPlan, what: string): string {
  const h = createHash('sha256').update(`${plan.id}/${what}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function meta(plan: ClusterPlan, kind: string, name: string, namespace: string | undefined, labels: Record<string, string> | undefined, created: string, rv: number): KubeObject['metadata'] {
  return {
    creationTimestamp: created,
    ...(labels && Object.keys(labels).length > 0 ? { labels } : {}),
    name,
    ...(namespace === undefined ? {} : { namespace }),
    resourceVersion: String(rv),
    uid: uid(plan, `${kind}/${namespace ?? ''}/${name}`),
  };
}

function pod(plan: ClusterPlan, p: PlannedPod, node: PlannedNode, created: string, rv: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(plan, 'Pod', p.name, p.namespace, p.labels, created, rv),
    spec: {
      containers: [{ image: 'podtap-lab/workload:latest', imagePullPolicy: 'IfNotPresent', name: 'main' }],
      dnsPolicy: 'ClusterFirst',
      hostNetwork: false,
      nodeName: node.name,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
    },
    status: {
      conditions: [{ lastTransitionTime: created, status: 'True', type: 'Ready' }],
      hostIP: node.ip,
      hostIPs: [{ ip: node.ip }],
      phase: 'Running',
      podIP: p.ip,
      podIPs: [{ ip: p.ip }],
      qosClass: 'BestEffort',
      startTime: created,
    },
  };
}

function service(plan: ClusterPlan, s: PlannedService, created: string, rv: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(plan, 'Service', s.name, s.namespace, undefined, created, rv),
    spec: {
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: s.ports.map((p) => ({ ...(p.name === '' ? {} : { name: p.name }), port: p.port, protocol: p.protocol, targetPort: p.targetPort })),
      ...(Object.keys(s.selector).length > 0 ? { selector: s.selector } : {}),
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  };
}

function node(plan: ClusterPlan, n: PlannedNode, created: string, rv: number): KubeObject {
  const labels = { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(plan, 'Node', n.name, undefined, labels, created, rv),
    spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
    status: {
      addresses: [
        { address: n.ip, type: 'InternalIP' },
        { address: n.name, type: 'Hostname' },
      ],
      conditions: [{ lastHeartbeatTime: created, lastTransitionTime: created, message: 'kubelet is posting ready status', reason: 'KubeletReady', status: 'True', type: 'Ready' }],
      nodeInfo: { architecture: 'amd64', containerRuntimeVersion: 'podtap-lab://0', kubeletVersion: 'v1.30.0', operatingSystem: 'linux' },
    },
  };
}

/** The plan as kubectl would print it; `createdAt` becomes every creationTimestamp (seconds precision). */
export function inventoryOf(plan: ClusterPlan, createdAt: Date): KubeList {
  const created = createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
  let rv = 1000;
  const items: KubeObject[] = [];
  for (const n of plan.nodes) for (const p of n.pods) items.push(pod(plan, p, n, created, ++rv));
  const apiServer: PlannedService = {
    key: 'default/kubernetes',
    name: 'kubernetes',
    namespace: 'default',
    clusterIP: KUBERNETES_SERVICE_IP,
    selector: {},
    ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }],
    backends: [],
  };
  const services = plan.services.some((s) => s.key === apiServer.key) ? plan.services : [apiServer, ...plan.services];
  for (const s of services) items.push(service(plan, s, created, ++rv));
  for (const n of plan.nodes) items.push(node(plan, n, created, ++rv));
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}

/** kubectl's JSON layout: 4-space indent, trailing newline. */
export function formatInventory(list: KubeList): string {
  return `${JSON.stringify(list, null, 4)}\n`;
}
