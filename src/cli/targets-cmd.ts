import type { Command } from 'commander';
import { addClusterSourceOptions, clusterSource, loadClusterSnapshot } from './cluster-source.js';
import { compileRules } from '../cluster/rules.js';
import { formatTargetsTable, resolveTargets } from '../cluster/targets.js';
import { buildInterfaceFilter } from '../filters/bpf.js';
import { discoverPodInterfaces } from '../worker/interfaces.js';
import { loadRulesFile } from '../worker/rules-file.js';
import { addRuleOptions, checkRulesExclusive, rulesFrom } from './rules-options.js';

export function addTargetsCommand(program: Command): void {
  addClusterSourceOptions(addRuleOptions(program.command('targets')
    .description('Show, without capturing, which pods the rules target, on which node and interface, and the kernel filter each interface gets.')))
    .option('--node <name>', 'only this node; with --discover, find the pods\' interfaces here')
    .option('--discover', 'look up each targeted pod\'s veth in this network namespace (run on the node)')
    .option('--filters', 'print each interface\'s kernel filter expression')
    .option('--rules <file>', 'targeting rules as JSON or YAML, as `podtap worker --rules` reads them; instead of the flags')
    .action(async (podRegex: string | undefined, o) => {
      checkRulesExclusive(podRegex, o);
      const filter = o.rules === undefined ? compileRules(rulesFrom(podRegex, o)) : (await loadRulesFile(o.rules as string)).filter;
      const snapshot = await loadClusterSnapshot(clusterSource(o));
      const targets = resolveTargets(snapshot, filter);
      const rows = targets.explain().filter((r) => o.node === undefined || r.node === o.node);
      process.stdout.write(formatTargetsTable(rows));
      const podCidrs = snapshot.nodes.flatMap((n) => n.podCIDRs);
      const allIps = [...targets.ips.values()];
      const pods = targets.pods.map((t) => t.pod).filter((p) => o.node === undefined || p.node === o.node);
      const ifaces = new Map<string, string>();
      if (o.discover) {
        const d = await discoverPodInterfaces(pods);
        for (const f of d.found) ifaces.set(f.podKey, f.iface);
      }
      process.stdout.write(`\n${pods.length} targeted pod(s)${o.node ? ` on ${o.node}` : ''}; ${targets.ips.size} targeted address(es) cluster-wide\n`);
      for (const pod of pods) {
        const f = buildInterfaceFilter({ localIps: pod.ips, targetedIps: allIps, podCidrs });
        const iface = ifaces.get(pod.key) ?? (o.discover ? '(not found)' : '-');
        process.stdout.write(`${pod.key}  node=${pod.node || '-'}  iface=${iface}  filter terms=${f.terms}\n`);
        if (o.filters) process.stdout.write(`  ${f.expression}\n`);
      }
    });
}
