/**
 * The worker's memory cap at run time. The pipeline's limits are already
 * sized from the cap (memory-budget.ts); this guard is the backstop for what
 * they do not count (dissector state of many connections, V8 garbage, the
 * writer's backlog): it reads the resident set size periodically and, above
 * SHED_THRESHOLD of the cap, sheds pipeline state oldest first.
 *
 * 1. Each check over the threshold counts one shed (`shedCount`, exported
 *    as podtap_memory_shed_total) and asks the pipeline to give up enough
 *    buffered state (incomplete IP datagrams, out-of-order TCP bytes, which
 *    become gaps) to get back to SHED_TARGET of the cap.
 * 2. When the next check is still over the threshold, buffers were not
 *    enough: it also closes the share SHED_CLOSE_STEP of the connections
 *    quiet the longest (their pending exchanges become entries, their
 *    dissector state is freed); a connection still talking is closed last.
 * 3. After a shed it runs a full garbage collection, so the next check
 *    sees what the shed freed rather than garbage (and sheds no more than
 *    needed). V8 offers `gc` only behind --expose-gc: the flag is set at run
 *    time and the function taken from a fresh context; where that fails
 *    the next check simply sees more.
 * 4. One log line per episode (from the first shed to the first check back
 *    under the threshold), with what was shed.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Share of the cap above which state is shed. */
export const SHED_THRESHOLD = 0.9;
/** Share of the cap a shed aims to come back to. */
export const SHED_TARGET = 0.8;
/** Share of open connections closed by each check that finds the process still over the threshold after a shed. */
export const SHED_CLOSE_STEP = 0.1;
/** How often the worker checks its resident set size. */
export const MEMORY_CHECK_INTERVAL_MS = 1000;

/** What the guard needs of the pipeline (Pipeline implements it). */
export interface Sheddable {
  shed(bytes: number, closeFraction: number): { freedBytes: number; closedConnections: number };
}

export interface MemoryGuardOptions {
  capBytes: number;
  /** Resident set size now; default process.memoryUsage.rss(). */
  rss?: () => number;
  /** Full garbage collection after a shed; default V8's gc (see 3. above). */
  collect?: () => void;
  log?: (line: string) => void;
}

const MiB = 1024 * 1024;

export class MemoryGuard {
  /** Checks that found the process over the threshold and shed state. */
  shedCount = 0;
  /** Buffered bytes given up, all sheds together. */
  shedBytes = 0;
  /** Connections closed to free memory. */
  closedConnections = 0;
  /** Highest resident set size seen by a check. */
  peakRss = 0;
  private consecutive = 0;
  private episode = { bytes: 0, closed: 0, sheds: 0 };
  private timer: NodeJS.Timeout | null = null;
  private readonly rss: () => number;
  private readonly log: (line: string) => void;
  private readonly collect: () => void;

  constructor(private readonly pipeline: Sheddable, private readonly opts: MemoryGuardOptions) {
    this.rss = opts.rss ?? (() => process.memoryUsage.rss());
    this.log = opts.log ?? (() => {});
    this.collect = opts.collect ?? v8Gc;
  }

  get capBytes(): number { return this.opts.capBytes; }

  /** One check; true when it shed something. */
  check(): boolean {
    const rss = this.rss();
    if (rss > this.peakRss) this.peakRss = rss;
    const cap = this.opts.capBytes;
    if (rss <= cap * SHED_THRESHOLD) {
      if (this.consecutive > 0) {
        const e = this.episode;
        this.log(`podtap: memory back under ${Math.round(SHED_THRESHOLD * 100)}% of the ${mib(cap)} cap after ${e.sheds} shed(s): ${mib(e.bytes)} of buffers given up, ${e.closed} connection(s) closed`);
        this.episode = { bytes: 0, closed: 0, sheds: 0 };
      }
      this.consecutive = 0;
      return false;
    }
    if (this.consecutive === 0) this.log(`podtap: memory ${mib(rss)} over ${Math.round(SHED_THRESHOLD * 100)}% of the ${mib(cap)} cap: shedding buffered state, oldest first`);
    const closeFraction = this.consecutive > 0 ? SHED_CLOSE_STEP : 0;
    const r = this.pipeline.shed(Math.max(0, rss - cap * SHED_TARGET), closeFraction);
    this.collect();
    this.consecutive++;
    this.shedCount++;
    this.shedBytes += r.freedBytes;
    this.closedConnections += r.closedConnections;
    this.episode.sheds++;
    this.episode.bytes += r.freedBytes;
    this.episode.closed += r.closedConnections;
    return true;
  }

  /** Check every `intervalMs` until stop(); the timer does not keep the process alive. */
  start(intervalMs = MEMORY_CHECK_INTERVAL_MS): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

let gcFn: (() => void) | null | undefined;

/** V8's full collection (turned on at first use), or nothing where it cannot be had. */
function v8Gc(): void {
  if (gcFn === undefined) {
    const g = (globalThis as { gc?: () => void }).gc;
    try {
      if (typeof g !== 'function') setFlagsFromString('--expose-gc');
      const f = typeof g === 'function' ? g : runInNewContext('gc') as unknown;
      gcFn = typeof f === 'function' ? (f as () => void) : null;
    } catch {
      gcFn = null;
    }
  }
  gcFn?.();
}

function mib(n: number): string {
  return `${Math.round(n / MiB)} MiB`;
}
