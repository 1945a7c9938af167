/**
 * Kernel filters for one capture interface (a targeted pod's interface),
 * written in pcap filter syntax. The filter keeps the pod's own traffic and
 * drops, already in the kernel, the packets another capture point owns under
 * the ownership rule (src/ownership/rule.ts): those whose remote end is a
 * targeted pod on the client side (higher port). Address sets are merged into
 * CIDR blocks, or written as "pod CIDRs minus exceptions" when that is
 * shorter, so thousands of pods stay well inside the kernel's limit.
 *
 * The port comparison (`tcp[0:2] > tcp[2:2]`) exists for IPv4 only; IPv6
 * peers are left to the exact user-space check, and equal ports too.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { cidrText, ipv4ToInt, mergeToCidrs, parseCidr, type Cidr } from './cidr.js';

/** The kernel accepts classic BPF programs up to this many instructions (BPF_MAXINSNS). */
export const KERNEL_MAX_INSTRUCTIONS = 4096;

export interface InterfaceFilterInput {
  /** Addresses of the pod behind this interface. */
  localIps: readonly string[];
  /** Addresses of every targeted pod in the cluster (may include the local ones). */
  targetedIps: Iterable<string>;
  /** Pod CIDRs of the cluster: lets a near-complete set be written as CIDRs minus exceptions. */
  podCidrs?: readonly string[];
}

export interface InterfaceFilter {
  expression: string;
  /** `net`/`host` terms in the expression: a proxy for its size before compiling. */
  terms: number;
}

/** Terms for "address in set" as the shorter of: merged blocks, or pod CIDRs minus merged exceptions. */
export function addressSetTerms(set: ReadonlySet<number>, podCidrs: readonly Cidr[]): { include: Cidr[]; exclude: Cidr[] } {
  const direct = mergeToCidrs(set);
  if (podCidrs.length === 0) return { include: direct, exclude: [] };
  // Only worth it when every member lies inside the pod CIDRs.
  const inside = (ip: number) => podCidrs.some((c) => ((ip & (c.bits === 0 ? 0 : (0xffffffff << (32 - c.bits)) >>> 0)) >>> 0) === c.base);
  for (const ip of set) if (!inside(ip)) return { include: direct, exclude: [] };
  let universe = 0;
  for (const c of podCidrs) universe += 2 ** (32 - c.bits);
  if (universe - set.size > 65536 * 4) return { include: direct, exclude: [] }; // complement too large to enumerate
  const missing: number[] = [];
  for (const c of podCidrs) {
    const size = 2 ** (32 - c.bits);
    for (let i = 0; i < size; i++) {
      const ip = c.base + i;
      if (!set.has(ip)) missing.push(ip);
    }
  }
  const exclude = mergeToCidrs(missing);
  if (podCidrs.length + exclude.length < direct.length) return { include: [...podCidrs], exclude };
  return { include: direct, exclude: [] };
}

function setExpr(dir: 'src' | 'dst', t: { include: Cidr[]; exclude: Cidr[] }): string {
  const inc = t.include.map((c) => `${dir} net ${cidrText(c)}`).join(' or ');
  if (t.exclude.length === 0) return `(${inc})`;
  const exc = t.exclude.map((c) => `${dir} net ${cidrText(c)}`).join(' or ');
  return `((${inc}) and not (${exc}))`;
}

/** The filter for one targeted pod's interface. */
export function buildInterfaceFilter(input: InterfaceFilterInput): InterfaceFilter {
  const locals = input.localIps.filter((ip) => isIPv4(ip) || isIPv6(ip));
  if (locals.length === 0) throw new Error('buildInterfaceFilter: the pod has no address');
  // `ip host` / `ip6 host`, not `host`: plain `host` also matches ARP, which is nobody's traffic.
  const hostExpr = locals.map((ip) => `${isIPv4(ip) ? 'ip' : 'ip6'} host ${ip}`).join(' or ');
  const localSet = new Set(locals);
  const remote4 = new Set<number>();
  for (const ip of input.targetedIps) if (isIPv4(ip) && !localSet.has(ip)) remote4.add(ipv4ToInt(ip));
  if (remote4.size === 0) return { expression: `(${hostExpr})`, terms: locals.length };
  const pods = (input.podCidrs ?? []).map(parseCidr).filter((c): c is Cidr => c !== null);
  const t = addressSetTerms(remote4, pods);
  // Remote targeted pod as the client (higher port) — owned at its own interface.
  const remoteClient = `(${setExpr('src', t)} and ((tcp and tcp[0:2] > tcp[2:2]) or (udp and udp[0:2] > udp[2:2])))`
    + ` or (${setExpr('dst', t)} and ((tcp and tcp[2:2] > tcp[0:2]) or (udp and udp[2:2] > udp[0:2])))`;
  return {
    expression: `(${hostExpr}) and not (${remoteClient})`,
    terms: locals.length + 2 * (t.include.length + t.exclude.length),
  };
}

/**
 * Above this many address terms a filter cannot fit 4,096 instructions (each
 * term costs at least two), and libpcap's optimizer takes seconds on it:
 * go straight to the coarse filter.
 */
export const MAX_PRECISE_TERMS = 1500;

export interface ChosenFilter extends InterfaceFilter {
  instructions: number;
  /** The precise filter did not fit the kernel: only the pod's own traffic is filtered there; ownership is checked in user space. */
  fallback: boolean;
  compileMs: number;
}

/**
 * The precise filter when it compiles within the kernel's limit, else the
 * coarser one (the pod's own addresses only) — never no filter. `compile`
 * runs libpcap's pcap_compile (off the event loop); the result carries what
 * it returned (e.g. the program to attach).
 */
export async function chooseKernelFilterAsync<C extends { instructions: number }>(
  input: InterfaceFilterInput, compile: (expression: string) => Promise<C>,
): Promise<ChosenFilter & { compiled: C }> {
  const started = process.hrtime.bigint();
  const precise = buildInterfaceFilter(input);
  if (precise.terms <= MAX_PRECISE_TERMS) {
    const p = await compile(precise.expression);
    if (p.instructions <= KERNEL_MAX_INSTRUCTIONS) {
      return { ...precise, instructions: p.instructions, fallback: false, compileMs: Number(process.hrtime.bigint() - started) / 1e6, compiled: p };
    }
  }
  const coarse = buildInterfaceFilter({ localIps: input.localIps, targetedIps: [] });
  const c = await compile(coarse.expression);
  return { ...coarse, instructions: c.instructions, fallback: true, compileMs: Number(process.hrtime.bigint() - started) / 1e6, compiled: c };
}
