/**
 * What the samples say about each process (sampler.ts), per instance (the
 * hub is a new process after each restart):
 *  - memory after warm-up: the first third of an instance's sampled life is
 *    warm-up (minutes 0–10 of a 30-minute worker); from there to its last
 *    sample, growth in percent and the least-squares slope in KiB/min, of
 *    VmRSS and of VmRSS without the capture rings. A worker maps one ring
 *    per open capture (32 MiB, resident in full from the open), so its
 *    VmRSS steps by that much whenever a churned pod's capture opens or
 *    closes: growth is judged without the rings, and the ring count is
 *    checked for leaks like descriptors are;
 *  - leaks of descriptors, rings, threads, timers and active resources: the
 *    reference sample against the last one, and the largest value seen. The
 *    reference is the `baseline` sample when the instance has one (before
 *    any pod churned; the workers' last sample is `final`, after the churn
 *    ended and its pods were deleted — the same pods either way), else the
 *    first sample after warm-up (a restarted hub, whose first samples come
 *    before the workers are back).
 */
import type { ProcSample } from './sampler.js';

/** RSS growth after warm-up the soak accepts (the goal). */
export const RSS_GROWTH_GOAL_PCT = 5;
/** A descriptor, thread, timer or resource count this much above its first value at the end is called a leak. */
export const COUNT_LEAK_TOLERANCE = 2;

/** `first`: at the reference sample (see above); `last`: at the last sample; `max`: over the whole life. */
export interface CountSummary { first: number; last: number; max: number }

export interface Growth {
  /** KiB at the first sample after warm-up, at the last sample, and the most seen in the whole life. */
  warmKiB: number;
  endKiB: number;
  maxKiB: number;
  pct: number;
  slopeKiBPerMin: number;
}

export interface ProcessSummary {
  proc: string;
  instance: number;
  pid: number;
  samples: number;
  /** Seconds since the load started: first and last sample, and where warm-up ended. */
  from: number;
  to: number;
  warmedAt: number;
  /** VmRSS without the capture rings: what the goal is judged on. */
  rss: Growth;
  /** VmRSS as the kernel reports it. */
  vmRss: Growth;
  rings: CountSummary;
  fds: CountSummary;
  threads: CountSummary;
  timers: CountSummary | null;
  resources: CountSummary | null;
}

/** Slope of the least-squares line through the points (0 for fewer than two distinct x). */
export function leastSquaresSlope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let sxy = 0, sxx = 0;
  for (const [x, y] of points) { sxy += (x - mx) * (y - my); sxx += (x - mx) ** 2; }
  return sxx === 0 ? 0 : sxy / sxx;
}

/** From the samples in time order, those from the reference sample on, and all of them. */
function counts(from: readonly ProcSample[], all: readonly ProcSample[], pick: (s: ProcSample) => number | undefined): CountSummary | null {
  const v = from.map(pick).filter((x): x is number => x !== undefined);
  const every = all.map(pick).filter((x): x is number => x !== undefined);
  return v.length === 0 ? null : { first: v[0]!, last: v[v.length - 1]!, max: Math.max(...every) };
}

/** Growth of `kib` over the samples after warm-up (`warm`, in time order), with the maximum over `all`. */
function growth(all: readonly ProcSample[], warm: readonly ProcSample[], kib: (s: ProcSample) => number): Growth {
  const w0 = warm[0]!, end = warm[warm.length - 1]!;
  return {
    warmKiB: kib(w0),
    endKiB: kib(end),
    maxKiB: Math.max(...all.map(kib)),
    pct: kib(w0) === 0 ? 0 : ((kib(end) - kib(w0)) / kib(w0)) * 100,
    slopeKiBPerMin: leastSquaresSlope(warm.map((x) => [x.t / 60, kib(x)] as const)),
  };
}

export function summarizeProcess(samples: readonly ProcSample[]): ProcessSummary {
  const s = [...samples].sort((a, b) => a.t - b.t);
  const first = s[0]!, last = s[s.length - 1]!;
  const warmFrom = first.t + (last.t - first.t) / 3;
  const warm = s.filter((x) => x.t >= warmFrom);
  const base = s.findIndex((x) => x.label === 'baseline');
  const ref = base >= 0 ? s.slice(base) : warm;
  return {
    proc: first.proc,
    instance: first.instance,
    pid: first.pid,
    samples: s.length,
    from: first.t,
    to: last.t,
    warmedAt: warm[0]!.t,
    rss: growth(s, warm, (x) => x.rssKiB - x.ringKiB),
    vmRss: growth(s, warm, (x) => x.rssKiB),
    rings: counts(ref, s, (x) => x.rings)!,
    fds: counts(ref, s, (x) => x.fds)!,
    threads: counts(ref, s, (x) => x.threads)!,
    timers: counts(ref, s, (x) => x.timers),
    resources: counts(ref, s, (x) => x.resources),
  };
}

/** One summary per process instance, in order of appearance. */
export function summarize(samples: readonly ProcSample[]): ProcessSummary[] {
  const groups = new Map<string, ProcSample[]>();
  for (const x of samples) {
    const k = `${x.proc}#${x.instance}`;
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [x]);
    else g.push(x);
  }
  return [...groups.values()].map(summarizeProcess);
}

/** A count that ended more than the tolerance above where it started. */
export function leaked(c: CountSummary | null): boolean {
  return c !== null && c.last - c.first > COUNT_LEAK_TOLERANCE;
}
