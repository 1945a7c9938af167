/**
 * The main thread: targets go to `jobs` worker slots (slot.ts), each target
 * for an equal share of the budget that is left when it starts (`shareOf`),
 * so the time a target leaves unused by reaching `--execs` goes to the ones
 * after it. A target whose worker had to be
 * killed or died gets its input saved as a crash file and a fresh worker for
 * the rest of its share (with the next seed), up to MAX_WORKER_RESTARTS times.
 */
import { saveCrash } from './crash-store.js';
import { targetNamed } from './targets/index.js';
import { MAX_WORKER_RESTARTS } from './limits.js';
import { Slot } from './slot.js';
import { type TargetStats, emptyStats, mergeStats } from './stats.js';

export interface RunOptions {
  targets: readonly string[];
  /** Total wall-clock budget, shared out over targets and slots. */
  budgetMs: number;
  jobs: number;
  seed: number;
  /** Per-target cap on executions (for exactly repeatable runs). */
  maxExecs: number;
  coverage: boolean;
  outDir: string | null;
  /** Called as each target finishes. */
  onTarget?(stats: TargetStats): void;
}

/** Seed offset between restarts of one target (the golden-ratio constant, so restarts do not retrace each other). */
const RESTART_SEED_STEP = 0x9e3779b9;

async function runTarget(slot: Slot, name: string, seeds: Uint8Array[], budgetMs: number, o: RunOptions): Promise<TargetStats> {
  let total = emptyStats(name);
  const start = performance.now();
  for (let attempt = 0; ; attempt++) {
    const left = budgetMs - (performance.now() - start);
    const seed = (o.seed + attempt * RESTART_SEED_STEP) >>> 0;
    const { stats, fault } = await slot.run({ target: name, seeds, budgetMs: Math.max(0, left), maxExecs: o.maxExecs - total.execs, seed, outDir: o.outDir });
    total = mergeStats(total, stats);
    if (fault === null) return total;
    const file = saveCrash(o.outDir, name, fault.input, fault.kind, fault.detail);
    const signature = fault.kind === 'worker-died' ? `worker died: ${fault.detail.split('\n')[0]}` : fault.kind;
    total = mergeStats(total, { ...emptyStats(name), hangs: fault.kind === 'hang' ? 1 : 0, crashes: fault.kind === 'hang' ? 0 : 1, restarts: 1, signatures: [signature], files: file === null ? [] : [file] });
    if (attempt >= MAX_WORKER_RESTARTS || performance.now() - start >= budgetMs || fault.detail.startsWith('harness error')) return total;
  }
}

/**
 * A starting target's share: the slot-time left to the deadline, less what
 * the running targets still have of theirs (`committedMs`), over this target
 * and those queued after it. With no target ending early every target gets
 * budget × jobs / targets, as before; one that stops at the execution cap
 * leaves its time to the rest. Never past the deadline.
 */
export function shareOf(msLeft: number, jobs: number, queued: number, committedMs: number): number {
  if (msLeft <= 0) return 0;
  return Math.min(msLeft, Math.max(0, msLeft * jobs - committedMs) / (queued + 1));
}

export async function runTargets(o: RunOptions): Promise<TargetStats[]> {
  const jobs = Math.max(1, Math.min(o.jobs, o.targets.length));
  const deadline = performance.now() + o.budgetMs;
  /** Each running target's end of share (performance.now() time). */
  const ends = new Set<{ end: number }>();
  // Seeds first, on this thread: the fixtures are read and cut once, not once per worker.
  const seeds = new Map(o.targets.map((t) => [t, targetNamed(t)!.seeds()]));
  const queue = [...o.targets];
  const results = new Map<string, TargetStats>();
  const slots = Array.from({ length: jobs }, () => new Slot(o.coverage));
  await Promise.all(slots.map(async (slot) => {
    try {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const now = performance.now();
        let committed = 0;
        for (const r of ends) committed += Math.max(0, r.end - now);
        const share = shareOf(deadline - now, jobs, queue.length, committed);
        const mine = { end: now + share };
        ends.add(mine);
        const stats = await runTarget(slot, name, seeds.get(name)!, share, o).finally(() => ends.delete(mine));
        results.set(name, stats);
        o.onTarget?.(stats);
      }
    } finally {
      await slot.close();
    }
  }));
  return o.targets.map((t) => results.get(t)!);
}
