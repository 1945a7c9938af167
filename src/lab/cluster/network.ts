/**
 * The commands that wire a planned cluster, as data: `ip -batch` lines run
 * from the host (they only create namespaces, and veth pairs whose two ends
 * are created directly inside lab namespaces), `ip -n <ns> -batch` lines per
 * namespace, sysctls per namespace and an iptables-restore ruleset per node.
 * lab.ts runs them in that order. Nothing here executes anything.
 */
import { createHash } from 'node:crypto';
import {
  assertClusterAddress,
  CALICO_GATEWAY,
  NODE_OUTSIDE_IFACE,
  NODE_UNDERLAY_IFACE,
  OUTSIDE_GATEWAY_IP,
  OUTSIDE_IP,
  POD_NET,
  UNDERLAY_BRIDGE,
  type ClusterPlan,
  type PlannedNode,
  type PlannedPod,
  type PlannedService,
} from './spec.js';

/** Calico gives every host-side veth this MAC. */
export const CALICO_VETH_MAC = 'ee:ee:ee:ee:ee:ee';

/** The gateway node's default route is the outside host; every other node's is the gateway node. */
function hasDefaultRoute(plan: ClusterPlan, node: PlannedNode): boolean {
  return node.gateway ? plan.outsideNs !== undefined : plan.nodes.some((n) => n.gateway);
}

/** kube-proxy's masquerade mark (KUBE-MARK-MASQ). */
const MASQ_MARK = '0x4000/0x4000';

/** Underlay port of node i in the underlay namespace. */
export const underlayPort = (node: PlannedNode): string => `u-${node.name}`.slice(0, 15);

/** Every namespace of the plan, in creation order (underlay, nodes, pods, outside). */
export function planNamespaces(plan: ClusterPlan): string[] {
  const all = [plan.underlayNs, ...plan.nodes.map((n) => n.ns), ...plan.pods.map((p) => p.ns)];
  if (plan.outsideNs !== undefined) all.push(plan.outsideNs);
  return all;
}

/** Host-side `ip -batch` lines creating every veth pair, both ends inside lab namespaces. */
export function vethLines(plan: ClusterPlan): string[] {
  const lines: string[] = [];
  for (const n of plan.nodes) {
    lines.push(`link add ${NODE_UNDERLAY_IFACE} netns ${n.ns} type veth peer name ${underlayPort(n)} netns ${plan.underlayNs}`);
    for (const p of n.pods) lines.push(`link add ${p.hostVeth} netns ${n.ns} type veth peer name ${p.iface} netns ${p.ns}`);
  }
  const gw = plan.nodes.find((n) => n.gateway);
  if (plan.outsideNs !== undefined && gw) {
    lines.push(`link add ${NODE_OUTSIDE_IFACE} netns ${gw.ns} type veth peer name eth0 netns ${plan.outsideNs}`);
  }
  return lines;
}

/** Sysctls applied in every namespace before links exist: no IPv6 (no router/neighbour chatter in captures). */
export const BASE_SYSCTLS = ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'];

/** Sysctls for a node once its links exist: forwarding, no reverse-path filter, Calico's proxy-ARP. */
export function nodeSysctls(node: PlannedNode): string[] {
  const s = ['net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0'];
  if (node.cni === 'routed') {
    for (const p of node.pods) s.push(`net.ipv4.conf.${p.hostVeth}.proxy_arp=1`, `net.ipv4.neigh.${p.hostVeth}.proxy_delay=0`);
  }
  return s;
}

