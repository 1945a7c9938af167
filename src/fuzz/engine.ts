/**
 * The fuzz loop for one target, in a worker thread:
 *   1. run every seed (crashes in seeds count like any other);
 *   2. until the time budget or the execution cap: pick a corpus input, stack
 *      1..MAX_STACKED_MUTATIONS of the target's mutations on it, run it;
 *   3. an exception the target does not expect is a crash: the first input of
 *      each new signature is shrunk, and up to MAX_SAVED_PER_SIGNATURE
 *      inputs per signature are written as crash files; an execution over
 *      HANG_MS is a hang (saved the same way);
 *   4. with coverage on, inputs that reach new blocks join the corpus (feedback.ts).
 * The heartbeat tells the main thread's watchdog what is running, in case an
 * execution never returns.
 */
import type { MutateContext } from './bytes-mutate.js';
import { type CrashKind, crashSignature, saveCrash } from './crash-store.js';
import { Feedback } from './feedback.js';
import type { Heartbeat } from './heartbeat.js';
import { EVENT_LOOP_TURN_EVERY, HANG_MS, HEAP_SAMPLE_EVERY, MAX_CORPUS, MAX_INPUT_BYTES, MAX_SAVED_PER_SIGNATURE, MAX_STACKED_MUTATIONS, MINIMIZE_ATTEMPTS, PROGRESS_EVERY_MS } from './limits.js';
import { minimize } from './minimize.js';
import { Rng, hash32 } from './rng.js';
import { type TargetStats, emptyStats } from './stats.js';
import type { FuzzTarget } from './target.js';

export interface EngineOptions {
  /** Starting inputs (the target's seeds(), usually worked out on the main thread). */
  seeds: readonly Uint8Array[];
  budgetMs: number;
  maxExecs: number;
  seed: number;
  /** Where crash files go; null: count crashes, write nothing. */
  outDir: string | null;
  heartbeat: Heartbeat;
  coverage: boolean;
  onProgress?(stats: TargetStats): void;
}

interface Outcome { failed: boolean; error: unknown; ms: number }

export class Engine {
  readonly stats: TargetStats;
  private readonly corpus: Uint8Array[] = [];
  private readonly rng: Rng;
  private readonly cx: MutateContext;
  private readonly saved = new Map<string, number>();
  private readonly feedback: Feedback | null;

  constructor(private readonly target: FuzzTarget, private readonly o: EngineOptions) {
    this.stats = emptyStats(target.name);
    this.rng = new Rng((o.seed ^ hash32(target.name)) >>> 0);
    this.cx = { rng: this.rng, other: () => this.rng.pick(this.corpus), dict: target.dict };
    this.feedback = o.coverage ? new Feedback((b) => this.replay(b), (b) => this.keep(b)) : null;
  }

  async fuzz(): Promise<TargetStats> {
    const s = this.stats;
    const seeds = this.o.seeds.filter((b) => b.length <= MAX_INPUT_BYTES);
    s.seeds = seeds.length;
    this.corpus.push(...(seeds.length > 0 ? seeds : [new Uint8Array(0)]));
    const t0 = performance.now();
    const deadline = t0 + this.o.budgetMs;
    let lastProgress = t0;
    this.feedback?.reset();
    for (const seed of seeds) await this.execute(seed);
    this.feedback?.absorb();
    while (s.execs < this.o.maxExecs) {
      const now = performance.now();
      if (now >= deadline) break;
      const input = this.target.mutate(this.rng.pick(this.corpus), this.cx, 1 + this.rng.int(MAX_STACKED_MUTATIONS));
      await this.execute(input);
      if (this.feedback !== null) await this.feedback.after(input, s.execs);
      if (s.execs % HEAP_SAMPLE_EVERY === 0) this.sampleHeap();
      if (s.execs % EVENT_LOOP_TURN_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        this.o.onProgress?.(this.snapshot(t0));
      }
    }
    this.sampleHeap();
    return this.snapshot(t0);
  }

  private snapshot(t0: number): TargetStats {
    const s = this.stats;
    s.seconds = (performance.now() - t0) / 1000;
    s.corpus = this.corpus.length;
    s.blocks = this.feedback?.map.blocks ?? 0;
    s.coverageTakes = this.feedback?.takes ?? 0;
    s.coverageStopped = this.feedback?.stopped ?? false;
    return { ...s, signatures: [...s.signatures], files: [...s.files] };
  }

  private sampleHeap(): void {
    const h = process.memoryUsage().heapUsed;
    if (h > this.stats.maxHeapBytes) this.stats.maxHeapBytes = h;
  }

  private async attempt(input: Uint8Array): Promise<Outcome> {
    const hb = this.o.heartbeat;
    hb.begin(input);
    const t = performance.now();
    let failed = false;
    let error: unknown;
    try {
      const pending = this.target.run(input);
      if (pending !== undefined) await pending;
    } catch (e) {
      if (this.target.expected?.(e) !== true) { failed = true; error = e; }
    }
    const ms = performance.now() - t;
    hb.end();
    return { failed, error, ms };
  }

  private async execute(input: Uint8Array): Promise<void> {
    const s = this.stats;
    const r = await this.attempt(input);
    s.execs++;
    if (r.ms > s.slowestMs) s.slowestMs = r.ms;
    if (r.ms > HANG_MS) {
      s.hangs++;
      this.record('hang', `hang: over ${HANG_MS} ms`, input, `ran ${Math.round(r.ms)} ms (limit ${HANG_MS} ms)`);
    }
    if (r.failed) {
      s.crashes++;
      await this.crash(input, r.error);
    }
  }

  private async crash(input: Uint8Array, error: unknown): Promise<void> {
    const sig = crashSignature(error);
    let saveInput = input;
    let detail = error;
    if (!this.stats.signatures.includes(sig)) {
      saveInput = await minimize(input, async (b) => {
        this.stats.replays++;
        const r = await this.attempt(b);
        if (r.failed && crashSignature(r.error) === sig) { detail = r.error; return true; }
        return false;
      }, MINIMIZE_ATTEMPTS);
    }
    this.record('exception', sig, saveInput, detail);
  }

  private record(kind: CrashKind, sig: string, input: Uint8Array, detail: unknown): void {
    const s = this.stats;
    if (!s.signatures.includes(sig)) s.signatures.push(sig);
    const n = this.saved.get(sig) ?? 0;
    if (n >= MAX_SAVED_PER_SIGNATURE) return;
    this.saved.set(sig, n + 1);
    const file = saveCrash(this.o.outDir, this.target.name, input, kind, detail);
    if (file !== null && !s.files.includes(file)) s.files.push(file);
  }

  private async replay(input: Uint8Array): Promise<void> {
    this.stats.replays++;
    await this.attempt(input);
  }

  private keep(input: Uint8Array): void {
    if (this.corpus.length < MAX_CORPUS) this.corpus.push(input);
    else this.stats.corpusFull++;
  }
}
