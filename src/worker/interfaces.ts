/**
 * Find the interface of each targeted pod from inside a node's network
 * namespace, the way CNIs wire pods: routed (calico: a /32 route per pod
 * points at its veth) or bridged (flannel/kindnet: veths enslaved to a
 * bridge). Capturing on the pod's own veth, never on the bridge or `any`,
 * is what lets each packet be seen once: a bridge does not show frames it
 * forwards between its ports, and `any` shows them twice.
 *
 * Order of methods: the route (`ip route get`) when it names a veth; else the
 * veth whose peer lives in a named network namespace holding the pod's
 * address (`ip netns list-id`, `ip -n NS addr`); else the bridge's
 * forwarding table (`ip neigh` + `bridge fdb`).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Runs `ip`/`bridge` with JSON output; injectable for tests (e.g. prefixed with `ip netns exec NODE`). */
export type JsonRunner = (cmd: 'ip' | 'bridge', args: string[]) => Promise<unknown>;

export const defaultRunner: JsonRunner = async (cmd, args) => {
  const { stdout } = await exec(cmd, ['-j', ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim() === '' ? [] : JSON.parse(stdout);
};

export interface PodInterface {
  podKey: string;
  ips: string[];
  iface: string;
  via: 'route' | 'netns' | 'fdb';
}

export interface DiscoveryResult {
  found: PodInterface[];
  missing: Array<{ podKey: string; reason: string }>;
}

interface Link { ifname: string; ifindex: number; link_index?: number; link_netnsid?: number; master?: string; linkinfo?: { info_kind?: string } }

const kindOf = (l: Link | undefined): string => l?.linkinfo?.info_kind ?? '';

export async function discoverPodInterfaces(pods: ReadonlyArray<{ key: string; ips: string[] }>, run: JsonRunner = defaultRunner): Promise<DiscoveryResult> {
  const links = (await run('ip', ['-d', 'link', 'show'])) as Link[];
  const byName = new Map(links.map((l) => [l.ifname, l]));
  const result: DiscoveryResult = { found: [], missing: [] };
  let nsAddrs: Map<number, Map<number, string[]>> | null = null; // nsid → ifindex → addresses
  for (const pod of pods) {
    let found: PodInterface | null = null;
    for (const ip of pod.ips) {
      const dev = await routeDev(run, ip);
      if (dev !== null && kindOf(byName.get(dev)) === 'veth') { found = { podKey: pod.key, ips: pod.ips, iface: dev, via: 'route' }; break; }
      if (nsAddrs === null) nsAddrs = await peerAddresses(run, new Set(links.filter((l) => kindOf(l) === 'veth' && l.link_netnsid !== undefined).map((l) => l.link_netnsid!)));
      const peer = links.find((l) => kindOf(l) === 'veth' && l.link_netnsid !== undefined && l.link_index !== undefined
        && (nsAddrs!.get(l.link_netnsid)?.get(l.link_index) ?? []).includes(ip));
      if (peer !== undefined) { found = { podKey: pod.key, ips: pod.ips, iface: peer.ifname, via: 'netns' }; break; }
      if (dev !== null && kindOf(byName.get(dev)) === 'bridge') {
        const port = await fdbPort(run, ip, dev);
        if (port !== null) { found = { podKey: pod.key, ips: pod.ips, iface: port, via: 'fdb' }; break; }
      }
    }
    if (found !== null) result.found.push(found);
    else result.missing.push({ podKey: pod.key, reason: `no veth found for ${pod.ips.join(', ') || 'a pod without an address'} (is podtap running in this node's network namespace?)` });
  }
  return result;
}

async function routeDev(run: JsonRunner, ip: string): Promise<string | null> {
  try {
    const r = (await run('ip', ['route', 'get', ip])) as Array<{ dev?: string }>;
    return r[0]?.dev ?? null;
  } catch {
    return null;
  }
}

/** Addresses of interfaces in the named namespaces that this namespace's veths lead to. */
async function peerAddresses(run: JsonRunner, nsids: ReadonlySet<number>): Promise<Map<number, Map<number, string[]>>> {
  const out = new Map<number, Map<number, string[]>>();
  let ids: Array<{ nsid: number; name?: string }> = [];
  try { ids = (await run('ip', ['netns', 'list-id'])) as typeof ids; } catch { return out; }
  // One query per peer namespace, in parallel: a node with many pods answers in one round trip.
  await Promise.all(ids.map(async ({ nsid, name }) => {
    if (name === undefined || !nsids.has(nsid)) return;
    try {
      const addrs = (await run('ip', ['-n', name, 'addr', 'show'])) as Array<{ ifindex: number; addr_info?: Array<{ local?: string }> }>;
      out.set(nsid, new Map(addrs.map((a) => [a.ifindex, (a.addr_info ?? []).map((x) => x.local ?? '').filter(Boolean)])));
    } catch { /* namespace vanished meanwhile */ }
  }));
  return out;
}

async function fdbPort(run: JsonRunner, ip: string, bridge: string): Promise<string | null> {
  try {
    const neigh = (await run('ip', ['neigh', 'show', 'to', ip, 'dev', bridge])) as Array<{ lladdr?: string }>;
    const mac = neigh[0]?.lladdr;
    if (mac === undefined) return null;
    const fdb = (await run('bridge', ['fdb', 'show', 'br', bridge])) as Array<{ mac?: string; ifname?: string }>;
    return fdb.find((f) => f.mac === mac && f.ifname !== bridge)?.ifname ?? null;
  } catch {
    return null;
  }
}
