/**
 * `podtap tap` on a plain Linux host: the host's named network namespaces
 * play the pods (namespace `netns`, name = the netns name, addresses = its
 * global addresses), the host plays the node. Written as the same inventory
 * a cluster gives (`kubectl get pods,nodes -o json`), so the worker's
 * targeting, veth discovery and exactly-once rules apply unchanged.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRunner, type JsonRunner } from '../worker/interfaces.js';

/** The namespace the host's network namespaces are listed under. */
export const NETNS_NAMESPACE = 'netns';

interface AddrInfo { family?: string; local?: string; scope?: string }
interface Iface { ifname?: string; addr_info?: AddrInfo[] }

/** Is the named namespace the one this process runs in (then it is the host, not a pod)? */
function isOwnNamespace(name: string): boolean {
  try {
    const own = statSync('/proc/self/ns/net'), named = statSync(join('/var/run/netns', name));
    return own.ino === named.ino && own.dev === named.dev;
  } catch {
    return false;
  }
}

export async function hostInventory(run: JsonRunner = defaultRunner, node = hostname()): Promise<object> {
  let spaces: Array<{ name?: string }> = [];
  try { spaces = (await run('ip', ['netns', 'list'])) as Array<{ name?: string }>; } catch { spaces = []; }
  const pods = [];
  for (const s of spaces) {
    if (typeof s.name !== 'string' || s.name.includes('/') || isOwnNamespace(s.name)) continue;
    let ifaces: Iface[] = [];
    try { ifaces = (await run('ip', ['-n', s.name, 'addr', 'show'])) as Iface[]; } catch { continue; } // gone meanwhile
    const ips = ifaces.filter((i) => i.ifname !== 'lo').flatMap((i) => i.addr_info ?? [])
      .filter((a) => a.scope === 'global' && typeof a.local === 'string').map((a) => a.local!);
    if (ips.length === 0) continue;
    pods.push({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: s.name, namespace: NETNS_NAMESPACE, uid: createHash('sha256').update(`${s.name}/${ips.join()}`).digest('hex').slice(0, 32), creationTimestamp: '1970-01-01T00:00:00Z' },
      spec: { nodeName: node, hostNetwork: false },
      status: { phase: 'Running', podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
    });
  }
  return { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Node', metadata: { name: node }, spec: {}, status: { addresses: [] } }, ...pods] };
}
