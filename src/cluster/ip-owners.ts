/**
 * Which pod had an IP at a given time. Pod IPs are reused: when a pod is
 * deleted its IP can go to a new pod seconds later, so a packet is matched to
 * the owner created most recently at or before the packet's time.
 *
 * `update(snapshot)` records the pods of each snapshot; owners that leave the
 * snapshot are kept (a capture may still hold their packets), up to
 * `MAX_OWNERS_PER_IP` per address, newest kept. Host-network pods are not
 * recorded: their IP is the node's.
 */
import type { ClusterSnapshot, PodInfo } from './model.js';

/** Owners remembered per IP (the current one and three before it). */
export const MAX_OWNERS_PER_IP = 4;
/** How far a capture host's clock may run behind the API server's creation times. */
export const OWNER_CLOCK_SKEW_MS = 1000;

export class IpOwnerHistory {
  /** ip → owners, oldest first. */
  private readonly owners = new Map<string, PodInfo[]>();
  /** Owners dropped because an IP had MAX_OWNERS_PER_IP newer ones. */
  evicted = 0;

  update(snapshot: ClusterSnapshot): void {
    for (const pod of snapshot.pods) {
      if (pod.hostNetwork) continue;
      for (const ip of pod.ips) this.record(ip, pod);
    }
  }

  record(ip: string, pod: PodInfo): void {
    let list = this.owners.get(ip);
    if (list === undefined) this.owners.set(ip, (list = []));
    const same = list.findIndex((p) => (pod.uid !== '' ? p.uid === pod.uid : p.key === pod.key && p.createdAt === pod.createdAt));
    if (same >= 0) { list[same] = pod; return; } // newer information about the same pod
    list.push(pod);
    list.sort((a, b) => a.createdAt - b.createdAt);
    if (list.length > MAX_OWNERS_PER_IP) { list.shift(); this.evicted++; }
  }

  /**
   * The pod that owned `ip` at `atMs` (ms since epoch): the newest one created
   * at or before it (within OWNER_CLOCK_SKEW_MS). Undefined for an IP no known
   * pod had at that time.
   */
  ownerAt(ip: string, atMs: number): PodInfo | undefined {
    const list = this.owners.get(ip);
    if (list === undefined) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (list[i].createdAt <= atMs + OWNER_CLOCK_SKEW_MS) return list[i];
    return undefined;
  }

  /** Every owner remembered for `ip`, oldest first. */
  ownersOf(ip: string): readonly PodInfo[] {
    return this.owners.get(ip) ?? [];
  }
}
