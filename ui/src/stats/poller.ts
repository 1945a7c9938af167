/**
 * Polling a hub route, shared by the map, the charts and the health panel.
 *
 *   1. `start()` fetches at once; each answer (or failure) schedules the next
 *      fetch `intervalMs` later, so a slow hub is never asked twice at a time.
 *   2. `restart(fetch)` (the filter or window changed) forgets the call in
 *      flight — its answer is dropped when it comes — and fetches again now.
 *   3. `stop()` drops any answer still to come and cancels the timer.
 *
 * Answers are told apart by a generation number: only the latest
 * generation's answers reach `onResult`. Timers are injected for tests.
 */

export const POLL_INTERVAL_MS = 2000;

export type PollResult<T> = { ok: true; data: T } | { ok: false; error: unknown };

export interface PollTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: PollTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class Poller<T> {
  private generation = 0;
  private timer: unknown = null;
  private running = false;

  constructor(private fetcher: () => Promise<T>, private readonly onResult: (r: PollResult<T>) => void,
              private readonly intervalMs: number = POLL_INTERVAL_MS, private readonly timers: PollTimers = realTimers) {}

  start(): void {
    this.running = true;
    this.tick();
  }

  /** New parameters: the call in flight is forgotten, the new one starts now. */
  restart(fetcher: () => Promise<T>): void {
    this.fetcher = fetcher;
    this.cancelTimer();
    this.running = true;
    this.tick();
  }

  /** Fetch again now (a manual refresh), keeping the parameters. */
  refresh(): void {
    if (this.running) this.restart(this.fetcher);
  }

  stop(): void {
    this.running = false;
    this.generation++;
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const gen = ++this.generation;
    this.timer = null;
    let p: Promise<T>;
    try { p = this.fetcher(); } catch (error) { p = Promise.reject(error); }
    p.then((data) => this.settle(gen, { ok: true, data }), (error: unknown) => this.settle(gen, { ok: false, error }));
  }

  private settle(gen: number, r: PollResult<T>): void {
    if (gen !== this.generation || !this.running) return; // a stale answer
    this.onResult(r);
    if (gen === this.generation && this.running) this.timer = this.timers.set(() => this.tick(), this.intervalMs);
  }
}
