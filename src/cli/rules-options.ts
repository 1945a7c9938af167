import type { Command } from 'commander';
import type { TargetRules } from '../cluster/rules.js';

/** Repeated or comma-separated list flags, as Kubeshark's `-n a,b -n c`. */
function list(value: string, prev: string[] = []): string[] {
  return [...prev, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** The targeting flags shared by `worker`, `targets` (and later `tap`). */
export function addRuleOptions(cmd: Command): Command {
  return cmd
    .argument('[pod-regex]', 'target pods whose name matches this regex (unanchored, like Kubeshark)')
    .option('-n, --namespaces <ns>', 'only these namespaces (comma-separated or repeated)', list)
    .option('-e, --excluded-namespaces <ns>', 'never these namespaces', list)
    .option('-l, --selector <selector>', 'kubectl label selector, e.g. "app=api,tier!=db" or "env in (a,b)"')
    .option('--include-host-network', 'also target host-network pods (captures their whole node)');
}

export function rulesFrom(podRegex: string | undefined, o: { namespaces?: string[]; excludedNamespaces?: string[]; selector?: string; includeHostNetwork?: boolean }): TargetRules {
  return {
    podRegex: podRegex || undefined,
    namespaces: o.namespaces,
    excludedNamespaces: o.excludedNamespaces,
    selector: o.selector,
    includeHostNetwork: o.includeHostNetwork === true,
  };
}
