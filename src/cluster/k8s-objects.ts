/**
 * Kubernetes core/v1 Pod, Service and Node objects → the cluster model. Only
 * the fields podtap uses are read; everything else is ignored.
 */
import type { NodeInfo, PodInfo, ServiceInfo, ServicePort } from './model.js';
import { type Json, type JsonObject, isObject, ObjectReader, show } from './object-reader.js';

/** Namespace of an object that has none, as the API server would default it. */
export const DEFAULT_NAMESPACE = 'default';

const PROTOCOLS = new Set(['TCP', 'UDP', 'SCTP']);

export function readPod(o: JsonObject, r: ObjectReader): PodInfo {
  const { name, namespace } = identity(o, r, 'Pod');
  const ips: string[] = [];
  const podIPs = r.list(o, 'status.podIPs');
  podIPs.forEach((entry, i) => {
    const path = `status.podIPs[${i}]`;
    if (!isObject(entry)) r.fail(`${path} is ${show(entry)}, expected a mapping with "ip"`, `write it as {ip: "10.244.1.5"}`);
    const ip = r.ip(entry.ip, `${path}.ip`);
    if (!ips.includes(ip)) ips.push(ip);
  });
  const single = r.get(o, 'status.podIP');
  if (single !== undefined && single !== '') {
    const ip = r.ip(single, 'status.podIP');
    // podIPs[0] is podIP when both are set; keep podIP first otherwise.
    if (!ips.includes(ip)) ips.unshift(ip);
  }
  return {
    key: `${namespace}/${name}`,
    name,
    namespace,
    uid: r.string(o, 'metadata.uid', ''),
    labels: r.stringMap(o, 'metadata.labels'),
    node: r.string(o, 'spec.nodeName', ''),
    ips,
    hostNetwork: r.boolean(o, 'spec.hostNetwork'),
    phase: r.string(o, 'status.phase', 'Unknown'),
    createdAt: r.timestamp(o, 'metadata.creationTimestamp'),
  };
}

export function readService(o: JsonObject, r: ObjectReader): ServiceInfo {
  const { name, namespace } = identity(o, r, 'Service');
  const clusterIPs: string[] = [];
  const add = (v: Json | undefined, path: string) => {
    // 'None' marks a headless service: no virtual IP, clients reach the pods directly.
    if (v === undefined || v === '' || v === 'None') return;
    const ip = r.ip(v, path);
    if (!clusterIPs.includes(ip)) clusterIPs.push(ip);
  };
  r.list(o, 'spec.clusterIPs').forEach((v, i) => add(v, `spec.clusterIPs[${i}]`));
  add(r.get(o, 'spec.clusterIP'), 'spec.clusterIP');
  const ports = r.list(o, 'spec.ports').map((p, i) => readPort(p, `spec.ports[${i}]`, r));
  return { key: `${namespace}/${name}`, name, namespace, clusterIPs, ports, selector: r.stringMap(o, 'spec.selector') };
}

function readPort(p: Json, path: string, r: ObjectReader): ServicePort {
  if (!isObject(p)) r.fail(`${path} is ${show(p)}, expected a mapping`, 'write it as {port: 80, targetPort: 8080}');
  const port = p.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    r.fail(`${path}.port ${show(port)} is not a port number`, 'use an integer from 1 to 65535');
  }
  let targetPort: number | string = port;
  const t = p.targetPort;
  if (typeof t === 'number' && Number.isInteger(t) && t >= 1 && t <= 65535) targetPort = t;
  else if (typeof t === 'string' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(t) && t.length <= 15) targetPort = t;
  else if (t !== undefined && t !== null) r.fail(`${path}.targetPort ${show(t)} is neither a port number nor a port name`, 'use 1–65535 or a container port name');
  const protocol = p.protocol ?? 'TCP';
  if (typeof protocol !== 'string' || !PROTOCOLS.has(protocol)) r.fail(`${path}.protocol ${show(protocol)} is not TCP, UDP or SCTP`, 'use TCP, UDP or SCTP');
  const name = p.name ?? '';
  if (typeof name !== 'string') r.fail(`${path}.name ${show(name)} is not a string`, 'quote the port name');
  return { name, port, targetPort, protocol: protocol as ServicePort['protocol'] };
}

export function readNode(o: JsonObject, r: ObjectReader): NodeInfo {
  const name = r.requiredString(o, 'metadata.name', 'give every Node a metadata.name');
  r.where = `${r.where} Node ${name}`;
  const internalIPs: string[] = [];
  r.list(o, 'status.addresses').forEach((a, i) => {
    const path = `status.addresses[${i}]`;
    if (!isObject(a)) r.fail(`${path} is ${show(a)}, expected a mapping`, 'write it as {type: InternalIP, address: 172.18.0.2}');
    if (a.type !== 'InternalIP') return;
    const ip = r.ip(a.address, `${path}.address`);
    if (!internalIPs.includes(ip)) internalIPs.push(ip);
  });
  const podCIDRs: string[] = [];
  r.list(o, 'spec.podCIDRs').forEach((c, i) => {
    const cidr = r.cidr(c, `spec.podCIDRs[${i}]`);
    if (!podCIDRs.includes(cidr)) podCIDRs.push(cidr);
  });
  const single = r.get(o, 'spec.podCIDR');
  if (single !== undefined && single !== '') {
    const cidr = r.cidr(single, 'spec.podCIDR');
    if (!podCIDRs.includes(cidr)) podCIDRs.unshift(cidr);
  }
  return { name, internalIPs, labels: r.stringMap(o, 'metadata.labels'), podCIDRs };
}

/** Name and namespace; also extends `r.where` so later errors name the object. */
function identity(o: JsonObject, r: ObjectReader, kind: string): { name: string; namespace: string } {
  const name = r.requiredString(o, 'metadata.name', `give every ${kind} a metadata.name`);
  const namespace = r.string(o, 'metadata.namespace', '') || DEFAULT_NAMESPACE;
  r.where = `${r.where} ${kind} ${namespace}/${name}`;
  return { name, namespace };
}
