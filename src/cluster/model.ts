/**
 * The cluster model every podtap component reads: pods, services and nodes,
 * fed by `--inventory FILE` now and by the Kubernetes API watch later. Both
 * sources produce a `ClusterSnapshot`; consumers never parse Kubernetes
 * objects themselves.
 */

export interface PodInfo {
  /** `namespace/name`. */
  key: string;
  name: string;
  namespace: string;
  uid: string;
  labels: Record<string, string>;
  /** spec.nodeName; empty when not scheduled. */
  node: string;
  /** status.podIPs (falls back to status.podIP); empty while pending. */
  ips: string[];
  hostNetwork: boolean;
  /** status.phase: Pending, Running, Succeeded, Failed, Unknown. */
  phase: string;
  /** metadata.creationTimestamp in ms, or 0. */
  createdAt: number;
}

export interface ServicePort {
  name: string;
  port: number;
  targetPort: number | string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

export interface ServiceInfo {
  key: string;
  name: string;
  namespace: string;
  /** spec.clusterIPs (falls back to spec.clusterIP); none for headless services. */
  clusterIPs: string[];
  ports: ServicePort[];
  selector: Record<string, string>;
  /** Addresses of the service's ready endpoints (EndpointSlices), when the source has them. */
  endpointIPs?: string[];
}

export interface NodeInfo {
  name: string;
  /** status.addresses of type InternalIP. */
  internalIPs: string[];
  labels: Record<string, string>;
  /** spec.podCIDRs, when set. */
  podCIDRs: string[];
}

export interface ClusterSnapshot {
  pods: PodInfo[];
  services: ServiceInfo[];
  nodes: NodeInfo[];
  /** Namespace names, when the source lists them (the Kubernetes API). */
  namespaces?: string[];
  /** Where it came from (file path, "kubernetes"), for logs and errors. */
  source: string;
  /** When it was read (ms since epoch). */
  loadedAt: number;
  /**
   * Objects read but not used, counted by `apiVersion/kind` (e.g. "apps/v1/Deployment").
   * Absent when nothing was skipped or the source does not count.
   */
  skipped?: Record<string, number>;
}

/** An inventory or API object that cannot be used: message names the object and the fix. */
export class InventoryError extends Error {
  override readonly name = 'InventoryError';
}

/** A targeting rule that cannot be parsed (bad regex, bad selector): message names the rule and the fix. */
export class RuleError extends Error {
  override readonly name = 'RuleError';
}
