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
import { parseWrk, type WrkCounts } from './record-http.js';

export const NGINX_PORT = 80;
/** Extra time wrk gets beyond its -d before it is killed. */
const WRK_GRACE_MS = 30_000;

/** Same counting as record-http.ts's script: one `PODTAP-BENCH sent= completed=` line. */
const WRK_LUA = `-- podtap live bench: counts requests written and responses completed.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) sent = 0; completed = 0 end
function request() sent = sent + 1; return wrk.request() end
function response(status, headers, body) completed = completed + 1 end
function done(summary, latency, requests)
  local s, c = 0, 0
  for _, t in ipairs(threads) do s = s + t:get("sent"); c = c + t:get("completed") end
  io.write(string.format("PODTAP-BENCH sent=%d completed=%d\\n", s, c))
end
`;

function nginxConf(dir: string, listen: string): string {
  return `worker_processes 1;
daemon off;
user root;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen ${listen}:${NGINX_PORT};
    location / { default_type text/plain; return 200 "ok\\n"; }
  }
}
`;
}

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
