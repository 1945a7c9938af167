/**
 * `npm run bench -- --live [--seconds 60 | --quick] [--connections 50] [--rows same,cross]
 *                          [--server-cpu 1] [--worker-nice N] [--keep-entries]`
 *
 * Live load: the highest keep-alive HTTP packet rate wrk reaches in the
 * cluster lab on this machine, with the capture workers' kernel drops, CPU
 * per packet and entry count. Needs root, nginx, wrk, curl, taskset and the
 * libpcap addon.
 *
 * Steps, per row (same node: wrk → nginx on node1; cross node: wrk on node1
 * → nginx on node2):
 *  1. One lab for all rows: node1 (bridge) with `wrk` and `nginx-1`, node2
 *     (routed) with `nginx-2`; every pod targeted (no rules).
 *  2. `podtap worker` per node the traffic crosses, as a child inside that
 *     node's namespace pinned to WORKER_CPU (live-worker.ts); wait until its
 *     captures are open.
 *  3. Sample worker CPU (/proc/<pid>/stat) and counters (/metrics), run wrk
 *     pinned to LOAD_CPU for --seconds, wait DRAIN_MS, sample again: rates
 *     and CPU are the deltas over wrk's wall time.
 *  4. Stop the workers (SIGTERM: ring drained, entries flushed), tally their
 *     JSONL against wrk's Lua counts.
 *  5. Kernel drops: rerun the row with half the connections (down to
 *     MIN_CONNECTIONS) and report the highest rate without drops.
 * Prints the table and writes .bench/last-live.json. The per-CPU busy share
 * shows when other processes take the workers' CPU (a shared machine): the
 * drops are then not the worker's own limit; --worker-nice -10 puts it first.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildClusterLab, clusterLabSkipReason, type ClusterLab } from '../lab/cluster/lab.js';
import type { ClusterSpec } from '../lab/cluster/spec.js';
import { sleep } from '../lab/proc.js';
import { podtapSkipReason } from '../lab/podtap-cli.js';
import { pcapAddonSkipReason } from '../live/native.js';
import { packageRoot } from '../util/paths.js';
import { emptyTally, tallyJsonlFile } from './live-entries.js';
import { loadSkipReason, runWrk, startNginx } from './live-load.js';
import { checkRow, formatLiveTable, LIVE_MIN_PACKETS_PER_SECOND, type LiveRow } from './live-report.js';
import { startWorkerProcess, type WorkerCounters, type WorkerProcess, type WorkerSample } from './live-worker.js';
import { describeMachine } from './report.js';

export const LIVE_SECONDS = 60;
export const LIVE_QUICK_SECONDS = 10;
export const LIVE_CONNECTIONS = 50;
/** Lowest wrk -c tried when the workers drop packets. */
export const MIN_CONNECTIONS = 4;
/** wrk's CPU; nginx shares it by default (--server-cpu), so the workers get the other one to themselves. */
export const LOAD_CPU = '1';
export const WORKER_CPU = '0';
/** After wrk exits: the ring's block timeout (50 ms) and the worker's tick, with margin. */
const DRAIN_MS = 1_500;
const METRICS_PORT = 19_190;

interface Scenario {
  name: string;
  client: string;
  server: string;
  /** Nodes whose worker runs, and the interfaces each must open. */
  workers: Array<{ node: string; interfaces: number }>;
}

const SCENARIOS: Scenario[] = [
  { name: 'same node', client: 'default/wrk', server: 'default/nginx-1', workers: [{ node: 'node1', interfaces: 2 }] },
  { name: 'cross node', client: 'default/wrk', server: 'default/nginx-2', workers: [{ node: 'node1', interfaces: 2 }, { node: 'node2', interfaces: 1 }] },
];

function liveSpec(): ClusterSpec {
  return {
    nodes: [
      { name: 'node1', cni: 'bridge', pods: [{ name: 'wrk', labels: { app: 'wrk' } }, { name: 'nginx-1', labels: { app: 'nginx' } }] },
      { name: 'node2', cni: 'routed', pods: [{ name: 'nginx-2', labels: { app: 'nginx' } }] },
    ],
    services: [],
    outside: false,
  };
}

const log = (line: string): void => void process.stdout.write(line + '\n');

/** Busy and total jiffies per CPU from /proc/stat (busy = all but idle and iowait). */
async function cpuJiffies(): Promise<Map<string, { busy: number; total: number }>> {
  const out = new Map<string, { busy: number; total: number }>();
  for (const line of (await readFile('/proc/stat', 'utf8')).split('\n')) {
    const m = /^(cpu\d+) (.*)$/.exec(line);
    if (!m) continue;
    const v = (m[2] ?? '').trim().split(/\s+/).map(Number);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    out.set(m[1] ?? '', { busy: total - (v[3] ?? 0) - (v[4] ?? 0), total });
  }
  return out;
}

