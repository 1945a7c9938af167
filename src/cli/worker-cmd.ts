import type { Command } from 'commander';
import { Worker } from '../worker/worker.js';
import { addRuleOptions, rulesFrom } from './rules-options.js';
import { UsageError } from './errors.js';

export function addWorkerCommand(program: Command): void {
  addRuleOptions(program.command('worker')
    .description('Capture the targeted pods of one node (run in the node\'s network namespace) and write their entries as JSON lines.'))
    .requiredOption('--node <name>', 'this node\'s name, as in the inventory')
    .requiredOption('--inventory <file>', 'kubectl get pods,services,nodes -A -o json (or YAML); watched for changes')
    .option('-o, --out <file>', 'entries as JSON lines to FILE, or - for standard output', '-')
    .option('--metrics-listen <host:port>', 'serve Prometheus /metrics here')
    .option('--netns <name>', 'capture inside this named network namespace instead of the current one')
    .action(async (podRegex: string | undefined, o) => {
      if (o.metricsListen !== undefined && !/^[^\s]*:\d{1,5}$/.test(o.metricsListen)) throw new UsageError(`--metrics-listen: expected HOST:PORT, got "${o.metricsListen}"`);
      const worker = new Worker({ node: o.node, inventory: o.inventory, rules: rulesFrom(podRegex, o), out: o.out, metricsListen: o.metricsListen, netns: o.netns });
      await worker.start();
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
