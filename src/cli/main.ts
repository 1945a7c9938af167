import { Command, CommanderError, Option } from 'commander';
import { runRead, FORMATS } from './read.js';
import { UsageError } from './errors.js';
import { HubRequestError } from './export-cmd.js';
import { InventoryError, RuleError } from '../cluster/model.js';
import { LiveCaptureError } from '../live/errors.js';
import { CaptureFormatError } from '../capture/types.js';
import { podtapVersion } from '../util/version.js';
import { KubeError } from '../cluster/kube/config.js';

/**
 * The CLI. `podtap read` builds only its own command: the others load the
 * hub, the worker, Prometheus and the Kubernetes client (about 0.25 s),
 * which a capture read never uses. Any other first argument (or none, or
 * --help) builds them all.
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('podtap')
    .description('Network traffic analyzer: captures, reassembles TCP and shows every request/response.')
    .version(podtapVersion())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program.command('read')
    .description('Read a pcap/pcapng capture (optionally gzip-compressed) and print its request/response entries.\nWithout a file, reads the bundled demo capture.')
    .argument('[capture]', 'capture file (.pcap, .pcapng, optionally .gz); - for standard input')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('table'))
    .option('-o, --out <file>', 'write entries to FILE instead of standard output')
    .option('-s, --stats', 'print a summary of counters on stderr at the end')
    .option('--max-body-bytes <size>', 'body bytes kept per message (true size is still recorded)', '64k')
    .option('--no-decode-bodies', 'keep gzip/deflate/br bodies encoded')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--tolerate-truncation', 'accept a capture whose last record is cut short')
    .option('--filter <expr>', 'write only entries matching this filter, e.g. \'http and response.status >= 500\' (docs/filters.md)')
    .action(async (file: string | undefined, opts) => {
      process.exitCode = await runRead(file, opts);
    });
  if (only === 'read') return program;
  const [worker, targets, hub, tap, cluster, exp, certs, demo] = await Promise.all([
    import('./worker-cmd.js'), import('./targets-cmd.js'), import('./hub-cmd.js'), import('./tap-cmd.js'),
    import('./cluster-cmd.js'), import('./export-cmd.js'), import('./certs-cmd.js'), import('../demo/demo-cmd.js'),
  ]);
  const { addWorkerCommand } = worker, { addTargetsCommand } = targets, { addHubCommand } = hub, { addTapCommand } = tap;
  const { addCleanCommand, addProxyCommand } = cluster, { addExportCommand } = exp, { addCertsCommand } = certs, { addDemoCommand } = demo;
  addWorkerCommand(program);
  addTargetsCommand(program);
  addHubCommand(program);
  addTapCommand(program);
  addProxyCommand(program);
  addCleanCommand(program);
  addExportCommand(program);
  addCertsCommand(program);
  addDemoCommand(program);
  return program;
}

/** Run the CLI; returns the exit code. Bad input is one line on stderr, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv[2]);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof UsageError) { process.stderr.write(`podtap: ${err.message}\n`); return 2; }
    if (err instanceof CaptureFormatError || err instanceof InventoryError || err instanceof RuleError || err instanceof LiveCaptureError || err instanceof HubRequestError || err instanceof KubeError) {
      process.stderr.write(`podtap: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