function sumCounters(samples: WorkerSample[], base: WorkerSample[]): WorkerCounters {
  const c: WorkerCounters = { captured: 0, processed: 0, duplicate: 0, untargeted: 0, kernelDrops: 0, entries: 0 };
  samples.forEach((s, i) => {
    for (const k of Object.keys(c) as Array<keyof WorkerCounters>) c[k] += s.counters[k] - (base[i]?.counters[k] ?? 0);
  });
  return c;
}

interface RowOptions { dir: string; inventory: string; seconds: number; keepEntries: boolean; nice: number | undefined }

async function runRow(lab: ClusterLab, sc: Scenario, o: RowOptions, connections: number): Promise<LiveRow> {
  const { dir, inventory, seconds } = o;
  const tag = `${sc.name.replace(/\W+/g, '-')}-c${connections}`;
  const workers: WorkerProcess[] = [];
  try {
    for (const [i, w] of sc.workers.entries()) {
      workers.push(await startWorkerProcess({ lab, node: w.node, inventory, out: join(dir, `${tag}-${w.node}.jsonl`), cpu: WORKER_CPU, metricsPort: METRICS_PORT + i, expectInterfaces: w.interfaces, nice: o.nice }));
    }
    await sleep(300);
    const base = await Promise.all(workers.map((w) => w.sample()));
    const cpu0 = await cpuJiffies();
    log(`  ${sc.name}: wrk -t1 -c ${connections} for ${seconds}s (${sc.client} → ${sc.server}), workers on ${sc.workers.map((w) => w.node).join(' + ')}…`);
    const wrk = await runWrk(lab, sc.client, sc.server, { dir, cpu: LOAD_CPU, connections, seconds });
    const cpu1 = await cpuJiffies();
    await sleep(DRAIN_MS);
    const end = await Promise.all(workers.map((w) => w.sample()));
    const stops = await Promise.all(workers.splice(0).map((w) => w.stop().then((s) => ({ ...s, node: w.node, out: w.out }))));
    for (const s of stops) {
      if (s.code !== 0) throw new Error(`podtap worker ${s.node} exited ${s.code}: ${s.stderr.trim()}`);
      log(`    ${s.node}: ${s.totals}`);
    }
    const entries = emptyTally();
    for (const s of stops) {
      await tallyJsonlFile(s.out, entries);
      if (!o.keepEntries) await rm(s.out, { force: true });
    }
    const counters = sumCounters(end, base);
    const cpuSeconds = end.reduce((a, s, i) => a + s.cpuSeconds - (base[i]?.cpuSeconds ?? 0), 0);
    const busy: Record<string, number> = {};
    for (const [name, b] of cpu1) {
      const a = cpu0.get(name);
      if (a && b.total > a.total) busy[name] = Math.round((100 * (b.busy - a.busy)) / (b.total - a.total));
    }
    const s = wrk.wallSeconds;
    return checkRow({
      scenario: sc.name,
      path: `${sc.client} (${lab.pod(sc.client).node}) → ${sc.server} (${lab.pod(sc.server).node})`,
      nodes: sc.workers.map((w) => w.node),
      connections,
      seconds: s,
      counters,
      capturedPerSecond: counters.captured / s,
      processedPerSecond: counters.processed / s,
      workerCpuSeconds: cpuSeconds,
      workerCpuPercent: (100 * cpuSeconds) / s,
      usPerCapturedPacket: (1e6 * cpuSeconds) / Math.max(1, counters.captured),
      usPerProcessedPacket: (1e6 * cpuSeconds) / Math.max(1, counters.processed),
      cpuBusyPercent: busy,
      wrk: wrk.counts,
      entries,
    });
  } finally {
    await Promise.all(workers.map((w) => w.stop().catch(() => undefined)));
  }
}

