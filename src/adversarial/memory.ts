/**
 * Memory measurement for the adversarial runs: live bytes (V8 heap in use
 * plus ArrayBuffer backing stores) after a full collection, sampled while
 * hostile traffic flows, so a test can say "this attack kept at most N
 * bytes" against a named cap instead of guessing from RSS noise.
 *
 * A full collection needs `gc`: it is taken from `--expose-gc` when the
 * process has it, else turned on here (V8 accepts the flag at run time; the
 * function is then reachable from a fresh context). Without it samples are
 * taken anyway and only over-estimate (garbage counts as live).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = () => void;

function findGc(): Gc | null {
  const g = (globalThis as { gc?: Gc }).gc;
  if (typeof g === 'function') return g;
  try {
    setFlagsFromString('--expose-gc');
    const f = runInNewContext('gc') as unknown;
    return typeof f === 'function' ? (f as Gc) : null;
  } catch {
    return null;
  }
}

const gc = findGc();

/** Live bytes now: heap in use plus ArrayBuffers, after a full collection when one is available. */
export function liveBytes(collect = true): number {
  if (collect && gc !== null) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Peak resident set size of this process so far (the kernel's high-water mark). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Tracks the highest live-byte sample above a baseline taken at construction. */
export class MemoryProbe {
  readonly baseline: number;
  private peak = 0;
  samples = 0;

  constructor() {
    this.baseline = liveBytes();
  }

  /** Take one sample (a full collection each time: call it every few thousand packets, not per packet). */
  sample(): number {
    const grown = liveBytes() - this.baseline;
    this.samples++;
    if (grown > this.peak) this.peak = grown;
    return grown;
  }

  /** Highest growth over the baseline seen by `sample()`. */
  get peakGrowth(): number {
    return this.peak;
  }
}

export const MiB = 1024 * 1024;

/** "12.3 MiB" for reports and assertion messages. */
export function mib(n: number): string {
  return `${(n / MiB).toFixed(1)} MiB`;
}
