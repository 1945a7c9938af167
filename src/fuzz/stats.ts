/** The numbers one target reports (worker → main thread → report), and how restarts add up. */
export interface TargetStats {
  target: string;
  /** Inputs run: seeds and mutants (coverage replays and crash shrinking are counted apart). */
  execs: number;
  /** Executions spent finding which input of a sample reached new blocks, and shrinking crashes. */
  replays: number;
  /** Fuzzing time, seconds (seeding and start-up not included). */
  seconds: number;
  seeds: number;
  /** Inputs in the corpus at the end: seeds plus inputs that reached new blocks. */
  corpus: number;
  /** Inputs that reached new blocks when the corpus was full (MAX_CORPUS): counted, not kept. */
  corpusFull: number;
  /** Blocks of podtap code covered (0 without coverage). */
  blocks: number;
  /** Coverage samples taken, and whether coverage went stale and was switched off (feedback.ts). */
  coverageTakes: number;
  coverageStopped: boolean;
  crashes: number;
  hangs: number;
  /** High-water mark of the worker's heapUsed while this target ran. */
  maxHeapBytes: number;
  slowestMs: number;
  /** Distinct crash signatures (crash-store.ts) and the files written for them. */
  signatures: string[];
  files: string[];
  /** Times the target's worker was replaced after a hang or a death. */
  restarts: number;
}

export function emptyStats(target: string): TargetStats {
  return { target, execs: 0, replays: 0, seconds: 0, seeds: 0, corpus: 0, corpusFull: 0, blocks: 0, coverageTakes: 0, coverageStopped: false, crashes: 0, hangs: 0, maxHeapBytes: 0, slowestMs: 0, signatures: [], files: [], restarts: 0 };
}

/** Totals of two runs of the same target (before and after a worker restart). */
export function mergeStats(a: TargetStats, b: TargetStats): TargetStats {
  return {
    target: a.target,
    execs: a.execs + b.execs,
    replays: a.replays + b.replays,
    seconds: a.seconds + b.seconds,
    seeds: Math.max(a.seeds, b.seeds),
    corpus: Math.max(a.corpus, b.corpus),
    corpusFull: a.corpusFull + b.corpusFull,
    blocks: Math.max(a.blocks, b.blocks),
    coverageTakes: a.coverageTakes + b.coverageTakes,
    coverageStopped: b.coverageStopped,
    crashes: a.crashes + b.crashes,
    hangs: a.hangs + b.hangs,
    maxHeapBytes: Math.max(a.maxHeapBytes, b.maxHeapBytes),
    slowestMs: Math.max(a.slowestMs, b.slowestMs),
    signatures: [...new Set([...a.signatures, ...b.signatures])],
    files: [...new Set([...a.files, ...b.files])],
    restarts: a.restarts + b.restarts,
  };
}
