import type { Command } from 'commander';
import { MetricsListenError, Worker } from '../worker/worker.js';
import { addRuleOptions, checkRulesExclusive, rulesFrom } from './rules-options.js';
import { UsageError } from './errors.js';
import { parseSize } from './units.js';
import { DEFAULT_MEMORY_CAP_BYTES, MIN_MEMORY_CAP_BYTES } from '../pipeline/memory-budget.js';
import { addClusterSourceOptions, clusterSource } from './cluster-source.js';
import { describeTls, tlsOptions } from './hub-cmd.js';
import type { TlsFlags, TlsMaterial } from '../hub/tls.js';
import { checkCanSwitchUser, parseUser, PrivilegeError } from '../worker/privileges.js';

/** Largest TCP port. */
const MAX_PORT = 65_535;

export function addWorkerCommand(program: Command): void {
  addClusterSourceOptions(addRuleOptions(program.command('worker')
    .description('Capture the targeted pods of one node (run in the node\'s network namespace) and write their entries as JSON lines.')))
    .requiredOption('--node <name>', 'this node\'s name, as in the cluster (in a pod: from spec.nodeName)')
    .option('--rules <file>', 'targeting rules as JSON or YAML (podRegex, namespaces, excludedNamespaces, selector, includeHostNetwork); watched for changes; instead of the flags')
    .option('-o, --out <file>', 'entries as JSON lines to FILE, or - for standard output (default: standard output, or nothing with --hub)')
    .option('--hub <url>', 'stream entries, counters and targets to the hub at URL (http://host:8899, or https:// with --tls-dir)')
    .option('--token <token>', 'the hub\'s token (default: the PODTAP_TOKEN environment variable)')
    .option('--packet-ring <size>', 'with --hub: raw packets kept in memory for the hub\'s pcapng export', '64m')
    .option('--memory-cap <size>', 'memory the worker may use: reassembly, fragment and connection limits are sized from it, and above 90% of it buffered state is shed: the oldest buffers, then the quietest connections (podtap_memory_shed_total)', `${DEFAULT_MEMORY_CAP_BYTES / 1024 ** 2}m`)
    .option('--spool <dir>', 'keep entries not yet acknowledged by the hub in DIR, so a killed worker resends them when it starts again')
    .option('--metrics-listen <host:port>', 'serve Prometheus /metrics here (port 0: any free port, printed on stderr)')
    .option('--netns <name>', 'capture inside this named network namespace instead of the current one')
    .option('--tls-dir <dir>', 'with an https:// --hub: ca.crt, worker.crt and worker.key from `podtap certs`; only that CA is trusted for the hub, and the worker certificate is presented')
    .option('--tls-ca <file>', 'instead of --tls-dir: the CA that signed the hub\'s certificate (PEM)')
    .option('--tls-cert <file>', 'instead of --tls-dir: the worker\'s client certificate (PEM)')
    .option('--tls-key <file>', 'instead of --tls-dir: its private key (PEM)')
    .option('--no-drop-privileges', 'keep every privilege after the captures are open (default: keep only CAP_NET_RAW, and CAP_SYS_ADMIN where namespaces are entered, and set no_new_privs)')
    .option('--user <uid:gid>', 'when started as root: after the captures are open, switch to this user and group, keeping only the capabilities capturing needs')
    .action(async (podRegex: string | undefined, o) => {
      checkMetricsListen(o.metricsListen);
      checkRulesExclusive(podRegex, o);
      const hub = hubOptions(o);
      const privileges = privilegeOptions(o);
      if (hub?.tls !== undefined) for (const l of describeTls(hub.tls, 'worker')) process.stderr.write(`podtap worker: ${l}\n`);
      const worker = new Worker({
        node: o.node, ...clusterSource(o), out: o.out ?? (hub === undefined ? '-' : undefined), hub, metricsListen: o.metricsListen, netns: o.netns, privileges,
        memoryCapBytes: memoryCap(o.memoryCap),
        ...(o.rules === undefined ? { rules: rulesFrom(podRegex, o) } : { rulesFile: o.rules as string }),
      });
      try {
        await worker.start();
      } catch (err) {
        await worker.stop().catch(() => {}); // release what was opened before the failure
        throw err instanceof MetricsListenError || err instanceof PrivilegeError ? new UsageError(err.message) : err;
      }
      await new Promise<void>((resolve) => {
        const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await worker.stop();
      const t = worker.totals();
      process.stderr.write(`podtap worker: captured ${t.captured}, processed ${t.processed}, duplicate ${t.duplicate}, untargeted ${t.untargeted}, kernel drops ${t.kernelDrops}\n`);
      process.exitCode = 0;
    });
}

/** --no-drop-privileges and --user, checked: what the worker drops after start (undefined: nothing). */
function privilegeOptions(o: { dropPrivileges?: boolean; user?: string }): { user?: { uid: number; gid: number } } | undefined {
  try {
    if (o.dropPrivileges === false) {
      if (o.user !== undefined) throw new UsageError('--user and --no-drop-privileges: switching user drops privileges; give one of them');
      return undefined;
    }
    if (o.user === undefined) return {};
    const user = parseUser(o.user);
    checkCanSwitchUser();
    return { user };
  } catch (err) {
    throw err instanceof PrivilegeError ? new UsageError(err.message) : err;
  }
}

/** --hub, --token (or PODTAP_TOKEN), --spool and the TLS flags, checked. */
export function hubOptions(o: { hub?: string; token?: string; spool?: string; packetRing?: string } & TlsFlags): { url: string; token: string; spoolDir?: string; ringBytes?: number; tls?: TlsMaterial } | undefined {
  const tlsGiven = o.tlsDir !== undefined || o.tlsCa !== undefined || o.tlsCert !== undefined || o.tlsKey !== undefined;
  if (o.hub === undefined) {
    if (o.spool !== undefined) throw new UsageError('--spool needs --hub');
    if (tlsGiven) throw new UsageError('--tls-dir / --tls-ca, --tls-cert, --tls-key need --hub https://…');
    return undefined;
  }
  let url: URL;
  try { url = new URL(o.hub); } catch { throw new UsageError(`--hub: expected a URL like http://hub:8899, got "${o.hub}"`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--hub: expected an http:// or https:// URL, got "${o.hub}"`);
  if (url.protocol === 'https:' && !tlsGiven) throw new UsageError(`--hub ${url.origin}: give --tls-dir DIR (or --tls-ca, --tls-cert, --tls-key): the worker trusts only podtap's CA for the hub and presents its client certificate (podtap certs makes them)`);
  if (url.protocol === 'http:' && tlsGiven) throw new UsageError(`--hub ${url.origin} is plain HTTP: use https:// with the TLS flags, or leave them out`);
  const tls = tlsOptions(o, 'worker');
  const token = o.token ?? process.env.PODTAP_TOKEN;
  if (token === undefined || token === '') throw new UsageError('--hub needs the hub\'s token: --token TOKEN or the PODTAP_TOKEN environment variable');
  const ringBytes = parseSize(o.packetRing ?? '64m', '--packet-ring', 16 * 1024 ** 3);
  return { url: url.origin, token, ringBytes, ...(o.spool === undefined ? {} : { spoolDir: o.spool }), ...(tls === undefined ? {} : { tls }) };
}

/** --memory-cap, at least MIN_MEMORY_CAP_BYTES. */
function memoryCap(v: string): number {
  const n = parseSize(v, '--memory-cap');
  if (n < MIN_MEMORY_CAP_BYTES) throw new UsageError(`--memory-cap: ${v} is too small; give at least ${MIN_MEMORY_CAP_BYTES / 1024 ** 2}m`);
  return n;
}

/** HOST:PORT with a port in 0–65535 (HOST may be empty: every address). */
function checkMetricsListen(v: string | undefined): void {
  if (v === undefined) return;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:]*):(\d{1,5})$/.exec(v);
  if (m === null || Number(m[2]) > MAX_PORT) throw new UsageError(`--metrics-listen: expected HOST:PORT with a port from 0 to ${MAX_PORT} (e.g. 127.0.0.1:9100), got "${v}"`);
}
