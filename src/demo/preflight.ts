/**
 * What `podtap demo` needs before it builds anything, checked up front so
 * that a missing piece is one line, not a half-built lab: Linux, root, the
 * cluster lab's tools, the servers the shop runs, the capture addon and the
 * npm packages the shop's programs use. PostgreSQL is not required: without
 * it a stand-in runs (postgres.ts).
 */
import { createRequire } from 'node:module';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterLabSkipReason } from '../lab/cluster/lab.js';
import { missingTools } from '../lab/proc.js';
import { pcapAddonSkipReason } from '../live/native.js';

/** A reason the demo cannot run here, or a bad option: one line for the user. */
export class DemoError extends Error {
  override readonly name = 'DemoError';
}

export const DEMO_TOOLS = ['dnsmasq', 'redis-server', 'mosquitto'] as const;
/** The shop's programs import these (podtap's dev dependencies). */
export const DEMO_PACKAGES = ['@grpc/grpc-js', 'mqtt', 'ioredis', 'pg'] as const;
/** Temp dirs are `podtap-demo-<pid>-XXXXXX`: the pid says whether their owner still runs. */
export const DEMO_DIR_PREFIX = 'podtap-demo-';

/** Why the demo cannot run here, or undefined. */
export function demoProblem(): string | undefined {
  if (process.platform !== 'linux') return `the demo needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'the demo needs root (it builds network namespaces and captures in them): run it with sudo';
  const lab = clusterLabSkipReason();
  if (lab !== undefined) return lab;
  const tools = missingTools(DEMO_TOOLS);
  if (tools.length > 0) return `missing tools: ${tools.join(', ')} (apt-get install dnsmasq-base redis-server mosquitto)`;
  const pcap = pcapAddonSkipReason();
  if (pcap !== undefined) return pcap;
  const req = createRequire(import.meta.url);
  const packages = DEMO_PACKAGES.filter((p) => { try { req.resolve(p); return false; } catch { return true; } });
  if (packages.length > 0) return `missing npm packages: ${packages.join(', ')} (the demo's programs need podtap's dev dependencies: npm install in the podtap checkout)`;
  return undefined;
}

/** Removes demo temp dirs whose owner process is gone. Returns how many. */
export function sweepStaleDemoDirs(): number {
  let removed = 0;
  for (const name of readdirSync(tmpdir())) {
    const pid = new RegExp(`^${DEMO_DIR_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || existsSync(`/proc/${pid}`)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
