/**
 * The soak run (`npm run soak`, and soak.test.ts for a minute):
 *
 *  1. preflight (the demo's: root, Linux, tools, capture addon, npm
 *     packages; and a built CLI); stale soak labs and temp dirs are swept;
 *  2. the cluster lab (spec.ts) is built while PostgreSQL is prepared;
 *     the inventory file is written;
 *  3. `podtap hub` and one `podtap worker` per node start as child
 *     processes (podtap-procs.ts), each with the probe preloaded;
 *  4. the shop's servers and programs start (the demo's, as background
 *     load), then the counting web servers and the two steady clients;
 *  5. t = 0: baseline sample, then a sample every `sampleMs`; the churn
 *     starts; the hub is stopped and started again `hubRestarts` times,
 *     evenly spread (at 1/3 and 2/3 for two);
 *  6. at `minutes`: the churn stops (its pods finish and are deleted), the
 *     final sample is taken (same pods as the baseline), the steady clients
 *     stop and report;
 *  7. the workers' counters are read from the hub, the workers are stopped
 *     (they drain to the hub), the ledger is drawn from the hub's entries;
 *  8. everything is stopped and removed; logs are copied to `logDir`.
 *
 * The workers run with `--packet-ring 4m` (podtap's default is 64m): the
 * ring of raw packets for pcapng export is a bounded buffer that fills at
 * the rate packets come — on the quieter node of this load about 1 MiB a
 * minute — so a bigger one would still be filling during the measured
 * window and show designed growth as if it were a leak. The hub runs with
 * its defaults (retention at 1 GiB and 7 days); the report shows what
 * retention deleted in each hub process, which must be nothing for the
 * ledger to hold.
 */
import { cp, chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToken } from '../hub/auth.js';
import type { WorkerRecord } from '../hub/workers.js';
import { buildClusterLab, sweepStaleClusterLabs, type ClusterLab } from '../lab/cluster/lab.js';
import { startHttpServer, type HttpServer } from '../lab/cluster/workloads.js';
import { podtapSkipReason } from '../lab/podtap-cli.js';
import { sleep } from '../lab/proc.js';
import { startBackendApps, startFrontend } from '../demo/apps.js';
import { prepareDatabase, removeLeftoverShm, startDatabase, type Database } from '../demo/postgres.js';
import { demoProblem } from '../demo/preflight.js';
import type { DemoProcess } from '../demo/process.js';
import { startClusterDns, startMosquitto, startRedis } from '../demo/servers.js';
import { PODS } from '../demo/spec.js';
import { summarize } from './analysis.js';
import { Churn, inventoryWriter } from './churn.js';
import { startClient, type RunningClient } from './clients.js';
import { fetchStoredRequests, reconcileLedger } from './ledger.js';
import { SoakHub } from './hub-restarts.js';
import { metricValue, startWorker, workerMetrics, type PodtapProcess } from './podtap-procs.js';
import { PROBE_MS } from './probe.js';
import { goalsOf, type SoakReport, type WorkerCounters } from './report.js';
import type { ClientReport } from './request-ids.js';
import { logNotes } from './log-notes.js';
import { Sampler } from './sampler.js';
import { soakClusterSpec, STEADY_PODS, WEB_PODS, WEB_PORT } from './spec.js';

export interface SoakOptions {
  /** Minutes of load (the setup before and the ledger after are not counted). */
  minutes: number;
  /** Hub restarts, evenly spread over the load (k/(n+1) of it). */
  hubRestarts: number;
  /** A new churn pod every this many ms, and its client's request count and rate. */
  churnEveryMs: number;
  requestsPerPod: number;
  podRate: number;
  maxAlive: number;
  /** Requests a second of each steady client (one per node, the whole run). */
  steadyRate: number;
  /** Calls a second of the demo shop's frontend (0: no shop programs, servers only). */
  shopRate: number;
  sampleMs: number;
  packetRing: string;
  /** Where the hub and worker logs are copied at the end (none: not kept). */
  logDir?: string;
  log: (line: string) => void;
}

export const DEFAULT_SOAK_OPTIONS: Omit<SoakOptions, 'log'> = {
  minutes: 30, hubRestarts: 2, churnEveryMs: 4_000, requestsPerPod: 60, podRate: 8, maxAlive: 6,
  steadyRate: 10, shopRate: 20, sampleMs: 10_000, packetRing: '4m',
};

/** A reason the soak cannot run here, or a bad option: one line. */
export class SoakError extends Error {
  override readonly name = 'SoakError';
}

/** Seconds before t = 0 the load runs unmeasured, for connections and caches to settle. */
export const WARM_START_MS = 5_000;
/** After the churn stops, before the final sample: its last pod deletions reach the workers, and each probe writes again after that (PROBE_MS). */
export const CHURN_DRAIN_MS = PROBE_MS + 3_000;
/** After the clients stop, before the ledger: entries leave the workers (tick 500 ms, uplink flush 100 ms). */
export const FLUSH_MS = 3_000;
export const SOAK_DIR_PREFIX = 'podtap-soak-';

