/**
 * The live benchmark's load: nginx (Debian's nginx-light, as record-http.ts
 * uses) serving a 3-byte body in a pod, and wrk with keep-alive connections in
 * another pod, each pinned with taskset. A Lua script counts the requests wrk
 * wrote and the responses it completed (same script and parser as the
 * recorded benchmark), so the entry count a worker must reach is known from
 * the client side.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterLab } from '../lab/cluster/lab.js';
import { run, sleep, which } from '../lab/proc.js';
import { NGINX_PORT, nginxConf, parseWrk, WRK_LUA, type WrkCounts } from './http-load.js';

/** Extra time wrk gets beyond its -d before it is killed. */
const WRK_GRACE_MS = 30_000;

/** Why the load cannot run here, or undefined. */
export function loadSkipReason(): string | undefined {
  const missing = ['nginx', 'wrk', 'curl', 'taskset'].filter((t) => which(t) === undefined);
  return missing.length ? `missing tools: ${missing.join(', ')} (npm run bench:deps)` : undefined;
}

/** Starts nginx in `pod` pinned to `cpu` and waits until `fromPod` gets a 200 from it. Returns its version. */
export async function startNginx(lab: ClusterLab, pod: string, fromPod: string, dir: string, cpu: string): Promise<string> {
  const ngDir = join(dir, `nginx-${lab.pod(pod).name}`);
  await mkdir(ngDir, { recursive: true });
  await writeFile(join(ngDir, 'nginx.conf'), nginxConf(ngDir, lab.pod(pod).ip));
  const child = lab.spawn(pod, ['taskset', '-c', cpu, 'nginx', '-e', 'stderr', '-p', ngDir, '-c', join(ngDir, 'nginx.conf')]);
  child.stdout?.resume();
  child.stderr?.resume();
  const url = `http://${lab.pod(pod).ip}:${NGINX_PORT}/`;
  for (let i = 0; i < 50; i++) {
    const r = await lab.exec(fromPod, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', url], { check: false, timeoutMs: 5_000 });
    if (r.stdout === '200') {
      const v = await run('nginx', ['-v'], { check: false });
      return /nginx\/\S+/.exec(v.stderr)?.[0] ?? 'nginx';
    }
    await sleep(100);
  }
  throw new Error(`nginx in ${pod} never answered ${url}`);
}

export interface WrkRun {
  connections: number;
  seconds: number;
  /** Wall time of the wrk process, seconds. */
  wallSeconds: number;
  counts: WrkCounts;
  argv: string[];
}

/** Runs wrk (-t1, keep-alive) in `pod` against nginx in `serverPod`, pinned to `cpu`. */
export async function runWrk(lab: ClusterLab, pod: string, serverPod: string, o: { dir: string; cpu: string; connections: number; seconds: number }): Promise<WrkRun> {
  const lua = join(o.dir, 'wrk-live-count.lua');
  await writeFile(lua, WRK_LUA);
  const url = `http://${lab.pod(serverPod).ip}:${NGINX_PORT}/`;
  const argv = ['taskset', '-c', o.cpu, 'wrk', '-t', '1', '-c', String(o.connections), '-d', `${o.seconds}s`, '-H', 'Connection: keep-alive', '-s', lua, url];
  const started = process.hrtime.bigint();
  const r = await lab.exec(pod, argv, { timeoutMs: o.seconds * 1000 + WRK_GRACE_MS });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { connections: o.connections, seconds: o.seconds, wallSeconds, counts: parseWrk(r.stdout), argv };
}
