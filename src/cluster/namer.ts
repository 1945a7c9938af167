/**
 * Names on both ends of every entry, from the cluster model: which pod,
 * service or node an address belonged to at the entry's time.
 *
 *   - A pod IP names the pod that had it at the entry's timestamp (IPs are
 *     reused; see IpOwnerHistory): `pod`, `namespace`, `node`, `labels`, and
 *     `service` when a service's selector picks the pod. `name` is that
 *     service's name when there is exactly one, else the pod's name.
 *   - A ClusterIP names its service (`name`, `service`, `namespace`).
 *   - A node's InternalIP names the node (`name`, `node`).
 *   - Any other address is `external`, with `dns` when a DNS answer seen in
 *     the traffic gave it a name (no reverse DNS is ever asked).
 *
 * Named endpoints are frozen and shared between the entries of the same
 * owner, so writers can keep their JSON (see output/http-json.ts).
 */
import type { DnsEntry, Endpoint, Entry } from '../entries/types.js';
import type { ClusterSnapshot, NodeInfo, PodInfo, ServiceInfo } from './model.js';
import { IpOwnerHistory } from './ip-owners.js';

/** The `name` of an address no cluster object owns. */
export const EXTERNAL = 'external';
/** Addresses remembered from DNS answers (oldest forgotten first). */
export const MAX_DNS_NAMES = 100_000;
/** Named endpoints kept per address and port for reuse. */
const MAX_CACHED_ENDPOINTS = 200_000;

/** A service's selector (equality on every key) picks pods with these labels. */
function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

export class EndpointNamer {
  private readonly history = new IpOwnerHistory();
  private services = new Map<string, ServiceInfo>();
  private nodes = new Map<string, NodeInfo>();
  /** Services per namespace, for selector matching. */
  private servicesByNs = new Map<string, ServiceInfo[]>();
  /** Pod (by uid or key) → services selecting it, computed once per snapshot. */
  private podServices = new Map<string, ServiceInfo[]>();
  private readonly dnsNames = new Map<string, string>();
  /** `ip|port|owner` → the frozen named endpoint. */
  private readonly cache = new Map<string, Endpoint>();

  constructor(snapshot?: ClusterSnapshot) {
    if (snapshot !== undefined) this.update(snapshot);
  }

  /** Take a new snapshot of the cluster (pods are remembered past their deletion). */
  update(snapshot: ClusterSnapshot): void {
    this.history.update(snapshot);
    const services = new Map<string, ServiceInfo>();
    const byNs = new Map<string, ServiceInfo[]>();
    for (const s of snapshot.services) {
      for (const ip of s.clusterIPs) services.set(ip, s);
      if (Object.keys(s.selector).length > 0 || (s.endpointIPs?.length ?? 0) > 0) (byNs.get(s.namespace) ?? byNs.set(s.namespace, []).get(s.namespace)!).push(s);
    }
    this.services = services;
    this.servicesByNs = byNs;
    this.nodes = new Map(snapshot.nodes.flatMap((n) => n.internalIPs.map((ip): [string, NodeInfo] => [ip, n])));
    this.podServices = new Map();
    this.cache.clear();
  }

  /** Learn names from a DNS answer: each A/AAAA address gets the name that was asked. */
  learnDns(e: DnsEntry): void {
    const asked = e.request?.questions[0]?.name ?? e.response?.questions[0]?.name;
    if (asked === undefined || e.response === null) return;
    for (const a of e.response.answers) {
      if (a.type !== 'A' && a.type !== 'AAAA') continue;
      if (this.dnsNames.size >= MAX_DNS_NAMES && !this.dnsNames.has(a.data)) {
        const oldest = this.dnsNames.keys().next().value;
        if (oldest !== undefined) this.dnsNames.delete(oldest);
      }
      this.dnsNames.delete(a.data); // re-insert: most recent last
      this.dnsNames.set(a.data, asked.replace(/\.$/, ''));
    }
  }

  /** The entry with both ends named (a new object; the input is not changed). */
  name(e: Entry): Entry {
    if (e.protocol === 'dns') this.learnDns(e);
    const src = this.endpoint(e.src, e.timestamp);
    const dst = this.endpoint(e.dst, e.timestamp);
    if (src === e.src && dst === e.dst) return e;
    return { ...e, src, dst } as Entry;
  }

  /** One end named, or the same object when it already carries names. */
  endpoint(p: Endpoint, atMs: number): Endpoint {
    if (p.name !== undefined) return p;
    const pod = this.history.ownerAt(p.ip, atMs);
    const key = `${p.ip}|${p.port}|${pod?.uid ?? pod?.key ?? ''}|${pod === undefined ? this.dnsNames.get(p.ip) ?? '' : ''}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const named = Object.freeze(this.build(p, pod));
    if (this.cache.size >= MAX_CACHED_ENDPOINTS) this.cache.clear();
    this.cache.set(key, named);
    return named;
  }

  private build(p: Endpoint, pod: PodInfo | undefined): Endpoint {
    if (pod !== undefined) {
      const svcs = this.servicesOf(pod);
      return {
        ip: p.ip, port: p.port,
        name: svcs.length === 1 ? svcs[0]!.name : pod.name,
        namespace: pod.namespace, pod: pod.name,
        ...(svcs.length > 0 ? { service: svcs.map((s) => s.name).join(',') } : {}),
        ...(pod.node !== '' ? { node: pod.node } : {}),
        ...(Object.keys(pod.labels).length > 0 ? { labels: Object.freeze({ ...pod.labels }) } : {}),
      };
    }
    const svc = this.services.get(p.ip);
    if (svc !== undefined) return { ip: p.ip, port: p.port, name: svc.name, namespace: svc.namespace, service: svc.name };
    const node = this.nodes.get(p.ip);
    if (node !== undefined) return { ip: p.ip, port: p.port, name: node.name, node: node.name };
    const dns = this.dnsNames.get(p.ip);
    return { ip: p.ip, port: p.port, name: EXTERNAL, ...(dns === undefined ? {} : { dns }) };
  }

  private servicesOf(pod: PodInfo): ServiceInfo[] {
    const id = pod.uid !== '' ? pod.uid : `${pod.key}@${pod.createdAt}`;
    let list = this.podServices.get(id);
    if (list === undefined) {
      // EndpointSlices say which pods back a service (also for services without a selector); the selector otherwise.
      list = (this.servicesByNs.get(pod.namespace) ?? []).filter((s) => (s.endpointIPs !== undefined
        ? pod.ips.some((ip) => s.endpointIPs!.includes(ip))
        : Object.keys(s.selector).length > 0 && selects(s.selector, pod.labels)));
      this.podServices.set(id, list);
    }
    return list;
  }
}