export function soakProblem(): string | undefined {
  return demoProblem() ?? podtapSkipReason();
}

/** Removes soak temp dirs whose owner process is gone. */
function sweepStaleSoakDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    const pid = new RegExp(`^${SOAK_DIR_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || existsSync(`/proc/${pid}`)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const o = opts;
  const log = o.log;
  if (!(o.minutes > 0) || !(o.churnEveryMs >= 500) || !(o.requestsPerPod >= 1) || !(o.podRate > 0) || !(o.steadyRate > 0) || !(o.sampleMs >= 1000) || !(o.hubRestarts >= 0)) {
    throw new SoakError('options: minutes > 0, churn every >= 500 ms, requests per pod >= 1, rates > 0, sample every >= 1000 ms, hub restarts >= 0');
  }
  const problem = soakProblem();
  if (problem !== undefined) throw new SoakError(problem);
  const setupFrom = Date.now();
  const loadStart = loadavg();
  await sweepStaleClusterLabs();
  sweepStaleSoakDirs();
  const dir = await mkdtemp(join(tmpdir(), `${SOAK_DIR_PREFIX}${process.pid}-`));
  await chmod(dir, 0o711); // PostgreSQL runs as its own user below it
  const logs = join(dir, 'logs'), probeDir = join(dir, 'probe');
  await mkdir(logs);
  await mkdir(probeDir);

  let lab: ClusterLab | undefined;
  let db: Database | undefined;
  let hub: SoakHub | undefined;
  const workers = new Map<string, PodtapProcess>();
  const servers: DemoProcess[] = [];
  const webServers: HttpServer[] = [];
  const steady: RunningClient[] = [];
  let churn: Churn | undefined;
  let t0 = Date.now();
  const clock = (): number => Math.round((Date.now() - t0) / 100) / 10;
  try {
    const [built, data] = await Promise.all([buildClusterLab(soakClusterSpec(`${process.pid}-soak`)), prepareDatabase(dir).catch((err: Error) => err)]);
    lab = built;
    const inventory = join(dir, 'inventory', 'inventory.json');
    await mkdir(join(dir, 'inventory'));
    const hidden = new Set<string>();
    const writeInventory = inventoryWriter(lab, inventory, hidden);
    await writeInventory();

    const token = generateToken();
    hub = new SoakHub({ dataDir: join(dir, 'hub-data'), port: await freePort(), token, probeDir, logFile: join(logs, 'hub.log') }, log);
    const url = hub.url;
    log(`soak: hub #1 on ${url} (pid ${(await hub.start()).pid})`);
    for (const w of await Promise.all(lab.nodes.map((n) => startWorker({
      node: n.name, netns: n.ns, inventory, hubUrl: url, token, spoolDir: join(dir, `spool-${n.name}`), packetRing: o.packetRing, probeDir, logFile: join(logs, `worker-${n.name}.log`),
    })))) {
      workers.set(w.name.replace(/^worker /, ''), w);
    }
    log(`soak: workers ${[...workers].map(([n, w]) => `${n} (pid ${w.pid})`).join(', ')} connected`);

    const started = await Promise.allSettled([
      startClusterDns(lab, PODS.dns), startRedis(lab, PODS.cache, dir), startMosquitto(lab, PODS.queue, dir),
      startDatabase(lab, PODS.db, data, log).then((d) => { db = d; return d.process; }),
    ]);
    for (const r of started) if (r.status === 'fulfilled') servers.push(r.value);
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    for (const w of WEB_PODS) webServers.push(await startHttpServer(lab, w.pod, { port: WEB_PORT }));
    if (o.shopRate > 0) {
      servers.push(...(await Promise.all(startBackendApps(lab))));
      servers.push(await startFrontend(lab, o.shopRate));
    }
    for (const s of STEADY_PODS) steady.push(startClient(lab, s.pod, s.id, { rate: o.steadyRate }));
    await Promise.all(steady.map((c) => c.ready));
    log(`soak: shop (${o.shopRate} calls/s), web servers and steady clients (${o.steadyRate} requests/s each) running; warming up`);
    await sleep(WARM_START_MS);

    // t = 0
    t0 = Date.now();
    const setupSeconds = (t0 - setupFrom) / 1000;
    const sampler = new Sampler(probeDir, () => t0);
    for (const [node, w] of workers) sampler.track(`worker ${node}`, w.pid);
    sampler.track('hub', hub.current.pid);
    sampler.sample('baseline');
    sampler.start(o.sampleMs);
    churn = new Churn({
      lab, workers, writeInventory, hidden, everyMs: o.churnEveryMs, requests: o.requestsPerPod, rate: o.podRate, maxAlive: o.maxAlive,
      settleMs: 500, lingerMs: 1000, clock, log,
    });
    churn.start();
    const durationMs = o.minutes * 60_000;
    const progress = setInterval(() => {
      const rss = [...workers].map(([n, w]) => `${n} ${sampler.samples.filter((s) => s.pid === w.pid).at(-1)?.rssKiB ?? '?'} KiB`).join(', ');
      log(`soak: ${(clock() / 60).toFixed(1)}/${o.minutes} min, ${churn!.events.length} pods churned, worker RSS ${rss}`);
    }, 60_000);

    try {
      for (let k = 1; k <= o.hubRestarts; k++) {
        const wait = t0 + (k * durationMs) / (o.hubRestarts + 1) - Date.now();
        if (wait > 0) await sleep(wait);
        const r = await hub.restart(clock(), workers, {
          stopping: () => sampler.untrack('hub'), // not sampled while it shuts down
          started: (p) => sampler.track('hub', p.pid),
        });
        log(`soak: hub restarted at ${(r.at / 60).toFixed(1)} min: down ${r.downMs} ms, workers back after ${r.reconnectedMs ?? '(not all)'} ms (pid ${hub.current.pid})`);
      }
      const wait = t0 + durationMs - Date.now();
      if (wait > 0) await sleep(wait);
    } finally {
      clearInterval(progress);
    }

    log('soak: load time over; stopping the churn');
    await churn.stop();
    const loadSeconds = clock();
    await writeInventory();
    await sleep(CHURN_DRAIN_MS);
    sampler.sample('final');
    sampler.stop();
    for (const c of steady) c.stop();
    const reports: ClientReport[] = [...churn.reports];
    const clientFailures: string[] = [];
    for (const r of await Promise.allSettled(steady.map((c) => c.done))) {
      if (r.status === 'fulfilled') reports.push(r.value);
      else clientFailures.push((r.reason as Error).message);
    }
    steady.length = 0;
    await sleep(FLUSH_MS);

    const workerRecords = (JSON.parse(await hub.get('/api/workers')) as { workers: WorkerRecord[] }).workers;
    const memory = new Map<string, string>();
    for (const [n, w] of workers) memory.set(n, await workerMetrics(w).catch((err: Error) => { log(`soak: ${err.message}`); return ''; }));
    log('soak: stopping the workers (they drain to the hub)');
    for (const w of workers.values()) await w.stop();
    const stored = await fetchStoredRequests(url, token);
    await hub.noteCounters();
    const ledger = reconcileLedger(reports, stored.requests, stored.entriesRead);
    const processes = summarize(sampler.samples);
    const counters: WorkerCounters[] = workerRecords.map((w) => {
      const c = w.state?.counters;
      return {
        node: w.node, captured: c?.captured ?? 0, processed: c?.processed ?? 0, duplicate: c?.duplicate ?? 0, untargeted: c?.untargeted ?? 0,
        kernelDrops: c?.kernelDrops ?? 0, uplinkDropped: c?.uplinkDropped ?? 0, uplinkBuffered: c?.uplinkBuffered ?? 0,
        memoryShed: metricValue(memory.get(w.node) ?? '', 'podtap_memory_shed_total'),
        memoryShedBytes: metricValue(memory.get(w.node) ?? '', 'podtap_memory_shed_bytes_total'),
        memoryShedConnections: metricValue(memory.get(w.node) ?? '', 'podtap_memory_shed_connections_total'),
      };
    });
    const { log: _log, ...shownOptions } = o;
    return {
      startedAt: new Date(setupFrom).toISOString(),
      options: shownOptions,
      machine: { cpus: cpus().length, node: process.version, kernel: release(), loadAverageStart: loadStart, loadAverageEnd: loadavg() },
      loadStartMs: t0, loadSeconds, setupSeconds,
      postgresStandIn: (db as Database | undefined)?.standIn ?? false,
      hubRestarts: hub.restarts,
      hubInstances: hub.instances,
      churn: { pods: churn.events.length, captureWaitTimeouts: churn.captureWaitTimeouts, skippedTicks: churn.skippedTicks, failures: churn.failures, events: churn.events },
      clients: {
        reports: reports.length,
        sent: reports.reduce((n, r) => n + Object.values(r.kinds).reduce((m, k) => m + k.sent, 0), 0),
        answered: reports.reduce((n, r) => n + Object.values(r.kinds).reduce((m, k) => m + k.answered, 0), 0),
        failures: clientFailures,
      },
      ledger,
      workers: counters,
      logNotes: [...[...workers].flatMap(([n, w]) => logNotes(`worker ${n}`, w.lines, t0)), ...hub.processes.flatMap((h, i) => logNotes(`hub #${i + 1}`, h.lines, t0))],
      processes,
      goals: goalsOf({ ledger, processes }),
      samples: sampler.samples,
    };
  } finally {
    await churn?.stop();
    for (const c of steady) c.stop();
    await Promise.allSettled(steady.map((c) => c.done));
    for (const s of [...servers].reverse()) await s.stop().catch(() => {});
    for (const w of webServers) await w.stop().catch(() => {});
    for (const w of workers.values()) await w.stop();
    await hub?.stop();
    await lab?.teardown();
    await removeLeftoverShm((db as Database | undefined)?.shmid);
    if (o.logDir !== undefined) await cp(logs, o.logDir, { recursive: true }).catch((err: Error) => log(`soak: could not keep the logs: ${err.message}`));
    await rm(dir, { recursive: true, force: true });
  }
}
