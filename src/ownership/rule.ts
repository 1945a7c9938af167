/**
 * The ownership rule: which capture point processes a connection, decided
 * from one packet alone so that every capture point in the cluster reaches
 * the same answer without talking to the others.
 *
 * Capture points are targeted pods' interfaces. A connection is owned at the
 * client pod's interface when the client is targeted, otherwise at the server
 * pod's. The client is the side with the higher port (ephemeral ports are
 * above service and target ports), ties broken by the higher address. The
 * client's own address and port are the same at both ends of a DNAT'd call
 * (its side sees the ClusterIP, the server's side the pod), so both capture
 * points agree even through a Service.
 *
 * The kernel filter (src/filters/bpf.ts) encodes the same rule; this is the
 * exact user-space check behind it.
 */

export const enum Verdict {
  /** Process it here. */
  Own = 0,
  /** Another capture point owns it (the remote side is a targeted client). */
  OwnedElsewhere = 1,
  /** Neither end is the local targeted pod: should not have been captured. */
  Untargeted = 2,
}

/** Is side A the client of a flow between (ipA, portA) and (ipB, portB)? Both ends compute the same. */
export function isClientSide(ipA: number, portA: number, ipB: number, portB: number): boolean {
  if (portA !== portB) return portA > portB;
  return ipA > ipB;
}

export interface OwnershipView {
  /** Is this IPv4 address (as uint32) one of the local targeted pod's? */
  isLocal(ip: number): boolean;
  /** Is this IPv4 address a targeted pod anywhere in the cluster? */
  isTargeted(ip: number): boolean;
}

/**
 * Decide for one IPv4 packet seen at the interface of a targeted pod.
 * Ports are 0 for protocols without them (then the address tie-break decides).
 */
export function decide(view: OwnershipView, src: number, sport: number, dst: number, dport: number): Verdict {
  const srcLocal = view.isLocal(src);
  const dstLocal = view.isLocal(dst);
  if (!srcLocal && !dstLocal) return Verdict.Untargeted;
  if (srcLocal && dstLocal) return Verdict.Own; // the pod talking to itself
  const remote = srcLocal ? dst : src;
  const remotePort = srcLocal ? dport : sport;
  const localIp = srcLocal ? src : dst;
  const localPort = srcLocal ? sport : dport;
  if (view.isTargeted(remote) && isClientSide(remote, remotePort, localIp, localPort)) return Verdict.OwnedElsewhere;
  return Verdict.Own;
}
