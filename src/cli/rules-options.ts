import type { Command } from 'commander';
import type { TargetRules } from '../cluster/rules.js';
import { UsageError } from './errors.js';

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

/** Whether any targeting flag or the regex was given (they exclude `--rules FILE`). */
export function hasRuleFlags(podRegex: string | undefined, o: { namespaces?: string[]; excludedNamespaces?: string[]; selector?: string; includeHostNetwork?: boolean }): boolean {
  return Boolean(podRegex) || o.namespaces !== undefined || o.excludedNamespaces !== undefined || o.selector !== undefined || o.includeHostNetwork === true;
}

/** `--rules FILE` and the targeting flags exclude each other: one UsageError line. */
export function checkRulesExclusive(podRegex: string | undefined, o: { rules?: string; namespaces?: string[]; excludedNamespaces?: string[]; selector?: string; includeHostNetwork?: boolean }): void {
  if (o.rules !== undefined && hasRuleFlags(podRegex, o)) {
    throw new UsageError('--rules FILE and the targeting flags (pod regex, -n, -e, -l, --include-host-network) are exclusive: put the rules in the file, or drop --rules');
  }
}
