/**
 * The worker gives up what it no longer needs once its first captures are
 * open (privileges.h in the addon does the work, in every thread):
 *
 *   - every capability but CAP_NET_RAW is dropped from the effective,
 *     permitted, inheritable, ambient and bounding sets. CAP_NET_RAW stays:
 *     targets change at any time and each new pod needs a new packet socket.
 *     CAP_SYS_ADMIN stays too when the worker must enter network namespaces
 *     later: with --netns (the addon's setns before each open, and `ip -n`),
 *     or when named namespaces exist in /var/run/netns (veth peer discovery
 *     runs `ip -n NS`; in a container that directory is not mounted);
 *   - no_new_privs is set: nothing it executes can gain privileges;
 *   - with a user (--user UID:GID, when started as root) it switches to that
 *     uid and gid and keeps only the capabilities above, also as ambient
 *     capabilities so its `ip`/`bridge` children keep what it kept.
 *
 * What happened is read back from /proc/self/status (and each thread's) and
 * logged, exported as `podtap_worker_privileges` and kept in `state`.
 */
import { chownSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gauge, type Registry } from 'prom-client';
import { loadPcapAddon } from '../live/native.js';

/** Capability names by number (linux/capability.h). */
export const CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;
export type CapabilityName = typeof CAPABILITIES[number];

/** A problem dropping privileges (a bad --user, no right to switch user, the addon refusing). */
export class PrivilegeError extends Error {
  override readonly name = 'PrivilegeError';
}

/** What /proc/PID/status says about a process's (or thread's) privileges. */
export interface ProcPrivileges {
  uid: number;
  gid: number;
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  bounding: bigint;
  ambient: bigint;
  noNewPrivs: boolean;
}

/** Read the privileges of `pid` ('self', a pid, or 'self/task/TID'). */
export function readProcPrivileges(pid: number | string = 'self'): ProcPrivileges {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (k: string): string => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(s)?.[1]?.trim() ?? '';
  const hex = (k: string): bigint => BigInt(`0x${field(k) || '0'}`);
  return {
    uid: Number(field('Uid').split(/\s+/)[1]), // effective uid
    gid: Number(field('Gid').split(/\s+/)[1]),
    effective: hex('CapEff'), permitted: hex('CapPrm'), inheritable: hex('CapInh'), bounding: hex('CapBnd'), ambient: hex('CapAmb'),
    noNewPrivs: field('NoNewPrivs') === '1',
  };
}

/** Names of the capabilities in a mask. */
export function capabilityNames(mask: bigint): string[] {
  const out: string[] = [];
  for (let i = 0; i < 64; i++) if ((mask >> BigInt(i)) & 1n) out.push(CAPABILITIES[i] ?? `CAP_${i}`);
  return out;
}

const bit = (name: CapabilityName): bigint => 1n << BigInt(CAPABILITIES.indexOf(name));

/** `UID:GID` (numbers) or `UID` (gid = uid). */
export function parseUser(text: string): { uid: number; gid: number } {
  const m = /^(\d{1,10})(?::(\d{1,10}))?$/.exec(text.trim());
  const uid = Number(m?.[1]), gid = Number(m?.[2] ?? m?.[1]);
  if (m === null || uid > 0xfffffffe || gid > 0xfffffffe) throw new PrivilegeError(`--user: expected UID:GID as numbers (e.g. 65534:65534), got "${text}"`);
  if (uid === 0) throw new PrivilegeError('--user 0: the worker already runs as root; give the unprivileged user to switch to');
  return { uid, gid };
}

export interface PrivilegePlan {
  keep: CapabilityName[];
  /** Why each capability beyond CAP_NET_RAW is kept. */
  reasons: string[];
  user?: { uid: number; gid: number };
}

/** The capabilities a worker keeps: CAP_NET_RAW, and CAP_SYS_ADMIN when it enters network namespaces later. */
export function workerPlan(o: { netns?: string; user?: { uid: number; gid: number }; netnsDir?: string }): PrivilegePlan {
  const keep: CapabilityName[] = ['CAP_NET_RAW'];
  const reasons: string[] = [];
  const dir = o.netnsDir ?? '/var/run/netns';
  let named: string[] = [];
  try { named = readdirSync(dir); } catch { /* none (as in a container) */ }
  if (o.netns !== undefined) reasons.push(`CAP_SYS_ADMIN for --netns ${o.netns} (each new capture is opened inside it)`);
  else if (named.length > 0) reasons.push(`CAP_SYS_ADMIN: ${dir} has named network namespaces, and finding a pod's veth by its peer runs ip -n NAME`);
  if (reasons.length > 0) keep.push('CAP_SYS_ADMIN');
  return { keep, reasons, ...(o.user === undefined ? {} : { user: o.user }) };
}