export async function runLiveBench(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args: args.filter((a) => a !== '--live'),
    options: {
      quick: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      connections: { type: 'string', default: String(LIVE_CONNECTIONS) },
      rows: { type: 'string', default: 'same,cross' },
      'server-cpu': { type: 'string', default: LOAD_CPU },
      'keep-entries': { type: 'boolean', default: false },
      'worker-nice': { type: 'string' },
    },
  });
  const seconds = Number(values.seconds ?? (values.quick ? LIVE_QUICK_SECONDS : LIVE_SECONDS));
  const connections = Number(values.connections);
  if (!Number.isSafeInteger(seconds) || seconds < 2 || seconds > 3600) throw new Error(`--seconds: expected 2 to 3600, got ${values.seconds}`);
  if (!Number.isSafeInteger(connections) || connections < 1 || connections > 1000) throw new Error(`--connections: expected 1 to 1000, got ${values.connections}`);
  const serverCpu = values['server-cpu'] ?? LOAD_CPU;
  if (!/^\d+$/.test(serverCpu)) throw new Error(`--server-cpu: expected a CPU number, got ${serverCpu}`);
  const nice = values['worker-nice'] === undefined ? undefined : Number(values['worker-nice']);
  if (nice !== undefined && !(Number.isInteger(nice) && nice >= -20 && nice <= 19)) throw new Error(`--worker-nice: expected -20 to 19, got ${values['worker-nice']}`);
  const wanted = (values.rows ?? '').split(',').map((r) => r.trim());
  const scenarios = SCENARIOS.filter((s) => wanted.includes(s.name.split(' ')[0] ?? ''));
  if (scenarios.length === 0) throw new Error(`--rows: expected same and/or cross, got ${values.rows}`);
  const skip = clusterLabSkipReason() ?? pcapAddonSkipReason() ?? loadSkipReason() ?? podtapSkipReason();
  if (skip !== undefined) throw new Error(`cannot run the live benchmark: ${skip}`);

  const m = describeMachine();
  log(`podtap live bench — ${m.date}\nmachine: ${m.nproc} CPUs, ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}`);
  const placement = `wrk on CPU ${LOAD_CPU}, nginx on CPU ${serverCpu}, podtap worker(s) on CPU ${WORKER_CPU}${nice === undefined ? '' : ` (nice ${nice})`}`;
  log(`${placement}; ${seconds}s per row`);
  const root = join(packageRoot(), '.bench');
  const dir = join(root, 'live');
  await mkdir(dir, { recursive: true });
  const lab = await buildClusterLab(liveSpec());
  const rows: LiveRow[] = [];
  const attempts: LiveRow[] = [];
  let server = '';
  try {
    const inventory = join(dir, 'inventory.json');
    await lab.writeInventory(inventory);
    server = await startNginx(lab, 'default/nginx-1', 'default/wrk', dir, serverCpu);
    await startNginx(lab, 'default/nginx-2', 'default/wrk', dir, serverCpu);
    log(`lab ${lab.id} built in ${lab.timings.buildMs} ms; ${server} in nginx-1 (node1) and nginx-2 (node2)`);
    for (const sc of scenarios) {
      let c = connections;
      for (;;) {
        const row = await runRow(lab, sc, { dir, inventory, seconds, keepEntries: values['keep-entries'] ?? false, nice }, c);
        attempts.push(row);
        log(`    ${Math.round(row.processedPerSecond)} packets/s processed, ${row.counters.kernelDrops} kernel drops, worker CPU ${row.workerCpuPercent.toFixed(0)}%, CPUs busy ${JSON.stringify(row.cpuBusyPercent)}`);
        if (row.counters.kernelDrops === 0 || c <= MIN_CONNECTIONS) { rows.push(row); break; }
        const next = Math.max(MIN_CONNECTIONS, Math.floor(c / 2));
        log(`    kernel drops at -c ${c}: the worker is the bottleneck; retrying with -c ${next}`);
        c = next;
      }
    }
  } finally {
    await lab.teardown();
  }

  log(`\npodtap live bench — ${m.date}`);
  log(`machine: nproc ${m.nproc}, ${m.cpuModel}; ${server}, wrk -t1 keep-alive; ${placement}`);
  log(`rates: per second of wrk's run; processed = unique packets (each counted once); captured = kernel-delivered (same node: seen on both pods' veths)\n`);
  log(formatLiveTable(attempts));
  for (const r of rows) {
    const t = r.entries;
    log(`\n${r.scenario} (-c ${r.connections}): ${r.path}`);
    log(`  entries: ${t.httpRequests} HTTP requests (${t.httpComplete} complete + ${t.httpNoResponse} no-response); wrk wrote ${r.wrk.sent}, completed ${r.wrk.completed} (+${r.wrk.sent - r.wrk.completed} in flight at stop, at most one per connection)`);
    const others = (r.cpuBusyPercent[`cpu${WORKER_CPU}`] ?? 0) - r.workerCpuPercent;
    log(`  CPUs busy over the run: ${Object.entries(r.cpuBusyPercent).map(([k, v]) => `${k} ${v}%`).join(', ')}; worker ${r.workerCpuSeconds.toFixed(2)} s CPU; other processes on cpu${WORKER_CPU}: ~${Math.max(0, others).toFixed(0)}%`);
    const dropped = attempts.filter((a) => a.scenario === r.scenario && a.counters.kernelDrops > 0);
    if (dropped.length) log(`  the worker dropped packets at -c ${dropped.map((a) => a.connections).join(', ')}: highest rate without drops is this row's`);
    log(`  ${r.pass ? 'PASS' : 'FAIL'}${r.problems.length ? ': ' + r.problems.join('; ') : ''}`);
  }
  const pass = rows.length === scenarios.length && rows.every((r) => r.pass);
  const file = join(root, 'last-live.json');
  await writeFile(file, JSON.stringify({ machine: m, wrkCpu: LOAD_CPU, serverCpu, workerCpu: WORKER_CPU, workerNice: nice ?? null, seconds, server, minPacketsPerSecond: LIVE_MIN_PACKETS_PER_SECOND, rows, attempts, pass }, null, 2) + '\n');
  log(`\n${pass ? 'PASS' : 'FAIL'}; results written to ${file}`);
  return pass ? 0 : 1;
}
