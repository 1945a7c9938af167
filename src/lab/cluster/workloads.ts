/**
 * Real workloads inside a cluster lab: the counting HTTP server
 * (http-counter-server.ts), the counting HTTP client (http-client.ts), and
 * dnsmasq as the cluster DNS with dig as its client. Clients report their own
 * counts; those are the ground truth a capture is checked against.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LabError } from '../netns.js';
import { waitForExit, waitForOutput } from '../proc.js';
import { authoritativeDnsmasqArgs } from '../servers/dnsmasq.js';
import type { ClusterLab, Where } from './lab.js';

export const WORKLOAD_START_TIMEOUT_MS = 10_000;
export const HTTP_CLIENT_TIMEOUT_MS = 60_000;
export const CLUSTER_DOMAIN = 'cluster.local';
/** TTL dnsmasq puts on its records. */
export const CLUSTER_DNS_TTL = 30;

const script = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** What the HTTP client printed. */
export interface HttpClientReport {
  target: string;
  requested: number;
  /** Requests attempted (less than requested when the client gave up after repeated failures). */
  sent: number;
  ok: number;
  failed: number;
  /** Distinct local ports used: the number of TCP connections. */
  connections: number;
  statuses: Record<string, number>;
  /** `x-served-by` of each response, in order. */
  servedBy: string[];
  /** First few error messages. */
  errors: string[];
}

export interface HttpServerStats {
  served: number;
  connections: number;
}

export interface HttpServer {
  where: Where;
  ip: string;
  port: number;
  child: ChildProcess;
  /** Asks the server for its counts (a line on its stdin; no traffic). */
  stats(): Promise<HttpServerStats>;
  /** SIGTERM; resolves with the final counts. */
  stop(): Promise<HttpServerStats>;
}

/** The address a workload in `where` listens on: the pod IP, or the outside host's. */
export function addressOf(lab: ClusterLab, where: Where): string {
  if (where === 'outside') {
    if (!lab.outside) throw new LabError(`cluster lab ${lab.id} has no outside host`);
    return lab.outside.ip;
  }
  return lab.pod(where).ip;
}

/** Starts the counting HTTP server in a pod (or `outside`) and waits until it listens. */
export async function startHttpServer(lab: ClusterLab, where: Where, opts: { port?: number; name?: string } = {}): Promise<HttpServer> {
  const ip = addressOf(lab, where);
  const port = opts.port ?? 8080;
  const name = opts.name ?? (where === 'outside' ? 'outside' : lab.pod(where).name);
  const child = lab.spawn(where, [process.execPath, script('http-counter-server.js'), '--host', ip, '--port', String(port), '--name', name], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr?.resume();
  await waitForOutput(child, /listening /, WORKLOAD_START_TIMEOUT_MS);
  let lines = '';
  const waiting: ((s: HttpServerStats) => void)[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    lines += chunk;
    let nl: number;
    while ((nl = lines.indexOf('\n')) >= 0) {
      const line = lines.slice(0, nl);
      lines = lines.slice(nl + 1);
      if (line.startsWith('stats ')) waiting.shift()?.(JSON.parse(line.slice(6)) as HttpServerStats);
    }
  });
  const next = (): Promise<HttpServerStats> => new Promise((resolve) => waiting.push(resolve));
  let last: HttpServerStats = { served: 0, connections: 0 };
  return {
    where,
    ip,
    port,
    child,
    async stats() {
      const p = next();
      child.stdin?.write('stats\n');
      last = await p;
      return last;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return last;
      const p = next();
      child.kill('SIGTERM');
      last = await Promise.race([p, waitForExit(child).then(() => last)]);
      await waitForExit(child);
      return last;
    },
  };
}

export interface HttpClientOptions {
  /** `ip:port`: a pod, a ClusterIP or the outside host. */
  target: string;
  count: number;
  /** A new TCP connection per request (default: one keep-alive connection). */
  newConnections?: boolean;
  /** Request i asks for `<path>/<i>`; default `/n`. */
  path?: string;
  /** Ask for bodies of this many bytes. */
  size?: number;
  timeoutMs?: number;
}

/** Runs the counting HTTP client in a pod to completion and returns its report. */
export async function runHttpClient(lab: ClusterLab, where: Where, opts: HttpClientOptions): Promise<HttpClientReport> {
  const argv = [process.execPath, script('http-client.js'), '--target', opts.target, '--count', String(opts.count)];
  if (opts.newConnections) argv.push('--new-connections');
  if (opts.path !== undefined) argv.push('--path', opts.path);
  if (opts.size !== undefined) argv.push('--size', String(opts.size));
  const r = await lab.exec(where, argv, { timeoutMs: opts.timeoutMs ?? HTTP_CLIENT_TIMEOUT_MS });
  return JSON.parse(r.stdout) as HttpClientReport;
}

/** dnsmasq flags: authoritative for cluster.local from the lab's services and pods; reads no file, forwards nothing. */
export function clusterDnsArgs(lab: ClusterLab, listen: string): string[] {
  const args = authoritativeDnsmasqArgs({ listen, pidFile: '', zone: CLUSTER_DOMAIN, ttl: CLUSTER_DNS_TTL });
  for (const s of lab.services) args.push(`--host-record=${s.name}.${s.namespace}.svc.${CLUSTER_DOMAIN},${s.clusterIP}`);
  for (const p of lab.pods) args.push(`--host-record=${p.ip.replaceAll('.', '-')}.${p.namespace}.pod.${CLUSTER_DOMAIN},${p.ip}`);
  return args;
}

/** Starts dnsmasq as the cluster DNS in a pod, listening on the pod IP, and waits until it is up. */
export async function startDnsServer(lab: ClusterLab, where: Where): Promise<ChildProcess> {
  const child = lab.spawn(where, ['dnsmasq', ...clusterDnsArgs(lab, addressOf(lab, where))]);
  child.stdout?.resume();
  await waitForOutput(child, /started, version/, WORKLOAD_START_TIMEOUT_MS);
  child.stderr?.resume();
  return child;
}

export interface DigResult {
  /** `NOERROR`, `NXDOMAIN`, … (empty when dig got no answer at all). */
  status: string;
  answers: string[];
}

/** Asks `server` (an IP: the DNS pod or the kube-dns ClusterIP) from a pod with dig. */
export async function dig(lab: ClusterLab, where: Where, q: { server: string; name: string; type?: string; tcp?: boolean }): Promise<DigResult> {
  const argv = ['dig', `@${q.server}`, q.name, q.type ?? 'A', '+time=2', '+tries=1', '+noall', '+answer', '+comments'];
  if (q.tcp) argv.push('+tcp');
  const r = await lab.exec(where, argv, { check: false, timeoutMs: 10_000 });
  const status = /status: (\w+)/.exec(r.stdout)?.[1] ?? '';
  const answers = r.stdout
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith(';'))
    .map((l) => l.split(/\s+/).slice(-1)[0] ?? '');
  return { status, answers };
}
