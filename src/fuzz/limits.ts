/**
 * Every bound the fuzz harness works under, in one place (STYLE.md, rule 6).
 * The counters that show when one is hit are in the per-target report.
 */

/** One execution running longer than this is a hang: flagged when it ends, killed by the watchdog when it does not. */
export const HANG_MS = 2000;
/** How often the main thread checks the workers' current execution. */
export const WATCHDOG_POLL_MS = 200;
/** Largest input handed to a target; mutations that grow past it are cut back. */
export const MAX_INPUT_BYTES = 256 * 1024;
/** Largest seed taken from a fixture (bigger captures and streams are cut at a record boundary). */
export const MAX_SEED_BYTES = 16 * 1024;
/** TCP conversation seeds are cut into windows of about this many payload bytes (library.ts). */
export const SEED_WINDOW_BYTES = 4 * 1024;
/** Seeds kept per target (the smallest first when a fixture set is larger). */
export const MAX_SEEDS_PER_TARGET = 96;
/** Inputs kept in a target's corpus (seeds plus inputs that reached new blocks); past it, new finds are counted, not kept. */
export const MAX_CORPUS = 4096;
/** Mutations stacked on one parent to make one input. */
export const MAX_STACKED_MUTATIONS = 5;
/** First and largest number of executions between two coverage samples (doubling while nothing new turns up). */
export const COVERAGE_MIN_INTERVAL = 32;
export const COVERAGE_MAX_INTERVAL = 2048;
/** Coverage takes (milliseconds each) stay below one per this many executions, after a start-up allowance. */
export const COVERAGE_EXECS_PER_TAKE = 128;
export const COVERAGE_START_TAKES = 64;
/** Replays that attribute new blocks to inputs stay below this share of the executions, after a start-up allowance. */
export const COVERAGE_REPLAY_SHARE = 0.25;
export const COVERAGE_START_REPLAYS = 4096;
/** Samples in a row at the largest interval with nothing new before coverage is switched off for the rest of the target's run. */
export const COVERAGE_STALE_SAMPLES = 8;
/**
 * The loop lets the event loop turn every this many executions, as podtap does between capture
 * chunks: work Node defers to it (zlib frees a failed *Sync engine on a later tick) would
 * otherwise pile up for the whole run and show as a leak that podtap does not have.
 */
export const EVENT_LOOP_TURN_EVERY = 64;
/** The heap is sampled every this many executions (process.memoryUsage is not free). */
export const HEAP_SAMPLE_EVERY = 256;
/** Old-generation limit of each fuzz worker: past it the worker dies and the input is saved as an out-of-memory crash. */
export const WORKER_HEAP_MB = 1536;
/** Crash inputs written per distinct crash signature in one run (all are counted). */
export const MAX_SAVED_PER_SIGNATURE = 2;
/** Executions spent shrinking the first input of each new crash signature. */
export const MINIMIZE_ATTEMPTS = 400;
/** How often a worker reports progress to the main thread (so a killed worker loses little). */
export const PROGRESS_EVERY_MS = 1000;
/** Restarts of a target's worker after hangs or out-of-memory deaths before the target is given up. */
export const MAX_WORKER_RESTARTS = 20;
