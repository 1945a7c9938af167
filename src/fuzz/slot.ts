/**
 * A place to run fuzz workers, and their watchdog. `run()` starts a fresh
 * worker thread for one target (its own heap, so the heap high-water is the
 * target's, and its own coverage session, which can be switched off once
 * stale) and settles with the worker's final numbers — or, when the current
 * execution outlives WATCHDOG_KILL_MS (the worker is terminated) or the
 * worker dies (out of memory, an error thrown outside any execution), with
 * the last progress numbers and what went wrong.
 */
import { Worker } from 'node:worker_threads';
import type { CrashKind } from './crash-store.js';
import { Heartbeat } from './heartbeat.js';
import { HANG_MS, WATCHDOG_POLL_MS, WORKER_HEAP_MB } from './limits.js';
import type { RunRequest, WorkerMessage, WorkerSetup } from './protocol.js';
import { type TargetStats, emptyStats } from './stats.js';

/** An execution still running after this long is killed (it is already a hang at HANG_MS; the slack lets slow ones finish and be measured). */
export const WATCHDOG_KILL_MS = 2 * HANG_MS;

export interface Fault { kind: CrashKind; detail: string; input: Uint8Array }
export interface SlotResult { stats: TargetStats; fault: Fault | null }

export class Slot {
  private worker: Worker | null = null;
  private readonly heartbeat = Heartbeat.create();
  constructor(private readonly coverage: boolean) {}

  private async start(): Promise<Worker> {
    const setup: WorkerSetup = { coverage: this.coverage, heartbeat: this.heartbeat.buffer };
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: setup, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    await new Promise<void>((resolve, reject) => {
      w.once('message', (m: WorkerMessage) => (m.type === 'ready' ? resolve() : reject(new Error(`fuzz worker: ${JSON.stringify(m)}`))));
      w.once('error', reject);
    });
    return w;
  }

  async run(req: RunRequest): Promise<SlotResult> {
    this.heartbeat.end();
    const w = (this.worker = await this.start());
    return new Promise<SlotResult>((resolve) => {
      let last = emptyStats(req.target);
      let settled = false;
      const finish = (fault: Fault | null, stats = last): void => {
        if (settled) return;
        settled = true;
        clearInterval(dog);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        this.worker = null;
        void w.terminate();
        resolve({ stats, fault });
      };
      const died = (kind: CrashKind, detail: string): void => finish({ kind, detail, input: this.heartbeat.input() });
      const onMessage = (m: WorkerMessage): void => {
        if (m.type === 'progress') last = m.stats;
        else if (m.type === 'done') finish(null, m.stats);
        else if (m.type === 'failed') died('worker-died', `harness error: ${m.error}`);
      };
      const onError = (e: Error): void => {
        const oom = (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
        died(oom ? 'out-of-memory' : 'worker-died', e.stack ?? e.message);
      };
      const onExit = (code: number): void => died('worker-died', `worker exited with code ${code}`);
      const dog = setInterval(() => {
        const ms = this.heartbeat.runningFor();
        if (ms > WATCHDOG_KILL_MS) died('hang', `one execution still running after ${ms} ms (hang limit ${HANG_MS} ms): worker terminated`);
      }, WATCHDOG_POLL_MS);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage(req);
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w !== null) await w.terminate();
  }
}
