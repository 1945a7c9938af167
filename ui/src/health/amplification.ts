/**
 * Amplification: processed ÷ unique targeted packets (ARCHITECTURE.md, "Live
 * capture and exactly-once"; src/worker/metrics.ts). 1.00 is the promise:
 * each targeted packet reaches the pipeline exactly once, cluster-wide.
 *
 * Every packet the kernel delivers (`captured`) ends in exactly one of:
 *   untargeted  neither end is a targeted pod;
 *   duplicate   another capture point owns it, or it was already processed
 *               (the same packet seen on two veths, or twice on one);
 *   processed   handed to the pipeline.
 * So the unique targeted packets a worker saw are captured − duplicate −
 * untargeted: each targeted packet counted once, wherever it was seen. Summed
 * over workers, it is the cluster's (a packet between nodes is `processed` on
 * its owner's node and `duplicate` on the other).
 *
 * What the counters cannot show:
 *   - packets the kernel dropped (`kernelDrops`) never reach them, so a lossy
 *     capture still reads 1.00: drops are shown beside it;
 *   - a packet wrongly processed by two capture points counts as processed
 *     (and unique) on both: catching that takes a reference capture, as
 *     src/worker/exactly-once.test.ts does with tcpdump.
 * Since every delivered packet lands in exactly one bucket, a reading other
 * than 1.00 means the counters themselves do not add up (a capture point
 * counted a packet twice, or state was read mid-update): worth a red flag.
 */
import type { WorkerCounters } from './api.js';

export type CounterSet = Pick<WorkerCounters, 'captured' | 'duplicate' | 'untargeted' | 'processed'>;

export interface Amplification {
  /** captured − duplicate − untargeted. */
  unique: number;
  /** processed ÷ unique; null when there is nothing to divide (no targeted packet yet). */
  ratio: number | null;
  /** `ok`: rounds to 1.00; `bad`: anything else; `none`: no targeted packet yet. */
  status: 'ok' | 'bad' | 'none';
  /** Two decimals, "∞" when packets were processed against no unique targeted packet, "—" for none. */
  text: string;
}

export function amplification(c: CounterSet): Amplification {
  const unique = c.captured - c.duplicate - c.untargeted;
  if (unique <= 0) {
    if (c.processed === 0 && unique === 0) return { unique, ratio: null, status: 'none', text: '—' };
    // Processed packets with no unique targeted ones, or more rejected than captured: the counters are inconsistent.
    return { unique, ratio: unique === 0 ? Number.POSITIVE_INFINITY : null, status: 'bad', text: unique === 0 ? '∞' : 'n/a' };
  }
  const ratio = c.processed / unique;
  const text = ratio.toFixed(2);
  return { unique, ratio, status: text === '1.00' ? 'ok' : 'bad', text };
}

export type Totals = Omit<WorkerCounters, 'entries'> & { entries: Record<string, number> };

/** Counters summed over workers (those that have sent a state). */
export function sumCounters(list: ReadonlyArray<WorkerCounters | null | undefined>): Totals {
  const t: Totals = { captured: 0, processed: 0, duplicate: 0, untargeted: 0, kernelDrops: 0, uplinkDropped: 0, uplinkBuffered: 0, entries: {} };
  for (const c of list) {
    if (c === null || c === undefined) continue;
    t.captured += c.captured; t.processed += c.processed; t.duplicate += c.duplicate; t.untargeted += c.untargeted;
    t.kernelDrops += c.kernelDrops; t.uplinkDropped += c.uplinkDropped; t.uplinkBuffered += c.uplinkBuffered;
    for (const [p, n] of Object.entries(c.entries ?? {})) t.entries[p] = (t.entries[p] ?? 0) + n;
  }
  return t;
}
