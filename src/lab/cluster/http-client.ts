/**
 * The cluster lab's HTTP client, run as a script inside a pod:
 *   node dist/lab/cluster/http-client.js --target 10.96.0.20:80 --count 10 [--new-connections] [--path /n] [--size N]
 * Makes `count` GET requests one after another (request i asks for
 * `<path>/<i>`), on one keep-alive connection or a new connection each, and
 * prints one JSON line (HttpClientReport): its own count of what it sent and
 * got back, the ground truth for capture tests. After three failures in a
 * row it stops (`sent` < `requested`). Exit status 0 even on
 * failures; the report says what failed.
 */
import { Agent, request } from 'node:http';
import { parseArgs } from 'node:util';
import type { HttpClientReport } from './workloads.js';

/** Errors kept in the report (the rest are only counted). */
const MAX_ERRORS = 5;
const REQUEST_TIMEOUT_MS = 3_000;
/** Give up after this many failures in a row (the target is down: do not wait out every timeout). */
const MAX_CONSECUTIVE_FAILURES = 3;

function get(agent: Agent | false, host: string, port: number, path: string, keepAlive: boolean): Promise<{ status: number; localPort: number; servedBy: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, agent, headers: keepAlive ? {} : { connection: 'close' }, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const localPort = res.socket.localPort ?? 0;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, localPort, servedBy: String(res.headers['x-served-by'] ?? '') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      count: { type: 'string', default: '1' },
      'new-connections': { type: 'boolean', default: false },
      path: { type: 'string', default: '/n' },
      size: { type: 'string' },
    },
  });
  const target = values.target ?? '';
  const m = /^([\d.]+):(\d+)$/.exec(target);
  if (!m) throw new Error(`--target must be ip:port, got "${target}"`);
  const [host, port] = [m[1] as string, Number(m[2])];
  const keepAlive = !values['new-connections'];
  const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
  const count = Number(values.count);
  const report: HttpClientReport = { target, requested: count, sent: 0, ok: 0, failed: 0, connections: 0, statuses: {}, servedBy: [], errors: [] };
  const ports = new Set<number>();
  let failedInRow = 0;
  for (let i = 1; i <= count && failedInRow < MAX_CONSECUTIVE_FAILURES; i++) {
    report.sent++;
    const path = `${values.path}/${i}${values.size === undefined ? '' : `?size=${values.size}`}`;
    try {
      const r = await get(agent, host, port, path, keepAlive);
      ports.add(r.localPort);
      report.statuses[r.status] = (report.statuses[r.status] ?? 0) + 1;
      report.servedBy.push(r.servedBy);
      failedInRow = 0;
      if (r.status === 200) report.ok++;
      else report.failed++;
    } catch (err) {
      report.failed++;
      failedInRow++;
      if (report.errors.length < MAX_ERRORS) report.errors.push((err as Error).message);
    }
  }
  if (agent) agent.destroy();
  report.connections = ports.size;
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(2);
});