/** `ip -n <ns> -batch` lines per namespace: addresses, links up, bridge, routes. */
export function namespaceLines(plan: ClusterPlan): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (ns: string, ...lines: string[]): void => {
    for (const l of lines) for (const ip of l.match(/\d+\.\d+\.\d+\.\d+/g) ?? []) if (ip !== '0.0.0.0') assertClusterAddress(ip);
    out.set(ns, [...(out.get(ns) ?? []), ...lines]);
  };
  add(plan.underlayNs, 'link set lo up', `link add ${UNDERLAY_BRIDGE} type bridge`, `link set ${UNDERLAY_BRIDGE} up`);
  for (const n of plan.nodes) add(plan.underlayNs, `link set ${underlayPort(n)} master ${UNDERLAY_BRIDGE} up`);

  const gw = plan.nodes.find((n) => n.gateway);
  for (const n of plan.nodes) {
    add(n.ns, 'link set lo up', `addr add ${n.ip}/24 dev ${NODE_UNDERLAY_IFACE}`, `link set ${NODE_UNDERLAY_IFACE} up`);
    if (n.bridge !== undefined) {
      add(n.ns, `link add ${n.bridge} type bridge`, `addr add ${n.bridgeIp}/24 dev ${n.bridge}`, `link set ${n.bridge} up`);
    } else {
      // Calico: a blackhole for the node's block so unknown pod addresses do not bounce between nodes.
      add(n.ns, `route add blackhole ${n.podCIDR}`);
    }
    for (const p of n.pods) {
      if (n.bridge !== undefined) {
        add(n.ns, `link set ${p.hostVeth} master ${n.bridge}`, `link set ${p.hostVeth} type bridge_slave hairpin on`, `link set ${p.hostVeth} up`);
        add(p.ns, 'link set lo up', `addr add ${p.ip}/24 dev ${p.iface}`, `link set ${p.iface} up`, `route add default via ${n.bridgeIp} dev ${p.iface}`);
      } else {
        add(n.ns, `link set ${p.hostVeth} address ${CALICO_VETH_MAC}`, `link set ${p.hostVeth} up`, `route add ${p.ip}/32 dev ${p.hostVeth} scope link`);
        add(
          p.ns,
          'link set lo up',
          `addr add ${p.ip}/32 dev ${p.iface}`,
          `link set ${p.iface} up`,
          `route add ${CALICO_GATEWAY} dev ${p.iface} scope link`,
          `route add default via ${CALICO_GATEWAY} dev ${p.iface}`,
        );
        // Proxy-ARP answers for 169.254.1.1 only when the node routes it elsewhere (its default
        // route). A node without one (a lone node, no outside host) gets the answer pinned instead.
        if (!hasDefaultRoute(plan, n)) add(p.ns, `neigh add ${CALICO_GATEWAY} lladdr ${CALICO_VETH_MAC} dev ${p.iface} nud permanent`);
      }
    }
    for (const other of plan.nodes) if (other !== n) add(n.ns, `route add ${other.podCIDR} via ${other.ip} dev ${NODE_UNDERLAY_IFACE}`);
    if (n.gateway && plan.outsideNs !== undefined) {
      add(n.ns, `addr add ${OUTSIDE_GATEWAY_IP}/24 dev ${NODE_OUTSIDE_IFACE}`, `link set ${NODE_OUTSIDE_IFACE} up`);
      // The outside host is this node's upstream: its default route, as a real node's uplink would be.
      add(n.ns, `route add default via ${OUTSIDE_IP} dev ${NODE_OUTSIDE_IFACE}`);
    } else if (gw && gw !== n) {
      add(n.ns, `route add default via ${gw.ip} dev ${NODE_UNDERLAY_IFACE}`);
    }
  }
  if (plan.outsideNs !== undefined) {
    // No route back to the pods: node1 masquerades, so the outside host only ever sees 198.51.100.1.
    add(plan.outsideNs, 'link set lo up', `addr add ${OUTSIDE_IP}/24 dev eth0`, 'link set eth0 up');
  }
  return out;
}

function chainId(kind: 'SVC' | 'SEP', text: string): string {
  return `KUBE-${kind}-${createHash('sha256').update(text).digest('hex').slice(0, 16).toUpperCase()}`;
}

/**
 * The node's nat table in iptables-restore form, laid out like kube-proxy's
 * iptables mode: PREROUTING and OUTPUT jump to KUBE-SERVICES; one KUBE-SVC
 * chain per service port picks a backend with the statistic module (1/n,
 * 1/(n-1), …); one KUBE-SEP chain per backend DNATs to podIP:targetPort.
 * A pod reaching itself through its service is masqueraded (kube-proxy's
 * hairpin mark). `sameBridgeMasq` adds a masquerade for a bridge node whose
 * bridged replies would bypass conntrack (no br_netfilter in this kernel).
 * The gateway node masquerades pod traffic leaving to the outside host.
 */
