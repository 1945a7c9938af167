/**
 * `npm run bench -- --live [--seconds 60 | --quick] [--connections 50] [--rows same,cross,replay]
 *                          [--replay-pps 200000] [--server-cpu 1] [--worker-nice N] [--keep-entries]`
 *
 * Live load: keep-alive HTTP through the cluster lab on this machine, with
 * the capture workers' kernel drops, CPU per packet and entry count.
 * Needs root, nginx, wrk, curl, taskset, tcpreplay and the libpcap addon.
 *
 * Rows: `same` (wrk → nginx on node1), `cross` (wrk on node1 → nginx on
 * node2), both real traffic, whose rate is what wrk and nginx reach when
 * they share one core; and `replay`: the benchmark recording (real nginx ←
 * wrk traffic) replayed by tcpreplay between two node1 pods at --replay-pps
 * (live-replay.ts), which reaches rates wrk cannot here.
 *
 * Steps, per row:
 *  1. One lab for all rows: node1 (bridge) with `wrk`, `nginx-1`,
 *     `replay-client` and `replay-server`, node2 (routed) with `nginx-2`;
 *     every pod targeted (no rules).
 *  2. `podtap worker` per node the traffic crosses, as a child inside that
 *     node's namespace pinned to WORKER_CPU (live-worker.ts); wait until its
 *     captures are open.
 *  3. Sample worker CPU (/proc/<pid>/stat) and counters (/metrics), run the
 *     load pinned to LOAD_CPU for --seconds, wait DRAIN_MS, sample again:
 *     rates and CPU are the deltas over the load's wall time.
 *  4. Stop the workers (SIGTERM: ring drained, entries flushed), tally their
 *     JSONL against the client side's counts.
 *  5. Kernel drops: rerun the row with half the connections (wrk rows, down
 *     to MIN_CONNECTIONS) or REPLAY_BACKOFF of the rate (replay, down to
 *     LIVE_MIN_PACKETS_PER_SECOND) and report the highest rate without drops.
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
import { ensureCapture } from './capture.js';
import { NGINX_PORT, type WrkCounts } from './http-load.js';
import { emptyTally, tallyJsonlFile } from './live-entries.js';
import { buildReplayFile, replaySkipReason, runTcpreplay, prepareReplayServer, type ReplayFile } from './live-replay.js';
import { loadSkipReason, runWrk, startNginx } from './live-load.js';
import { checkRow, formatLiveTable, LIVE_MIN_PACKETS_PER_SECOND, type LiveRow } from './live-report.js';
import { startWorkerProcess, type WorkerCounters, type WorkerProcess, type WorkerSample } from './live-worker.js';
import { describeMachine } from './report.js';

export const LIVE_SECONDS = 60;
export const LIVE_QUICK_SECONDS = 10;
export const LIVE_CONNECTIONS = 50;
/** Lowest wrk -c tried when the workers drop packets. */
export const MIN_CONNECTIONS = 4;
/** The replay row's first rate, packets/s (--replay-pps). */
export const REPLAY_PPS = 200_000;
/** On kernel drops the replay row retries at this share of the rate. */
const REPLAY_BACKOFF = 0.8;
/** Packets the benchmark recording must hold at least (any recording `npm run bench` made does; it is repeated). */
const RECORDING_PACKETS = 100_000;
/** wrk's CPU; nginx shares it by default (--server-cpu), so the workers get the other one to themselves. */
export const LOAD_CPU = '1';
export const WORKER_CPU = '0';
/** After wrk exits: the ring's block timeout (50 ms) and the worker's tick, with margin. */
const DRAIN_MS = 1_500;
const METRICS_PORT = 19_190;

interface Scenario {
  name: string;
  kind: 'wrk' | 'replay';
  client: string;
  server: string;
  /** Nodes whose worker runs, and the interfaces each must open. */
  workers: Array<{ node: string; interfaces: number }>;
}

const SCENARIOS: Scenario[] = [
  { name: 'same node', kind: 'wrk', client: 'default/wrk', server: 'default/nginx-1', workers: [{ node: 'node1', interfaces: 4 }] },
  { name: 'cross node', kind: 'wrk', client: 'default/wrk', server: 'default/nginx-2', workers: [{ node: 'node1', interfaces: 4 }, { node: 'node2', interfaces: 1 }] },
  { name: 'replay', kind: 'replay', client: 'default/replay-client', server: 'default/replay-server', workers: [{ node: 'node1', interfaces: 4 }] },
];

