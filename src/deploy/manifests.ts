/**
 * A podtap install as Kubernetes objects: the one source of truth for what
 * runs in a cluster. `podtap tap` applies these objects; the Helm chart in
 * deploy/helm/podtap renders the same objects for the same values (checked
 * by src/deploy/chart.test.ts).
 *
 *   renderManifests(values) → [Namespace?, ServiceAccount ×2, ClusterRole,
 *     ClusterRoleBinding, Secret? (token), Secret? (TLS), PersistentVolumeClaim?,
 *     Service, Deployment (hub), DaemonSet (worker)]
 *
 * Values are merged over DEFAULT_VALUES and checked first (values.ts): a bad
 * value throws a DeployValuesError naming the value and the fix.
 */
import { stringify } from 'yaml';
// Types only (erased at run time): kubernetes-models is a devDependency.
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { namespace, serviceAccount, tlsSecret, tokenSecret, workerClusterRole, workerClusterRoleBinding } from './access.js';
import { generateBundle, type BundleOptions, type CertBundle } from '../hub/certs.js';
import { hubDataClaim, hubDeployment, hubService } from './hub.js';
import { hubCertNames, type RenderContext } from './names.js';
import { type DeployValues, type ResolvedValues, type ResolveOptions, resolveValues } from './values.js';
import { workerDaemonSet } from './worker.js';

export { DeployValuesError } from './errors.js';
export { DEFAULT_VALUES, resolveValues, type DeployValues, type ResolvedValues } from './values.js';
export { HUB_PORT, TLS_MOUNT, TOKEN_SECRET_KEY, hubCertNames, objectNames } from './names.js';
export { WORKER_API_ACCESS } from './access.js';
export { WORKER_CAPABILITIES, WORKER_KUBERNETES_FLAG } from './worker.js';

/** Every kind renderManifests makes. */
export type KubeObject = INamespace | IServiceAccount | IClusterRole | IClusterRoleBinding | ISecret
  | IPersistentVolumeClaim | IService | IDeployment | IDaemonSet;

export interface RenderOptions extends ResolveOptions {
  /** `app.kubernetes.io/managed-by` (default "podtap"; the chart says "Helm"). */
  managedBy?: string;
  /**
   * The TLS files for the rendered TLS Secret (tls.enabled without
   * tls.existingSecret): pass the deployed ones again when re-applying, so
   * running pods and the new Secret agree. Default: a fresh CA and
   * certificates from `generateTls` (default generateBundle).
   */
  tls?: CertBundle;
  generateTls?: (o: BundleOptions) => CertBundle;
}

/** The TLS files to render into a Secret, or null when none is rendered (TLS off, or an existing Secret). */
export function tlsBundle(v: ResolvedValues, opts: Pick<RenderOptions, 'tls' | 'generateTls'> = {}): CertBundle | null {
  if (!v.tls.enabled || v.tls.existingSecret !== null) return null;
  return opts.tls ?? (opts.generateTls ?? generateBundle)({ hubNames: hubCertNames(v) });
}

/** The objects of an install, in the order they can be applied. */
export function renderManifests(values: DeployValues = {}, opts: RenderOptions = {}): KubeObject[] {
  const v = resolveValues(values, opts);
  const ctx: RenderContext = { v, managedBy: opts.managedBy ?? 'podtap' };
  const tls = tlsBundle(v, opts);
  return [
    ...(v.createNamespace ? [namespace(ctx)] : []),
    serviceAccount(ctx, 'hub'),
    serviceAccount(ctx, 'worker'),
    workerClusterRole(ctx),
    workerClusterRoleBinding(ctx),
    ...(v.token.value === null ? [] : [tokenSecret(ctx, v.token.value)]),
    ...(tls === null ? [] : [tlsSecret(ctx, tls)]),
    ...(v.hub.storage.persistent ? [hubDataClaim(ctx)] : []),
    hubService(ctx),
    hubDeployment(ctx),
    workerDaemonSet(ctx),
  ];
}

/**
 * The same objects as one multi-document YAML stream for `kubectl apply -f -`.
 * Written as YAML 1.1, as Kubernetes reads it: strings such as "yes", "on"
 * or "0755" come out quoted.
 */
export function renderYaml(values: DeployValues = {}, opts: RenderOptions = {}): string {
  return renderManifests(values, opts).map((o) => stringify(o, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
