/**
 * What every demo app process shares: its flags, the cluster DNS resolver
 * (the kube-dns ClusterIP, never the host's resolv.conf), the readiness
 * line the demo waits for, and a clean exit on SIGTERM/SIGINT.
 */
import { Resolver } from 'node:dns/promises';
import { parseArgs } from 'node:util';

/** The line an app prints once it serves; the demo waits for it. */
export const READY_LINE = 'ready';
export const DNS_TIMEOUT_MS = 1_000;
export const DNS_TRIES = 2;

/** `--name value` flags, all strings; throws on an unknown flag. */
export function flags<K extends string>(names: readonly K[]): Record<K, string> {
  const options = Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
  const { values } = parseArgs({ options, strict: true });
  const out = {} as Record<K, string>;
  for (const n of names) {
    const v = values[n];
    if (typeof v !== 'string') throw new Error(`--${n} is required`);
    out[n] = v;
  }
  return out;
}

export function clusterResolver(server: string): Resolver {
  const r = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES });
  r.setServers([server]);
  return r;
}

/** The first A record of `name`. */
export async function resolveService(r: Resolver, name: string): Promise<string> {
  const [ip] = await r.resolve4(name);
  if (ip === undefined) throw new Error(`${name}: no address`);
  return ip;
}

export function ready(detail: string): void {
  process.stdout.write(`${READY_LINE} ${detail}\n`);
}

/** Runs `stop` once on SIGTERM/SIGINT, then exits 0. */
export function onStop(stop: () => Promise<unknown>): void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) return;
    stopping = true;
    void stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** Prints an app's fatal error on one line and exits 1. */
export function fail(app: string): (err: unknown) => void {
  return (err) => {
    process.stderr.write(`${app}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  };
}
