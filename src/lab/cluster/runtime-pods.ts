/**
 * Pods added to and removed from a running cluster lab, the way a CNI
 * plugin does it when the kubelet starts or deletes a pod (`ClusterLab.addPod`,
 * `removePod`). This file only plans; lab.ts runs the commands.
 *
 * Addresses come from the node's /24 the way host-local IPAM gives them:
 * round robin after the last one handed out, skipping addresses in use, so a
 * freed address is reused only after the others (as in a real cluster, it is
 * reused eventually).
 */
import { LabError } from '../netns.js';
import { checkLabName, hostVethName, POD_IFACE, POD_NET, type PlannedNode, type PlannedPod, type PodSpec } from './spec.js';

/** Host part of the first and last pod address of a node's /24 (.1 is the bridge). */
export const FIRST_POD_HOST = 2;
export const LAST_POD_HOST = 254;

/** The next free host number after `last` on `node`, wrapping; throws when the /24 is full. */
export function nextPodHost(node: PlannedNode, last: number): number {
  const used = new Set(node.pods.map((p) => Number(p.ip.split('.')[3])));
  const span = LAST_POD_HOST - FIRST_POD_HOST + 1;
  for (let i = 1; i <= span; i++) {
    const host = FIRST_POD_HOST + ((last - FIRST_POD_HOST + i + span) % span);
    if (!used.has(host)) return host;
  }
  throw new LabError(`node ${node.name}: no free pod address left in ${node.podCIDR}`);
}

/** A pod for `node` named by `spec`, at host number `host`. Throws LabError on a clash. */
export function planRuntimePod(base: string, node: PlannedNode, allPods: readonly PlannedPod[], spec: PodSpec, host: number): PlannedPod {
  const namespace = spec.namespace ?? 'default';
  checkLabName('pod', spec.name);
  checkLabName('namespace', namespace);
  const key = `${namespace}/${spec.name}`;
  if (allPods.some((p) => p.key === key)) throw new LabError(`pod ${key} already exists`);
  const hostVeth = hostVethName(node.cni, key);
  if (node.pods.some((p) => p.hostVeth === hostVeth)) throw new LabError(`veth name clash on ${node.name}: ${hostVeth}`);
  return {
    key,
    name: spec.name,
    namespace,
    labels: { ...(spec.labels ?? {}) },
    node: node.name,
    ns: `${base}-p-${namespace}-${spec.name}`,
    ip: `${POD_NET}${node.index}.${host}`,
    iface: POD_IFACE,
    hostVeth,
  };
}