function liveSpec(): ClusterSpec {
  return {
    nodes: [
      { name: 'node1', cni: 'bridge', pods: [
        { name: 'wrk', labels: { app: 'wrk' } }, { name: 'nginx-1', labels: { app: 'nginx' } },
        { name: 'replay-client', labels: { app: 'replay' } }, { name: 'replay-server', labels: { app: 'replay' } },
      ] },
      { name: 'node2', cni: 'routed', pods: [{ name: 'nginx-2', labels: { app: 'nginx' } }] },
    ],
    services: [],
    outside: false,
  };
}

const log = (line: string): void => void process.stdout.write(line + '\n');

/** Busy and total jiffies per CPU from /proc/stat (busy = all but idle and iowait). */
async function replayLoad(lab: ClusterLab, sc: Scenario, replay: ReplayFile, pps: number, recordingConnections: number): Promise<LoadRun> {
  const r = await runTcpreplay(lab, sc.client, replay, { pps, cpu: LOAD_CPU });
  if (r.failed > 0 || r.sent !== replay.packets) throw new Error(`tcpreplay sent ${r.sent} of ${replay.packets} packets (${r.failed} failed)`);
  return { label: `tcpreplay ${pps} pps`, wallSeconds: r.wallSeconds, counts: replay.expected, connections: recordingConnections * replay.repetitions };
}

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

/** One run of a row's load: its wall time and the client side's counts. */
interface LoadRun {
  label: string;
  wallSeconds: number;
  counts: WrkCounts;
  /** Connections that may have a request in flight at the stop. */
  connections: number;
}