export function natRules(plan: ClusterPlan, node: PlannedNode, sameBridgeMasq: boolean): string {
  const chains = ['KUBE-SERVICES', 'KUBE-MARK-MASQ', 'KUBE-POSTROUTING'];
  const rules = [
    '-A PREROUTING -j KUBE-SERVICES',
    '-A OUTPUT -j KUBE-SERVICES',
    '-A POSTROUTING -j KUBE-POSTROUTING',
    `-A KUBE-MARK-MASQ -j MARK --set-xmark ${MASQ_MARK}`,
    `-A KUBE-POSTROUTING -m mark --mark ${MASQ_MARK} -j MASQUERADE`,
  ];
  for (const svc of plan.services) serviceRules(svc, chains, rules);
  if (node.bridge !== undefined && sameBridgeMasq) {
    rules.push(`-A KUBE-POSTROUTING -s ${node.podCIDR} -d ${node.podCIDR} -m conntrack --ctstate DNAT -j MASQUERADE`);
  }
  if (node.gateway && plan.outsideNs !== undefined) {
    rules.push(`-A POSTROUTING -s ${POD_NET}0.0/16 -o ${NODE_OUTSIDE_IFACE} -j MASQUERADE`);
  }
  return ['*nat', ...chains.map((c) => `:${c} - [0:0]`), ...rules, 'COMMIT', ''].join('\n');
}

function serviceRules(svc: PlannedService, chains: string[], rules: string[]): void {
  for (const port of svc.ports) {
    if (svc.backends.length === 0) continue; // kube-proxy would REJECT; here the packet just finds no route
    const proto = port.protocol.toLowerCase();
    const svcChain = chainId('SVC', `${svc.key}:${port.name}:${port.protocol}`);
    chains.push(svcChain);
    rules.push(`-A KUBE-SERVICES -d ${svc.clusterIP}/32 -p ${proto} -m ${proto} --dport ${port.port} -j ${svcChain}`);
    svc.backends.forEach((pod, i) => {
      const sep = chainId('SEP', `${svc.key}:${port.name}:${port.protocol}:${pod.ip}`);
      chains.push(sep);
      const left = svc.backends.length - i;
      const pick = left > 1 ? `-m statistic --mode random --probability ${(1 / left).toFixed(11)} ` : '';
      rules.push(`-A ${svcChain} ${pick}-j ${sep}`);
      rules.push(`-A ${sep} -s ${pod.ip}/32 -j KUBE-MARK-MASQ`);
      rules.push(`-A ${sep} -p ${proto} -m ${proto} -j DNAT --to-destination ${pod.ip}:${port.targetPort}`);
    });
  }
}

/**
 * The lines that wire one pod added to a running lab (`ClusterLab.addPod`):
 * the node side and the pod side of its veth, exactly as `namespaceLines`
 * writes them for a pod planned at build time (runtime-pods.test.ts checks
 * that the two agree), plus the node sysctls of a routed pod's veth.
 */
export function podLines(plan: ClusterPlan, node: PlannedNode, pod: PlannedPod): { node: string[]; pod: string[]; nodeSysctls: string[] } {
  assertClusterAddress(pod.ip);
  if (node.bridge !== undefined) {
    return {
      node: [`link set ${pod.hostVeth} master ${node.bridge}`, `link set ${pod.hostVeth} type bridge_slave hairpin on`, `link set ${pod.hostVeth} up`],
      pod: ['link set lo up', `addr add ${pod.ip}/24 dev ${pod.iface}`, `link set ${pod.iface} up`, `route add default via ${node.bridgeIp} dev ${pod.iface}`],
      nodeSysctls: [],
    };
  }
  const podSide = [
    'link set lo up',
    `addr add ${pod.ip}/32 dev ${pod.iface}`,
    `link set ${pod.iface} up`,
    `route add ${CALICO_GATEWAY} dev ${pod.iface} scope link`,
    `route add default via ${CALICO_GATEWAY} dev ${pod.iface}`,
  ];
  if (!hasDefaultRoute(plan, node)) podSide.push(`neigh add ${CALICO_GATEWAY} lladdr ${CALICO_VETH_MAC} dev ${pod.iface} nud permanent`);
  return {
    node: [`link set ${pod.hostVeth} address ${CALICO_VETH_MAC}`, `link set ${pod.hostVeth} up`, `route add ${pod.ip}/32 dev ${pod.hostVeth} scope link`],
    pod: podSide,
    nodeSysctls: [`net.ipv4.conf.${pod.hostVeth}.proxy_arp=1`, `net.ipv4.neigh.${pod.hostVeth}.proxy_delay=0`],
  };
}
