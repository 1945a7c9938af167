/**
 * Which pods podtap captures, with Kubeshark's options:
 *
 *   kubeshark tap "catalo.*" -n shop -n pay --excludedNamespaces kube-system
 *
 * A pod is targeted when all given rules hold: the regex finds a match in its
 * name, its namespace is listed (no list = every namespace), it is not in an
 * excluded namespace (exclusion wins over inclusion), and its labels satisfy
 * the selector. Before any rule, three defaults apply:
 *
 *   1. only pods that can carry traffic: an IP, and phase Running or Pending;
 *   2. never podtap's own pods (`isPodtapPod`), which would capture the capture;
 *   3. never host-network pods: their IP is the node's, so capturing them
 *      would capture the whole node (`includeHostNetwork` turns this off).
 */
import { setFlagsFromString } from 'node:v8';
import { type PodInfo, RuleError } from './model.js';
import { matchesSelector, parseSelector, type Selector } from './selector.js';

export interface TargetRules {
  /** Kubeshark's positional pod regex, searched (unanchored) in the pod name; empty = any. */
  podRegex?: string;
  /** Namespaces to capture; empty = all. */
  namespaces?: string[];
  /** Namespaces never captured; wins over `namespaces`. */
  excludedNamespaces?: string[];
  /** kubectl label selector, e.g. `app=web,tier in (front,back)`. */
  selector?: string;
  /** The namespace podtap is deployed in (default `PODTAP_NAMESPACE`). */
  selfNamespace?: string;
  /** Also target host-network pods (captures their whole node). */
  includeHostNetwork?: boolean;
}

/** The rule that made a pod a target: the most specific one given. */
export type TargetRuleName = 'regex' | 'selector' | 'namespace' | 'default';

/** Why a pod is not a target. */
export type ExclusionReason = 'no-ip' | 'not-running' | 'podtap' | 'host-network' | 'excluded-namespace' | 'namespace' | 'regex' | 'selector';

export type Verdict = { targeted: true; rule: TargetRuleName } | { targeted: false; reason: ExclusionReason };

/** A compiled rule set: call it for a yes/no, or `verdict()` for the reason. */
export interface PodFilter {
  (pod: PodInfo): boolean;
  verdict(pod: PodInfo): Verdict;
}

/** Where podtap is deployed unless `selfNamespace` says otherwise. */
export const PODTAP_NAMESPACE = 'podtap';
/** The label every podtap pod carries (hub, workers, front end), wherever it runs. */
export const PODTAP_SELF_LABEL = { key: 'app.kubernetes.io/name', value: 'podtap' } as const;

/**
 * The "podtap's own pod" rule: in podtap's namespace, or labelled
 * `app.kubernetes.io/name=podtap` (so an install in another namespace is still
 * recognised). Such pods are never targets.
 */
export function isPodtapPod(pod: PodInfo, selfNamespace = PODTAP_NAMESPACE): boolean {
  return pod.namespace === selfNamespace || pod.labels[PODTAP_SELF_LABEL.key] === PODTAP_SELF_LABEL.value;
}

/** Whether a pod can be captured at all: it has an IP and is Running, or Pending with an IP already assigned. */
export function isTargetable(pod: PodInfo): boolean {
  return pod.ips.length > 0 && (pod.phase === 'Running' || pod.phase === 'Pending');
}

/** Longest pod regex accepted. */
export const MAX_POD_REGEX_CHARS = 1024;

/**
 * Go's `regexp.MatchString(re, name)` in JavaScript: an unanchored search.
 * Go's leading flag group `(?i)` / `(?s)` / `(?m)` (and combinations) becomes
 * JS flags, and `(?P<name>` becomes `(?<name>`; other RE2/JS differences
 * surface as a RuleError.
 */
// Once per process, before the first `l` regex (the filter language sets the same flag).
setFlagsFromString('--enable-experimental-regexp-engine');

export function compilePodRegex(source: string): RegExp {
  if (source.length > MAX_POD_REGEX_CHARS) throw new RuleError(`pod regex is ${source.length} characters, over MAX_POD_REGEX_CHARS (${MAX_POD_REGEX_CHARS}); shorten it`);
  let body = source;
  let flags = '';
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(body);
  if (lead !== null) {
    for (const f of lead[1]) {
      if (!'ism'.includes(f)) throw new RuleError(`pod regex ${JSON.stringify(source)}: flag '${f}' in '${lead[0]}' is not supported; use i, s or m`);
      if (!flags.includes(f)) flags += f;
    }
    body = body.slice(lead[0].length);
  }
  body = body.replace(/\(\?P</g, '(?<');
  // V8's linear-time engine (flag `l`), as filters use: a rule pushed from the hub cannot make
  // every worker backtrack exponentially on pod names. That engine has no `i`; pod names are
  // lower-case DNS labels, so a case-insensitive pattern is the same as its lower-cased literals.
  if (flags.includes('i')) { body = lowerLiterals(body); flags = flags.replace('i', ''); }
  try {
    return new RegExp(body, `${flags}l`);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const why = /linear time/i.test(msg) ? 'it cannot run in linear time (backreferences and lookaround are not supported)' : msg;
    throw new RuleError(`pod regex ${JSON.stringify(source)} is invalid: ${why}; fix the regex (it is searched in the pod name, like Kubeshark's)`);
  }
}

/** Lower-case a pattern's letters, leaving escapes (`\W`, `\x41`, `\p{L}`) as they are. */
function lowerLiterals(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      const m = /^\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|[pP]\{[^}]*\}|c[A-Za-z]|.)/s.exec(pattern.slice(i));
      const esc = m?.[0] ?? '\\';
      out += esc;
      i += esc.length - 1;
    } else {
      out += pattern[i]!.toLowerCase();
    }
  }
  return out;
}

/** Compiles rules once; throws RuleError for a bad regex or selector. */
export function compileRules(rules: TargetRules = {}): PodFilter {
  const regex = rules.podRegex ? compilePodRegex(rules.podRegex) : null;
  const selector: Selector | null = rules.selector?.trim() ? parseSelector(rules.selector) : null;
  const include = rules.namespaces?.length ? new Set(rules.namespaces) : null;
  const exclude = new Set(rules.excludedNamespaces ?? []);
  const self = rules.selfNamespace ?? PODTAP_NAMESPACE;
  const hostNetworkOk = rules.includeHostNetwork === true;
  const rule: TargetRuleName = regex ? 'regex' : selector ? 'selector' : include ? 'namespace' : 'default';

  const verdict = (pod: PodInfo): Verdict => {
    if (pod.ips.length === 0) return { targeted: false, reason: 'no-ip' };
    if (!isTargetable(pod)) return { targeted: false, reason: 'not-running' };
    if (isPodtapPod(pod, self)) return { targeted: false, reason: 'podtap' };
    if (pod.hostNetwork && !hostNetworkOk) return { targeted: false, reason: 'host-network' };
    if (exclude.has(pod.namespace)) return { targeted: false, reason: 'excluded-namespace' };
    if (include && !include.has(pod.namespace)) return { targeted: false, reason: 'namespace' };
    if (regex && !regex.test(pod.name)) return { targeted: false, reason: 'regex' };
    if (selector && !matchesSelector(selector, pod.labels)) return { targeted: false, reason: 'selector' };
    return { targeted: true, rule };
  };
  const filter = ((pod: PodInfo) => verdict(pod).targeted) as PodFilter;
  filter.verdict = verdict;
  return filter;
}
