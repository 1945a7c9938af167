/**
 * The documented values combinations the deploy tests render: one dimension
 * per choice docs/deploy.md describes, each with its options. Tests take the
 * full product (every combination) or single cases by label.
 */
import type { DeployValues } from './values.js';
import { generateBundle, type CertBundle } from '../hub/certs.js';

/** A token given by the user. */
export const GIVEN_TOKEN = 'given-token.0123456789~ABCDEFGHIJ';
/** What the token generator returns in tests: 43 letters and digits, as the chart's randAlphaNum 43. */
export const GENERATED_TOKEN = 'Gen3rated0Token1For2Tests3abcdefghijklmnopq';
/** What the TLS generator returns in tests: one real bundle, made once. */
export const GENERATED_TLS: CertBundle = generateBundle({ hubNames: ['podtap-hub.podtap.svc'] });

export interface Option { label: string; values: DeployValues }
export interface Dimension { name: string; options: Option[] }

export const DIMENSIONS: readonly Dimension[] = [
  { name: 'namespace', options: [
    { label: 'default', values: {} },
    { label: 'custom', values: { name: 'tap', namespace: 'observability', createNamespace: false } },
  ] },
  { name: 'storage', options: [
    { label: 'emptyDir', values: {} },
    { label: 'pvc', values: { hub: { storage: { persistent: true, size: '20Gi', storageClassName: 'fast-ssd' }, retention: { maxBytes: '10g' } } } },
    { label: 'pvc-default-class', values: { hub: { storage: { persistent: true } } } },
  ] },
  { name: 'spool', options: [
    { label: 'emptyDir', values: {} },
    { label: 'off', values: { worker: { spool: { enabled: false } } } },
    { label: 'hostPath', values: { worker: { spool: { hostPath: '/var/lib/podtap/spool' } } } },
  ] },
  { name: 'targeting', options: [
    { label: 'every-pod', values: {} },
    { label: 'rules', values: { worker: { targeting: {
      podRegex: '^(cart|pay)-[a-z0-9]+$', namespaces: ['shop', 'pay'], excludedNamespaces: ['kube-system'],
      selector: 'app in (cart,pay),tier!=db', includeHostNetwork: true,
    } } } },
  ] },
  { name: 'placement', options: [
    { label: 'default', values: {} },
    { label: 'pinned', values: {
      hub: {
        nodeSelector: { 'kubernetes.io/os': 'linux', 'example.com/infra': 'true' },
        tolerations: [{ key: 'infra', operator: 'Equal', value: 'yes', effect: 'NoSchedule' }],
        priorityClassName: 'podtap-hub',
      },
      worker: {
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        tolerations: [
          { key: 'gpu', operator: 'Exists', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        ],
        priorityClassName: 'system-node-critical',
      },
    } },
  ] },
  { name: 'resources', options: [
    { label: 'default', values: {} },
    { label: 'custom', values: {
      hub: { resources: { requests: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '1Gi' }, limits: { cpu: 2, memory: '4Gi' } } },
      // memory: null removes the default memory limit, as `--set worker.resources.limits.memory=null` does.
      worker: { resources: { requests: { cpu: '250m' }, limits: { memory: null, cpu: '1' } } },
    } },
  ] },
  { name: 'image', options: [
    { label: 'default', values: {} },
    { label: 'override', values: { image: { repository: 'registry.example.com:5000/team/podtap', tag: '1.2.3-rc.1', pullPolicy: 'Always' }, imagePullSecrets: ['regcred'] } },
  ] },
  { name: 'token', options: [
    { label: 'given', values: { token: { value: GIVEN_TOKEN } } },
    { label: 'generated', values: {} },
    { label: 'existingSecret', values: { token: { existingSecret: 'my-podtap-token' } } },
  ] },
  { name: 'tls', options: [
    { label: 'generated', values: {} },
    { label: 'existingSecret', values: { tls: { existingSecret: 'my-podtap-tls' } } },
    { label: 'off', values: { tls: { enabled: false } } },
  ] },
  { name: 'metrics', options: [
    { label: 'off', values: {} },
    { label: 'on', values: { worker: { metricsPort: 9469 } } },
  ] },
  { name: 'hub', options: [
    { label: 'default', values: {} },
    { label: 'no-redact', values: { hub: { redact: false, retention: { maxBytes: '512m', maxAge: '12h' } } } },
  ] },
];

export interface Case { label: string; values: DeployValues }

/** Deep merge of option values: mappings merge, everything else (lists, null) replaces. */
export function combine(parts: readonly DeployValues[]): DeployValues {
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) {
      const cur = out[k];
      out[k] = isPlain(v) && isPlain(cur) ? merge(cur, v) : v;
    }
    return out;
  };
  return parts.reduce<Record<string, unknown>>((acc, p) => merge(acc, p as Record<string, unknown>), {}) as DeployValues;
}

const isPlain = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Every combination of one option per dimension. */
export function everyCombination(dims: readonly Dimension[] = DIMENSIONS): Case[] {
  let cases: Array<{ labels: string[]; parts: DeployValues[] }> = [{ labels: [], parts: [] }];
  for (const d of dims) {
    cases = cases.flatMap((c) => d.options.map((o) => ({ labels: [...c.labels, `${d.name}=${o.label}`], parts: [...c.parts, o.values] })));
  }
  return cases.map((c) => ({ label: c.labels.join(' '), values: combine(c.parts) }));
}

/** The case with the given option of one dimension and the first option of all others. */
export function single(dimension: string, label: string): Case {
  const dims = DIMENSIONS.map((d) => (d.name === dimension ? { ...d, options: d.options.filter((o) => o.label === label) } : { ...d, options: d.options.slice(0, 1) }));
  const [c] = everyCombination(dims);
  if (c === undefined) throw new Error(`no option ${dimension}=${label}`);
  return c;
}
