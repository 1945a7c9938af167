/**
 * Runs counted clients (client.ts) inside pods and collects their reports.
 * A client that dies without a report is an error of the soak, not of
 * podtap: it is reported as such (`ClientFailure`), never as lost entries.
 */
import { fileURLToPath } from 'node:url';
import type { ClusterLab } from '../lab/cluster/lab.js';
import { waitForExit } from '../lab/proc.js';
import type { ClientReport } from './request-ids.js';
import { CLIENT_TARGETS } from './spec.js';

const script = fileURLToPath(new URL('./client.js', import.meta.url));
/** How long a client may take to connect to Redis and PostgreSQL. */
export const CLIENT_READY_TIMEOUT_MS = 15_000;

export class ClientFailure extends Error {
  override readonly name = 'ClientFailure';
}

export interface RunningClient {
  id: string;
  pod: string;
  /** Resolves once connected (the `ready` line). */
  ready: Promise<void>;
  /** The report; rejects with ClientFailure when the client exits without one. */
  done: Promise<ClientReport>;
  /** Asks a client without a count to finish (SIGTERM): the request in flight ends first. */
  stop(): void;
}

export function startClient(lab: ClusterLab, pod: string, id: string, o: { rate: number; count?: number }): RunningClient {
  const argv = [process.execPath, script, '--id', id, '--pod', pod, '--web', CLIENT_TARGETS.web, '--dns', CLIENT_TARGETS.dns,
    '--redis', CLIENT_TARGETS.redis, '--postgres', CLIENT_TARGETS.postgres, '--rate', String(o.rate), '--count', String(o.count ?? 0)];
  const child = lab.spawn(pod, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  let markReady: () => void = () => {};
  let failReady: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => { markReady = resolve; failReady = reject; });
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { out += d; if (/^ready /m.test(out)) markReady(); });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { err = (err + d).slice(-2000); });
  const timer = setTimeout(() => failReady(new ClientFailure(`client ${id} in ${pod}: not ready within ${CLIENT_READY_TIMEOUT_MS} ms`)), CLIENT_READY_TIMEOUT_MS);
  void ready.then(() => clearTimeout(timer), () => clearTimeout(timer)); // also marks a failure handled when no one awaits `ready`
  const done = waitForExit(child).then((code) => {
    const line = /^report (.*)$/m.exec(out)?.[1];
    failReady(new ClientFailure(`client ${id} in ${pod} exited (${code}) before it was ready: ${err.trim().slice(-300)}`));
    if (line === undefined) throw new ClientFailure(`client ${id} in ${pod} exited (${code ?? child.signalCode}) without a report: ${err.trim().slice(-300)}`);
    return JSON.parse(line) as ClientReport;
  });
  return { id, pod, ready, done, stop: () => { child.kill('SIGTERM'); } };
}
