/**
 * The lab's safety net, kept apart from the lab itself:
 * - `netnsSkipReason()` says once per process whether namespaces can be
 *   created here (Linux, root, iproute2, and a real probe namespace);
 * - every live lab is tracked, and on process exit or SIGINT/SIGTERM/SIGHUP a
 *   synchronous handler tears them all down, then lets the signal end the
 *   process as it would have;
 * - `removeStaleNamespaces()` deletes namespaces of lab owners that died
 *   without cleaning up (SIGKILL); names carry the owner's pid for that.
 */
import { spawnSync } from 'node:child_process';
import { run, runSync, which } from './proc.js';

/** Every lab namespace name starts with this, followed by the owner's pid. */
export const NS_PREFIX = 'ptlab-';

/** What the registry needs from a lab. */
export interface TrackedLab {
  teardownSync(): void;
}

let probeResult: string | null | undefined;

/**
 * Why network namespaces cannot be used here, or undefined when they can.
 * Probes once per process by creating and deleting a namespace.
 */
export function netnsSkipReason(): string | undefined {
  if (probeResult !== undefined) return probeResult ?? undefined;
  probeResult = probe();
  return probeResult ?? undefined;
}

/** True when this process may create network namespaces (root and `ip` present). */
export function canCreateNetns(): boolean {
  return netnsSkipReason() === undefined;
}

function probe(): string | null {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (run the lab tests as root)';
  if (which('ip') === undefined) return '`ip` (iproute2) is not installed';
  const name = `${NS_PREFIX}${process.pid}-probe`;
  const r = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot create a network namespace: ${(r.stderr || r.error?.message || '').trim()}`;
  runSync('ip', ['netns', 'del', name]);
  return null;
}

// ---- cleanup registry: every live lab, torn down synchronously on exit ----

const liveLabs = new Set<TrackedLab>();
let labCounter = 0;
let handlersInstalled = false;

function onExit(): void {
  for (const lab of liveLabs) lab.teardownSync();
}

function onSignal(sig: NodeJS.Signals): void {
  onExit();
  removeHandlers();
  // Re-raise so the process ends the way it would have without us.
  process.kill(process.pid, sig);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
}

function removeHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  process.off('exit', onExit);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
}

/** Deletes lab namespaces whose owning process no longer runs. Returns their names. */
export async function removeStaleNamespaces(): Promise<string[]> {
  const removed = await orphanedNamespaces(/^ptlab-(\d+)-/);
  for (const name of removed) await run('ip', ['netns', 'del', name], { check: false });
  return removed;
}

/**
 * Network namespaces whose name matches `owner`, its first group being the
 * pid of the process that made them, and whose owner no longer runs (this
 * process never counts as gone).
 */
export async function orphanedNamespaces(owner: RegExp): Promise<string[]> {
  const r = await run('ip', ['netns', 'list'], { check: false });
  return r.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => {
      const m = owner.exec(name);
      return m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
    });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A number for the next lab's name, unique within this process. */
export function nextLabNumber(): number {
  return labCounter++;
}

/** Registers a live lab for teardown at exit; installs the handlers with the first one. */
export function trackLab(lab: TrackedLab): void {
  liveLabs.add(lab);
  installHandlers();
}

/** Forgets a torn-down lab; removes the handlers with the last one. */
export function untrackLab(lab: TrackedLab): void {
  liveLabs.delete(lab);
  if (liveLabs.size === 0) removeHandlers();
}
