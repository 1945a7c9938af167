/**
 * Coverage-guided corpus growth. A V8 coverage take costs milliseconds
 * (it walks every function of the isolate), so coverage is sampled once per
 * batch of executions: every COVERAGE_MIN_INTERVAL executions at first,
 * doubling up to COVERAGE_MAX_INTERVAL while samples find nothing new and
 * halving when one does. When a batch reached new blocks its inputs are
 * replayed in halves (bisection) to find the ones that did; those join the
 * corpus.
 *
 * Bounded: takes stay under one per COVERAGE_EXECS_PER_TAKE executions and
 * replays under COVERAGE_REPLAY_SHARE of the executions (beyond a start-up
 * allowance); past either, batches wait or go unattributed. After
 * COVERAGE_STALE_SAMPLES samples in a row at the largest interval with
 * nothing new, coverage is switched off and the target runs at full speed.
 * Every decision depends on execution counts only, so a seed replays.
 */
import { CoverageMap, stopCoverage } from './coverage.js';
import {
  COVERAGE_EXECS_PER_TAKE, COVERAGE_MAX_INTERVAL, COVERAGE_MIN_INTERVAL, COVERAGE_REPLAY_SHARE, COVERAGE_STALE_SAMPLES,
  COVERAGE_START_REPLAYS, COVERAGE_START_TAKES,
} from './limits.js';

export class Feedback {
  readonly map = new CoverageMap();
  /** Coverage switched off (stale): the rest of the run is pure mutation. */
  stopped = false;
  takes = 0;
  replays = 0;
  /** Batches that found blocks but could not be attributed within the replay budget. */
  unattributed = 0;
  private interval = COVERAGE_MIN_INTERVAL;
  private stale = 0;
  private batch: Uint8Array[] = [];
  private execs = 0;

  /**
   * @param replay runs an input again (errors ignored), for attribution
   * @param keep adds an input that reached new blocks to the corpus
   */
  constructor(private readonly replay: (input: Uint8Array) => Promise<void>, private readonly keep: (input: Uint8Array) => void) {}

  /** Forget what ran so far (harness start-up). */
  reset(): void { this.map.reset(); }

  /** Everything covered since the last take counts as seen (after running the seeds). */
  absorb(): void { this.map.add(this.map.fresh()); }

  private canTake(n: number): boolean { return this.takes + n <= COVERAGE_START_TAKES + this.execs / COVERAGE_EXECS_PER_TAKE; }
  private canReplay(n: number): boolean { return this.replays + n <= COVERAGE_START_REPLAYS + this.execs * COVERAGE_REPLAY_SHARE; }

  private take(): string[] {
    this.takes++;
    return this.map.fresh();
  }

  /** After each execution; `execs` is the target's execution count so far. */
  async after(input: Uint8Array, execs: number): Promise<void> {
    if (this.stopped) return;
    this.execs = execs;
    this.batch.push(input);
    if (this.batch.length < this.interval) return;
    if (!this.canTake(1)) {
      if (this.interval < COVERAGE_MAX_INTERVAL) this.interval *= 2;
      else this.batch.splice(0, this.batch.length >> 1); // over budget at the largest batch: the oldest half goes unsampled
      return;
    }
    const batch = this.batch;
    this.batch = [];
    const fresh = this.take();
    if (fresh.length === 0) {
      if (this.interval === COVERAGE_MAX_INTERVAL && ++this.stale >= COVERAGE_STALE_SAMPLES) this.stop();
      this.interval = Math.min(COVERAGE_MAX_INTERVAL, this.interval * 2);
      return;
    }
    this.stale = 0;
    this.interval = Math.max(COVERAGE_MIN_INTERVAL, this.interval >> 1);
    await this.attribute(batch, fresh);
  }

  private stop(): void {
    this.stopped = true;
    this.batch = [];
    stopCoverage();
  }

  /**
   * Which of `inputs` reached the `fresh` blocks. Called right after a take, so the counters
   * start empty; every step ends with a take (or runs nothing), so the next one starts empty too.
   */
  private async attribute(inputs: Uint8Array[], fresh: string[]): Promise<void> {
    if (inputs.length === 1) {
      this.keep(inputs[0]);
      this.map.add(fresh);
      return;
    }
    if (!this.canReplay(inputs.length) || !this.canTake(2)) {
      this.unattributed++;
      this.map.add(fresh);
      return;
    }
    const mid = inputs.length >> 1;
    for (const half of [inputs.slice(0, mid), inputs.slice(mid)]) {
      for (const x of half) { this.replays++; await this.replay(x); }
      const f = this.take();
      if (f.length > 0) await this.attribute(half, f);
    }
    // Blocks no single input reproduces (first-use initialisation, the mutator's own calls into podtap) still count as seen.
    this.map.add(fresh);
  }
}