async function runRow(lab: ClusterLab, sc: Scenario, o: RowOptions, tagSuffix: string, load: () => Promise<LoadRun>): Promise<LiveRow> {
  const { dir, inventory } = o;
  const tag = `${sc.name.replace(/\W+/g, '-')}-${tagSuffix}`;
  const workers: WorkerProcess[] = [];
  try {
    for (const [i, w] of sc.workers.entries()) {
      workers.push(await startWorkerProcess({ lab, node: w.node, inventory, out: join(dir, `${tag}-${w.node}.jsonl`), cpu: WORKER_CPU, metricsPort: METRICS_PORT + i, expectInterfaces: w.interfaces, nice: o.nice }));
    }
    await sleep(300);
    const base = await Promise.all(workers.map((w) => w.sample()));
    const cpu0 = await cpuJiffies();
    log(`  ${sc.name}: ${tagSuffix} (${sc.client} → ${sc.server}), workers on ${sc.workers.map((w) => w.node).join(' + ')}…`);
    const wrk = await load();
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
      load: wrk.label,
      connections: wrk.connections,
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
      rows: { type: 'string', default: 'same,cross,replay' },
      'replay-pps': { type: 'string', default: String(REPLAY_PPS) },
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
  if (scenarios.length === 0) throw new Error(`--rows: expected same, cross and/or replay, got ${values.rows}`);
  const replayPps = Number(values['replay-pps']);
  if (!Number.isSafeInteger(replayPps) || replayPps < 1000 || replayPps > 10_000_000) throw new Error(`--replay-pps: expected 1000 to 10000000, got ${values['replay-pps']}`);
  const replaying = scenarios.some((s) => s.kind === 'replay');
  const skip = clusterLabSkipReason() ?? pcapAddonSkipReason() ?? loadSkipReason() ?? podtapSkipReason() ?? (replaying ? replaySkipReason() : undefined);
  if (skip !== undefined) throw new Error(`cannot run the live benchmark: ${skip}`);

  const m = describeMachine();
  log(`podtap live bench — ${m.date}\nmachine: ${m.nproc} CPUs, ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}`);
  const placement = `wrk on CPU ${LOAD_CPU}, nginx on CPU ${serverCpu}, podtap worker(s) on CPU ${WORKER_CPU}${nice === undefined ? '' : ` (nice ${nice})`}`;
  log(`${placement}; ${seconds}s per row`);
  const root = join(packageRoot(), '.bench');
  const dir = join(root, 'live');
  await mkdir(dir, { recursive: true });
  const recording = replaying ? await ensureCapture(root, RECORDING_PACKETS, LIVE_CONNECTIONS, false) : undefined;
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
    const rowOptions: RowOptions = { dir, inventory, seconds, keepEntries: values['keep-entries'] ?? false, nice };
    const report = (row: LiveRow): void => {
      attempts.push(row);
      log(`    ${Math.round(row.processedPerSecond)} packets/s processed, ${row.counters.kernelDrops} kernel drops, worker CPU ${row.workerCpuPercent.toFixed(0)}%, CPUs busy ${JSON.stringify(row.cpuBusyPercent)}`);
    };
    for (const sc of scenarios) {
      if (sc.kind === 'replay') {
        if (recording === undefined) throw new Error('replay row without a recording');
        const serverMac = await prepareReplayServer(lab, sc.server);
        const replay = await buildReplayFile(lab, {
          recording: recording.file, recordingPackets: recording.packets, wrk: recording.wrk, serverPort: NGINX_PORT,
          clientPod: sc.client, serverPod: sc.server, serverMac, packets: replayPps * seconds, file: join(dir, 'replay.pcap'), log,
        });
        log(`  replay file: ${replay.repetitions} × ${recording.packets} packets of ${recording.file} → ${replay.packets} packets`);
        for (let pps = replayPps; ;) {
          const row = await runRow(lab, sc, rowOptions, `tcpreplay ${pps} pps`, () => replayLoad(lab, sc, replay, pps, recording.connections));
          report(row);
          const next = Math.floor(pps * REPLAY_BACKOFF);
          if (row.counters.kernelDrops === 0 || next < LIVE_MIN_PACKETS_PER_SECOND) { rows.push(row); break; }
          log(`    kernel drops at ${pps} packets/s: retrying at ${next}`);
          pps = next;
        }
        continue;
      }
      for (let c = connections; ;) {
        const row = await runRow(lab, sc, rowOptions, `wrk -c ${c}`, async () => {
          const w = await runWrk(lab, sc.client, sc.server, { dir, cpu: LOAD_CPU, connections: c, seconds });
          return { label: `wrk -c ${c}`, wallSeconds: w.wallSeconds, counts: w.counts, connections: c };
        });
        report(row);
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
  log(`rates: per second of the load's run; processed = unique packets (each counted once); captured = kernel-delivered (same node: seen on both pods' veths)\n`);
  log(formatLiveTable(attempts));
  for (const r of rows) {
    const t = r.entries;
    log(`\n${r.scenario} (${r.load}): ${r.path}`);
    const client = r.load.startsWith('wrk') ? 'wrk' : 'the recording\'s wrk × repetitions';
    log(`  entries: ${t.httpRequests} HTTP requests (${t.httpComplete} complete + ${t.httpNoResponse} no-response); ${client} wrote ${r.wrk.sent}, completed ${r.wrk.completed} (+${r.wrk.sent - r.wrk.completed} in flight at stop, at most one per connection)`);
    const others = (r.cpuBusyPercent[`cpu${WORKER_CPU}`] ?? 0) - r.workerCpuPercent;
    log(`  CPUs busy over the run: ${Object.entries(r.cpuBusyPercent).map(([k, v]) => `${k} ${v}%`).join(', ')}; worker ${r.workerCpuSeconds.toFixed(2)} s CPU; other processes on cpu${WORKER_CPU}: ~${Math.max(0, others).toFixed(0)}%`);
    const dropped = attempts.filter((a) => a.scenario === r.scenario && a.counters.kernelDrops > 0);
    if (dropped.length) log(`  the worker dropped packets at ${dropped.map((a) => a.load).join(', ')}: highest rate without drops is this row's`);
    log(`  ${r.pass ? 'PASS' : 'FAIL'}${r.problems.length ? ': ' + r.problems.join('; ') : ''}`);
  }
  // wrk's rate is the generator's limit, not the worker's: the rate bar is met when
  // some row reaches it; drops and entries must be right in every row.
  const rateMet = rows.some((r) => r.checks.rate);
  const pass = rows.length === scenarios.length && rows.every((r) => r.checks.noDrops && r.checks.entries) && rateMet;
  log(`\nhighest processed rate without kernel drops: ${Math.round(Math.max(0, ...rows.filter((r) => r.checks.noDrops).map((r) => r.processedPerSecond)))} packets/s (bar ${LIVE_MIN_PACKETS_PER_SECOND}): ${rateMet ? 'PASS' : 'FAIL'}`);
  const file = join(root, 'last-live.json');
  await writeFile(file, JSON.stringify({ machine: m, wrkCpu: LOAD_CPU, serverCpu, workerCpu: WORKER_CPU, workerNice: nice ?? null, seconds, server, minPacketsPerSecond: LIVE_MIN_PACKETS_PER_SECOND, rows, attempts, pass }, null, 2) + '\n');
  log(`\n${pass ? 'PASS' : 'FAIL'}; results written to ${file}`);
  return pass ? 0 : 1;
}
