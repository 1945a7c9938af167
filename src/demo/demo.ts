/**
 * `podtap demo`: a small shop running in a simulated two-node cluster,
 * captured by podtap, with the UI on 127.0.0.1.
 *
 * Start, in order (any failure undoes what was started, then throws):
 *  1. check what is needed (preflight.ts); sweep stale demo labs and temp dirs;
 *  2. build the cluster lab (spec.ts) while PostgreSQL's data directory is
 *     created and seeded (postgres.ts);
 *  3. start the hub and one worker per node (capture.ts), before any
 *     workload, so every connection is seen from its first packet;
 *  4. start the cluster DNS, Redis, mosquitto and PostgreSQL (or its
 *     stand-in), then the api pods and the orders worker, then the frontend.
 * Stop, in reverse: traffic first, then servers, then workers (they drain
 * to the hub) and the hub, then the lab's namespaces and the temp dir.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToken, MIN_TOKEN_LENGTH } from '../hub/auth.js';
import { buildClusterLab, sweepStaleClusterLabs, type ClusterLab } from '../lab/cluster/lab.js';
import { CLUSTER_NS_PREFIX } from '../lab/cluster/spec.js';
import { startBackendApps, startFrontend } from './apps.js';
import { startCapture, type Capture } from './capture.js';
import { prepareDatabase, removeLeftoverShm, startDatabase, type Database } from './postgres.js';
import { DEMO_DIR_PREFIX, DemoError, demoProblem, sweepStaleDemoDirs } from './preflight.js';
import type { DemoProcess } from './process.js';
import { startClusterDns, startMosquitto, startRedis } from './servers.js';
import { demoClusterSpec, PODS } from './spec.js';

export const DEFAULT_DEMO_PORT = 8899;
/** Calls per second the frontend sends by default, and the most it may be asked for. */
export const DEFAULT_DEMO_RATE = 30;
export const MAX_DEMO_RATE = 500;
const MAX_PORT = 65_535;

export interface DemoOptions {
  /** Hub port on 127.0.0.1; 0 picks a free one. Default 8899. */
  port?: number;
  /** Default: a new one. */
  token?: string;
  /** Frontend calls per second (HTTP and gRPC together). */
  rate?: number;
  log?: (line: string) => void;
}

export interface Demo {
  /** http://127.0.0.1:PORT */
  url: string;
  /** `url`/login?token=… */
  loginUrl: string;
  token: string;
  hubPort: number;
  /** Every network namespace of this demo starts with this. */
  nsPrefix: string;
  /** The simulated nodes (one worker each). */
  nodes: string[];
  /** The demo's temp dir (inventory, PostgreSQL data, configs); removed by stop. */
  workDir: string;
  /** True when a PostgreSQL-wire stand-in runs instead of PostgreSQL. */
  postgresStandIn: boolean;
  /** Idempotent. */
  stop(): Promise<void>;
}

let demoCount = 0;

/** Waits for a group of programs to start; the ones that did join `procs` (to be stopped) even when another failed. */
async function startGroup(procs: DemoProcess[][], group: Promise<DemoProcess>[]): Promise<void> {
  const results = await Promise.allSettled(group);
  procs.push(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

function checkOptions(o: DemoOptions): { port: number; token: string; rate: number } {
  const port = o.port ?? DEFAULT_DEMO_PORT;
  const rate = o.rate ?? DEFAULT_DEMO_RATE;
  if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) throw new DemoError(`port must be an integer from 0 to ${MAX_PORT}`);
  if (!Number.isFinite(rate) || rate <= 0 || rate > MAX_DEMO_RATE) throw new DemoError(`rate must be more than 0 and at most ${MAX_DEMO_RATE} calls a second`);
  const token = o.token ?? generateToken();
  if (token.length < MIN_TOKEN_LENGTH) throw new DemoError(`token: use at least ${MIN_TOKEN_LENGTH} characters (or leave it out and one is generated)`);
  return { port, token, rate };
}

export async function startDemo(opts: DemoOptions = {}): Promise<Demo> {
  const started = Date.now();
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const { port, token, rate } = checkOptions(opts);
  const problem = demoProblem();
  if (problem !== undefined) throw new DemoError(problem);
  const stale = (await sweepStaleClusterLabs()).length + sweepStaleDemoDirs();
  if (stale > 0) log(`demo: removed ${stale} leftovers of earlier demos and labs`);

  const dir = await mkdtemp(join(tmpdir(), `${DEMO_DIR_PREFIX}${process.pid}-`));
  await chmod(dir, 0o711); // PostgreSQL runs as its own user below it
  const id = `${process.pid}-demo${demoCount++}`;
  let lab: ClusterLab | undefined;
  let capture: Capture | undefined;
  let db: Database | undefined;
  const procs: DemoProcess[][] = []; // in start order; stopped in reverse
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= (async () => {
    for (const group of procs.reverse()) await Promise.allSettled(group.map((p) => p.stop()));
    await capture?.stop().catch((err: Error) => log(`demo: stopping capture: ${err.message}`));
    await lab?.teardown();
    await removeLeftoverShm(db?.shmid);
    await rm(dir, { recursive: true, force: true });
  })());

  try {
    const [built, data] = await Promise.all([buildClusterLab(demoClusterSpec(id)), prepareDatabase(dir).catch((err: Error) => err)]);
    lab = built;
    log(`demo: cluster lab built in ${lab.timings.buildMs} ms: ${lab.nodes.map((n) => `${n.name} (${n.cni}, ${n.pods.length} pods)`).join(', ')}`);
    const inventory = join(dir, 'inventory.json');
    await writeFile(inventory, JSON.stringify(lab.inventory()));
    capture = await startCapture(lab, { inventory, port, token, log });
    await startGroup(procs, [
      startClusterDns(lab, PODS.dns), startRedis(lab, PODS.cache, dir), startMosquitto(lab, PODS.queue, dir),
      startDatabase(lab, PODS.db, data, log).then((d) => { db = d; return d.process; }),
    ]);
    await startGroup(procs, startBackendApps(lab));
    await startGroup(procs, [startFrontend(lab, rate)]);
  } catch (err) {
    await stop();
    throw err;
  }
  const hubPort = Number(new URL(capture.url).port);
  const loginUrl = `${capture.url}/login?token=${encodeURIComponent(token)}`;
  log(`demo: shop running (${rate} calls/s; PostgreSQL${db!.standIn ? ' stand-in' : ''}, Redis, mosquitto, dnsmasq) in ${Date.now() - started} ms`);
  return {
    url: capture.url, loginUrl, token, hubPort,
    nsPrefix: `${CLUSTER_NS_PREFIX}${id}-`, nodes: lab.nodes.map((n) => n.name), workDir: dir, postgresStandIn: db!.standIn, stop,
  };
}
