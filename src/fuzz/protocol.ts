/** Messages between the main thread (runner.ts) and a fuzz worker (worker.ts). */
import type { TargetStats } from './stats.js';

export interface WorkerSetup {
  coverage: boolean;
  /** The heartbeat's SharedArrayBuffer (heartbeat.ts). */
  heartbeat: SharedArrayBuffer;
}

/** Main → worker: fuzz one target; the worker answers `done` (and `progress` meanwhile). */
export interface RunRequest {
  target: string;
  /** The target's seeds, worked out once on the main thread. */
  seeds: Uint8Array[];
  budgetMs: number;
  maxExecs: number;
  seed: number;
  outDir: string | null;
  /** A module exporting `target` to fuzz instead of the table's (the harness's own tests use it). */
  module?: string;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'progress'; stats: TargetStats }
  | { type: 'done'; stats: TargetStats }
  | { type: 'failed'; error: string };
