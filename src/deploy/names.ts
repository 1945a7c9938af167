/**
 * Object names and labels, from the values: every object is named
 * `<name>-…`, and carries the `app.kubernetes.io/*` labels. The label
 * `app.kubernetes.io/name=podtap` is also how the worker recognises podtap's
 * own pods and never captures them (PODTAP_SELF_LABEL in cluster/rules.ts).
 */
import { PODTAP_SELF_LABEL } from '../cluster/rules.js';
import { imageTag, type ResolvedValues } from './values.js';

/** The hub's port: API, stream, /metrics and /healthz. */
export const HUB_PORT = 8899;
/** Key of the token in its Secret (also in an existingSecret). */
export const TOKEN_SECRET_KEY = 'token';
/** Where both pods mount their TLS files (--tls-dir), from the TLS Secret. */
export const TLS_MOUNT = '/etc/podtap/tls';

export type Component = 'namespace' | 'token' | 'tls' | 'hub' | 'worker';

/** What renderManifests needs besides the values. */
export interface RenderContext {
  v: ResolvedValues;
  /** `app.kubernetes.io/managed-by`: "podtap" from the TypeScript, "Helm" from the chart. */
  managedBy: string;
}

export interface ObjectNames {
  hub: string;
  hubData: string;
  worker: string;
  /** The ClusterRole and its binding: cluster-wide, so they carry the namespace too. */
  workerAccess: string;
  secret: string;
  /** The Secret with the TLS files (rendered, or tls.existingSecret). */
  tlsSecret: string;
  /** The URL workers stream to (https:// with TLS). */
  hubUrl: string;
}

export function objectNames(v: ResolvedValues): ObjectNames {
  return {
    hub: `${v.name}-hub`,
    hubData: `${v.name}-hub-data`,
    worker: `${v.name}-worker`,
    workerAccess: `${v.namespace}:${v.name}-worker`,
    secret: v.token.existingSecret ?? `${v.name}-token`,
    tlsSecret: v.tls.existingSecret ?? `${v.name}-tls`,
    hubUrl: `${v.tls.enabled ? 'https' : 'http'}://${v.name}-hub.${v.namespace}.svc:${HUB_PORT}`,
  };
}

/**
 * The names the hub's certificate carries for the workers and the
 * port-forward: its Service, in every form a pod can resolve it (the
 * loopback names are added by generateBundle / the chart).
 */
export function hubCertNames(v: ResolvedValues): string[] {
  const svc = `${v.name}-hub`;
  return [svc, `${svc}.${v.namespace}`, `${svc}.${v.namespace}.svc`, `${svc}.${v.namespace}.svc.cluster.local`];
}

/** Labels that pick a component's pods (immutable once deployed: no version here). */
export function selectorLabels(v: ResolvedValues, component: Component): Record<string, string> {
  return {
    [PODTAP_SELF_LABEL.key]: PODTAP_SELF_LABEL.value,
    'app.kubernetes.io/instance': v.name,
    'app.kubernetes.io/component': component,
  };
}

export function labels(ctx: RenderContext, component: Component): Record<string, string> {
  return {
    ...selectorLabels(ctx.v, component),
    'app.kubernetes.io/version': imageTag(ctx.v),
    'app.kubernetes.io/part-of': 'podtap',
    'app.kubernetes.io/managed-by': ctx.managedBy,
  };
}

/** The image reference both workloads run. */
export function image(v: ResolvedValues): string {
  return `${v.image.repository}:${imageTag(v)}`;
}