/** Throws PrivilegeError when this process may not switch to another user (checked before capturing starts). */
export function checkCanSwitchUser(): void {
  const eff = readProcPrivileges().effective;
  const missing = (['CAP_SETUID', 'CAP_SETGID'] as const).filter((c) => (eff & bit(c)) === 0n);
  if (missing.length > 0) throw new PrivilegeError(`--user needs root (missing ${missing.join(', ')}); leave --user out to keep the current user`);
}

/** What the worker holds after dropping (logged, exported, in `state`). */
export interface PrivilegeState {
  kept: string[];
  droppedCount: number;
  uid: number;
  gid: number;
  noNewPrivs: boolean;
  boundingKept: boolean;
  /** Threads of the process; those the drop could not reach keep what they had (node's signal watchdog blocks every signal). */
  threads: number;
  threadsUnreached: number;
  reasons: string[];
}

interface AddonWithPrivileges {
  dropPrivileges(o: { keep: number[]; uid?: number; gid?: number }): { threads: number; reached: number; unreachable: number; failed: number; boundingKept: boolean };
}

/**
 * Drop to `plan`. Throws PrivilegeError (not allowed to switch user, addon
 * refusing). Files the worker writes later (`chown`) must be handed over
 * before, when the user changes: pass them in `ownedPaths`.
 */
export function dropPrivileges(plan: PrivilegePlan, ownedPaths: readonly string[] = []): PrivilegeState {
  const before = readProcPrivileges();
  const addon = loadPcapAddon() as unknown as Partial<AddonWithPrivileges>;
  if (typeof addon.dropPrivileges !== 'function') throw new PrivilegeError('the native addon has no dropPrivileges: rebuild it (npm rebuild podtap)');
  if (plan.user !== undefined) {
    checkCanSwitchUser();
    for (const p of ownedPaths) chownTree(p, plan.user.uid, plan.user.gid);
  }
  const keep = plan.keep.map((c) => CAPABILITIES.indexOf(c));
  let r;
  try {
    r = addon.dropPrivileges({ keep, ...(plan.user ?? {}) });
  } catch (err) {
    throw new PrivilegeError(`dropping privileges failed: ${(err as Error).message}`);
  }
  const after = readProcPrivileges();
  if (!after.noNewPrivs || (after.effective & ~plan.keep.reduce((m, c) => m | bit(c), 0n)) !== 0n || r.failed > 0) {
    throw new PrivilegeError(`dropping privileges failed: ${r.failed} threads could not, effective ${capabilityNames(after.effective).join(',') || 'none'}, no_new_privs ${after.noNewPrivs ? 1 : 0}`);
  }
  const held = (p: ProcPrivileges): Set<string> => new Set(capabilityNames(p.effective | p.permitted | p.bounding));
  const still = held(after);
  return {
    kept: capabilityNames(after.effective),
    droppedCount: [...held(before)].filter((c) => !still.has(c)).length,
    uid: after.uid, gid: after.gid, noNewPrivs: after.noNewPrivs, boundingKept: r.boundingKept,
    threads: r.threads, threadsUnreached: r.unreachable, reasons: plan.reasons,
  };
}

function chownTree(path: string, uid: number, gid: number): void {
  try { chownSync(path, uid, gid); } catch { return; } // not there yet: it is made later, by the new user
  let names: string[] = [];
  try { names = readdirSync(path); } catch { return; } // a file
  for (const n of names) chownTree(join(path, n), uid, gid);
}

/** One log line about a drop. */
export function describePrivileges(s: PrivilegeState): string {
  const kept = s.kept.length === 0 ? 'no capability' : s.kept.join(', ');
  const parts = [
    `privileges dropped: kept ${kept}${s.reasons.length === 0 ? '' : ` (${s.reasons.join('; ')})`}`,
    `${s.droppedCount} others dropped${s.boundingKept ? ' (the bounding set could not be narrowed: no CAP_SETPCAP; no_new_privs still bounds children)' : ' (bounding set too)'}`,
    'no_new_privs set',
    `uid ${s.uid} gid ${s.gid}`,
  ];
  if (s.threadsUnreached > 0) parts.push(`${s.threadsUnreached} of ${s.threads} threads not reached (node's signal watchdog, which runs no podtap code${s.uid !== 0 ? '; it lost its capabilities with the user switch' : ''})`);
  return parts.join('; ');
}

/** `podtap_worker_privileges{node, kept, uid, no_new_privs}` 1 once dropped; absent before. */
export function registerPrivilegesMetric(registry: Registry, node: string, state: () => PrivilegeState | null): void {
  const g = new Gauge({
    name: 'podtap_worker_privileges', help: 'The worker\'s privileges after dropping what it does not need: kept capabilities, uid, no_new_privs.',
    labelNames: ['node', 'kept', 'uid', 'no_new_privs'], registers: [registry],
    collect() {
      g.reset();
      const s = state();
      if (s !== null) g.set({ node, kept: s.kept.join(',') || 'none', uid: String(s.uid), no_new_privs: s.noNewPrivs ? '1' : '0' }, 1);
    },
  });
}
