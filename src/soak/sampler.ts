/**
 * Every `intervalMs`, for each podtap process: resident set size and threads
 * (/proc/<pid>/status VmRSS, Threads), open file descriptors (entries of
 * /proc/<pid>/fd), the capture rings mapped (/proc/<pid>/smaps: each open
 * capture maps its TPACKET_V3 ring, a `socket:[inode]` mapping resident in
 * full from the start, 32 MiB by default) and the probe's last reading
 * (probe.ts: timers, active resources, heap). A process is tracked under a stable name (`worker
 * node1`, `hub`) with an instance number that grows when it is replaced
 * (the hub's restarts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeReading } from './probe.js';

/** A probe reading older than this is not used (the probe writes every PROBE_MS). */
export const PROBE_MAX_AGE_MS = 15_000;

export interface ProcSample {
  /** Seconds since the load started (negative: before). */
  t: number;
  proc: string;
  instance: number;
  pid: number;
  /** `baseline` (before churn), `final` (after churn, same pods as baseline), or none. */
  label?: 'baseline' | 'final';
  rssKiB: number;
  /** Resident KiB of capture rings (part of rssKiB), and how many are mapped. */
  ringKiB: number;
  rings: number;
  threads: number;
  fds: number;
  /** From the probe, when it answered. */
  timers?: number;
  resources?: number;
  resourceTypes?: Record<string, number>;
  heapUsedKiB?: number;
  heapTotalKiB?: number;
  externalKiB?: number;
}

/** Resident KiB and count of the `socket:[…]` mappings in smaps text (packet rings). */
export function socketMappings(smaps: string): { ringKiB: number; rings: number } {
  let ringKiB = 0, rings = 0, inSocket = false;
  for (const line of smaps.split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) {
      inSocket = / socket:\[\d+\]$/.test(line);
      if (inSocket) rings++;
    } else if (inSocket && line.startsWith('Rss:')) {
      ringKiB += Number(/(\d+) kB/.exec(line)?.[1] ?? 0);
    }
  }
  return { ringKiB, rings };
}

/** VmRSS, Threads, the fd count and the rings of `pid`, or null when it is gone. */
export function readProc(pid: number): { rssKiB: number; ringKiB: number; rings: number; threads: number; fds: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    const threads = /^Threads:\s+(\d+)$/m.exec(status)?.[1];
    if (rss === undefined || threads === undefined) return null;
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    return { rssKiB: Number(rss), ...socketMappings(readFileSync(`/proc/${pid}/smaps`, 'utf8')), threads: Number(threads), fds };
  } catch {
    return null;
  }
}

export function readProbe(dir: string, pid: number, now = Date.now()): ProbeReading | null {
  try {
    const r = JSON.parse(readFileSync(join(dir, `${pid}.json`), 'utf8')) as ProbeReading;
    return now - r.at <= PROBE_MAX_AGE_MS ? r : null;
  } catch {
    return null;
  }
}

export class Sampler {
  readonly samples: ProcSample[] = [];
  private readonly tracked = new Map<string, { pid: number; instance: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly probeDir: string, private readonly t0: () => number) {}

  track(proc: string, pid: number): void {
    const old = this.tracked.get(proc);
    this.tracked.set(proc, { pid, instance: (old?.instance ?? 0) + 1 });
  }

  untrack(proc: string): void {
    const old = this.tracked.get(proc);
    if (old !== undefined) this.tracked.set(proc, { pid: 0, instance: old.instance });
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One sample of every tracked process now. */
  sample(label?: ProcSample['label']): void {
    const now = Date.now();
    for (const [proc, { pid, instance }] of this.tracked) {
      if (pid === 0) continue;
      const p = readProc(pid);
      if (p === null) continue;
      const probe = readProbe(this.probeDir, pid, now);
      this.samples.push({
        t: Math.round((now - this.t0()) / 100) / 10, proc, instance, pid, ...(label === undefined ? {} : { label }), ...p,
        ...(probe === null ? {} : {
          timers: probe.timers,
          resources: Object.values(probe.resources).reduce((a, b) => a + b, 0),
          resourceTypes: probe.resources,
          heapUsedKiB: Math.round(probe.memory.heapUsed / 1024),
          heapTotalKiB: Math.round(probe.memory.heapTotal / 1024),
          externalKiB: Math.round(probe.memory.external / 1024),
        }),
      });
    }
  }
}
