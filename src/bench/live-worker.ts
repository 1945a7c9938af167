/**
 * A `podtap worker` child for the live benchmark, run the way a DaemonSet pod
 * with hostNetwork runs: inside the node's network namespace, pinned to one
 * CPU. Its /metrics listens on the node namespace's loopback and is scraped
 * with curl from inside that namespace, so no benchmark traffic leaves the lab.
 *
 * Lifecycle: 1. `startWorkerProcess()` spawns it and waits until /metrics
 * answers with every expected capture point open; 2. `sample()` reads
 * utime+stime from /proc/<pid>/stat and the counters from /metrics;
 * 3. `stop()` sends SIGTERM (the worker drains the ring, flushes its entries)
 * and returns the totals it prints on exit.
 */
import { readFile } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import type { ClusterLab } from '../lab/cluster/lab.js';
import { sleep } from '../lab/proc.js';
import { podtapBin } from '../lab/podtap-cli.js';

/** How long a worker may take to open its captures. */
export const WORKER_READY_TIMEOUT_MS = 15_000;
/** Linux USER_HZ: the unit of utime/stime in /proc/<pid>/stat on every mainstream architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;
/** Most stderr kept from a worker. */
const MAX_STDERR_CHARS = 16 * 1024;

/** The worker's Prometheus counters, summed over interfaces (and protocols for entries). */
export interface WorkerCounters {
  captured: number;
  processed: number;
  duplicate: number;
  untargeted: number;
  kernelDrops: number;
  entries: number;
}

export interface WorkerSample {
  /** process.hrtime in seconds. */
  at: number;
  /** utime + stime of the worker process, seconds. */
  cpuSeconds: number;
  counters: WorkerCounters;
}

export interface WorkerProcess {
  node: string;
  pid: number;
  out: string;
  sample(): Promise<WorkerSample>;
  /** SIGTERM; resolves with the exit code and the totals line the worker printed. */
  stop(): Promise<{ code: number | null; totals: string; stderr: string }>;
}

export interface WorkerProcessOptions {
  lab: ClusterLab;
  node: string;
  inventory: string;
  out: string;
  cpu: string;
  metricsPort: number;
  /** Interfaces the worker must have open before the run starts. */
  expectInterfaces: number;
  /** Run under `nice -n` this value (negative: ahead of other work on a shared machine). */
  nice?: number;
}

const METRIC_KEYS: Record<string, keyof WorkerCounters> = {
  podtap_packets_captured_total: 'captured',
  podtap_packets_processed_total: 'processed',
  podtap_packets_duplicate_total: 'duplicate',
  podtap_packets_untargeted_total: 'untargeted',
  podtap_kernel_drops_total: 'kernelDrops',
  podtap_entries_total: 'entries',
};

/** Sums each podtap counter over its label sets in Prometheus text format. */
export function parseWorkerMetrics(text: string): WorkerCounters & { bpfInterfaces: number } {
  const c = { captured: 0, processed: 0, duplicate: 0, untargeted: 0, kernelDrops: 0, entries: 0, bpfInterfaces: 0 };
  for (const line of text.split('\n')) {
    const m = /^(\w+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m) continue;
    const name = m[1] ?? '';
    const value = Number(m[3]);
    const key = METRIC_KEYS[name];
    if (key !== undefined) c[key] += value;
    else if (name === 'podtap_bpf_instructions' && value > 0) c.bpfInterfaces++;
  }
  return c;
}

/** utime + stime of `pid` in seconds (fields 14 and 15, counted after the `)` ending the command name). */
export async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND; // fields[0] is field 3 (state)
}

export async function startWorkerProcess(o: WorkerProcessOptions): Promise<WorkerProcess> {
  const listen = `127.0.0.1:${o.metricsPort}`;
  const nice = o.nice === undefined ? [] : ['nice', '-n', String(o.nice)];
  const argv = [...nice, 'taskset', '-c', o.cpu, process.execPath, podtapBin(), 'worker', '--node', o.node, '--inventory', o.inventory, '--out', o.out, '--metrics-listen', listen];
  // `ip netns exec`, `nice` and `taskset` all exec, so the child's pid is node's own.
  const child: ChildProcess = o.lab.spawn(o.node, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-MAX_STDERR_CHARS)));
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`podtap worker for ${o.node} did not start`);
  const scrape = async (): Promise<ReturnType<typeof parseWorkerMetrics> | undefined> => {
    const r = await o.lab.exec(o.node, ['curl', '-s', '--max-time', '5', `http://${listen}/metrics`], { check: false, timeoutMs: 10_000 });
    return r.code === 0 && r.stdout.includes('podtap_') ? parseWorkerMetrics(r.stdout) : undefined;
  };
  const deadline = Date.now() + WORKER_READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`podtap worker for ${o.node} exited ${child.exitCode}: ${stderr.trim()}`);
    const m = await scrape();
    if (m !== undefined && m.bpfInterfaces >= o.expectInterfaces) break;
    if (Date.now() > deadline) throw new Error(`podtap worker for ${o.node} did not open ${o.expectInterfaces} captures in time: ${stderr.trim()}`);
    await sleep(200);
  }
  return {
    node: o.node,
    pid,
    out: o.out,
    async sample() {
      const at = Number(process.hrtime.bigint()) / 1e9;
      const cpuSeconds = await processCpuSeconds(pid);
      const m = await scrape();
      if (m === undefined) throw new Error(`cannot scrape podtap worker ${o.node} /metrics: ${stderr.trim()}`);
      const { bpfInterfaces: _ignored, ...counters } = m;
      return { at, cpuSeconds, counters };
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await closed; // 'close', not 'exit': stderr is read to its end
      const totals = /podtap worker: captured .*/.exec(stderr)?.[0] ?? '';
      return { code, totals, stderr };
    },
  };
}
