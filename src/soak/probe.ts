/**
 * Loaded into the hub and worker processes the soak starts
 * (`node --import probe.js bin/podtap.js …`) when PODTAP_SOAK_PROBE_DIR is
 * set; does nothing otherwise, and nothing in worker threads. What a child
 * process's /proc cannot show:
 *  - timers: setTimeout/setInterval armed and not yet fired or cleared,
 *    counted by wrapping the global functions (and node:timers' exports)
 *    before podtap loads; unref'd ones included, `refresh()` after firing
 *    not seen;
 *  - active resources (`process.getActiveResourcesInfo()`, by type: sockets,
 *    ref'd timers, file requests, …);
 *  - `process.memoryUsage()` (heap, external, array buffers).
 * Every PROBE_MS it writes them to `<dir>/<pid>.json` (write, then rename),
 * where sampler.ts reads them.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import timers from 'node:timers';
import { promisify } from 'node:util';
import { isMainThread } from 'node:worker_threads';

export const PROBE_MS = 5_000;
export const PROBE_DIR_ENV = 'PODTAP_SOAK_PROBE_DIR';

/** What one probe file holds. */
export interface ProbeReading {
  pid: number;
  at: number;
  timers: number;
  resources: Record<string, number>;
  memory: NodeJS.MemoryUsage;
}

type TimerFn = (cb: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => NodeJS.Timeout;

function install(dir: string): void {
  const live = new Set<NodeJS.Timeout>();
  const orig = { setTimeout: timers.setTimeout, setInterval: timers.setInterval, clearTimeout: timers.clearTimeout, clearInterval: timers.clearInterval };
  const wrapSet = (set: TimerFn, once: boolean): TimerFn => {
    const f: TimerFn = (cb, ms, ...args) => {
      if (typeof cb !== 'function') return set(cb, ms, ...args); // let node throw its own error
      const t: NodeJS.Timeout = set(once ? (...a: unknown[]) => { live.delete(t); cb(...a); } : cb, ms, ...args);
      live.add(t);
      return t;
    };
    const custom = (set as unknown as Record<symbol, unknown>)[promisify.custom];
    if (custom !== undefined) Object.defineProperty(f, promisify.custom, { value: custom });
    return f;
  };
  const wrapClear = (clear: (t?: NodeJS.Timeout | string | number) => void) => (t?: NodeJS.Timeout | string | number): void => {
    if (typeof t === 'object' && t !== null) live.delete(t);
    else if (t !== undefined) for (const x of live) if (String(x[Symbol.toPrimitive]()) === String(t)) { live.delete(x); break; }
    clear(t);
  };
  const patched = {
    setTimeout: wrapSet(orig.setTimeout as unknown as TimerFn, true),
    setInterval: wrapSet(orig.setInterval as unknown as TimerFn, false),
    clearTimeout: wrapClear(orig.clearTimeout),
    clearInterval: wrapClear(orig.clearInterval),
  };
  Object.assign(globalThis, patched);
  Object.assign(timers, patched);
  syncBuiltinESMExports();

  const file = `${dir}/${process.pid}.json`;
  const write = (): void => {
    const resources: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
    const reading: ProbeReading = { pid: process.pid, at: Date.now(), timers: live.size, resources, memory: process.memoryUsage() };
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(reading));
      renameSync(`${file}.tmp`, file);
    } catch { /* the soak's dir is gone: it is stopping */ }
  };
  // The first reading comes PROBE_MS after start, when the process has set itself up.
  orig.setInterval(write, PROBE_MS).unref(); // not wrapped: the probe's own timer is not counted
}

const dir = process.env[PROBE_DIR_ENV];
if (dir !== undefined && dir !== '' && isMainThread) install(dir);
