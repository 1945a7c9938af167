import type { Command } from 'commander';
import { MetricsListenError, Worker } from '../worker/worker.js';
import { addRuleOptions, checkRulesExclusive, rulesFrom } from './rules-options.js';
import { UsageError } from './errors.js';
import { parseSize } from './units.js';
import { addClusterSourceOptions, clusterSource } from './cluster-source.js';

/** Largest TCP port. */
const MAX_PORT = 65_535;

export function addWorkerCommand(program: Command): void {
  addClusterSourceOptions(addRuleOptions(program.command('worker')
    .description('Capture the targeted pods of one node (run in the node\'s network namespace) and write their entries as JSON lines.')))
    .requiredOption('--node <name>', 'this node\'s name, as in the cluster (in a pod: from spec.nodeName)')
    .option('--rules <file>', 'targeting rules as JSON or YAML (podRegex, namespaces, excludedNamespaces, selector, includeHostNetwork); watched for changes; instead of the flags')
    .option('-o, --out <file>', 'entries as JSON lines to FILE, or - for standard output (default: standard output, or nothing with --hub)')
    .option('--hub <url>', 'stream entries, counters and targets to the hub at URL (http://host:8899)')
    .option('--token <token>', 'the hub\'s token (default: the PODTAP_TOKEN environment variable)')
    .option('--packet-ring <size>', 'with --hub: raw packets kept in memory for the hub\'s pcapng export', '64m')
    .option('--spool <dir>', 'keep entries not yet acknowledged by the hub in DIR, so a killed worker resends them when it starts again')
    .option('--metrics-listen <host:port>', 'serve Prometheus /metrics here (port 0: any free port, printed on stderr)')
    .option('--netns <name>', 'capture inside this named network namespace instead of the current one')
    .action(async (podRegex: string | undefined, o) => {
      checkMetricsListen(o.metricsListen);
      checkRulesExclusive(podRegex, o);
      const hub = hubOptions(o);
      const worker = new Worker({
        node: o.node, ...clusterSource(o), out: o.out ?? (hub === undefined ? '-' : undefined), hub, metricsListen: o.metricsListen, netns: o.netns,
        ...(o.rules === undefined ? { rules: rulesFrom(podRegex, o) } : { rulesFile: o.rules as string }),
      });
      try {
        await worker.start();
      } catch (err) {
        await worker.stop().catch(() => {}); // release what was opened before the failure
        throw err instanceof MetricsListenError ? new UsageError(err.message) : err;
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

/** --hub, --token (or PODTAP_TOKEN) and --spool, checked. */
export function hubOptions(o: { hub?: string; token?: string; spool?: string; packetRing?: string }): { url: string; token: string; spoolDir?: string; ringBytes?: number } | undefined {
  if (o.hub === undefined) {
    if (o.spool !== undefined) throw new UsageError('--spool needs --hub');
    return undefined;
  }
  let url: URL;
  try { url = new URL(o.hub); } catch { throw new UsageError(`--hub: expected a URL like http://hub:8899, got "${o.hub}"`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--hub: expected an http:// or https:// URL, got "${o.hub}"`);
  const token = o.token ?? process.env.PODTAP_TOKEN;
  if (token === undefined || token === '') throw new UsageError('--hub needs the hub\'s token: --token TOKEN or the PODTAP_TOKEN environment variable');
  const ringBytes = parseSize(o.packetRing ?? '64m', '--packet-ring', 16 * 1024 ** 3);
  return { url: url.origin, token, ringBytes, ...(o.spool === undefined ? {} : { spoolDir: o.spool }) };
}

/** HOST:PORT with a port in 0–65535 (HOST may be empty: every address). */
function checkMetricsListen(v: string | undefined): void {
  if (v === undefined) return;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:]*):(\d{1,5})$/.exec(v);
  if (m === null || Number(m[2]) > MAX_PORT) throw new UsageError(`--metrics-listen: expected HOST:PORT with a port from 0 to ${MAX_PORT} (e.g. 127.0.0.1:9100), got "${v}"`);
}
