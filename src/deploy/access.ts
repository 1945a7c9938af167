/**
 * Namespace, identities and permissions: one ServiceAccount per component,
 * read-only cluster access for the worker and none for the hub, the
 * Secret holding the hub's token and the one holding the TLS files.
 */
// Types only (erased at run time): kubernetes-models is a devDependency.
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { labels, objectNames, TOKEN_SECRET_KEY, type RenderContext } from './names.js';
import { TLS_FILES, type CertBundle } from '../hub/certs.js';

/**
 * What the worker reads from the Kubernetes API, and nothing else: the
 * objects that tell it which pods to capture and how to name both ends of
 * an entry. EndpointSlices replace the core Endpoints (not granted). Verbs
 * are read-only; no Secrets, no pods/exec, no writes.
 */
export const WORKER_API_ACCESS: ReadonlyArray<{ apiGroup: string; resources: readonly string[] }> = [
  { apiGroup: '', resources: ['pods', 'services', 'nodes', 'namespaces'] },
  { apiGroup: 'discovery.k8s.io', resources: ['endpointslices'] },
];
export const READ_ONLY_VERBS = ['get', 'list', 'watch'] as const;

/**
 * The worker needs the node's network namespace (hostNetwork), which Pod
 * Security's "baseline" level forbids, so the namespace enforces
 * "privileged". The hub itself meets "restricted"; see docs/deploy.md.
 */
export function namespace(ctx: RenderContext): INamespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ctx.v.namespace,
      labels: { ...labels(ctx, 'namespace'), 'pod-security.kubernetes.io/enforce': 'privileged' },
    },
  };
}

export function serviceAccount(ctx: RenderContext, component: 'hub' | 'worker'): IServiceAccount {
  const n = objectNames(ctx.v);
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: component === 'hub' ? n.hub : n.worker, namespace: ctx.v.namespace, labels: labels(ctx, component) },
    // The hub never calls the API: no token is mounted into its pods at all.
    automountServiceAccountToken: component === 'worker',
  };
}

export function workerClusterRole(ctx: RenderContext): IClusterRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: objectNames(ctx.v).workerAccess, labels: labels(ctx, 'worker') },
    rules: WORKER_API_ACCESS.map((a) => ({ apiGroups: [a.apiGroup], resources: [...a.resources], verbs: [...READ_ONLY_VERBS] })),
  };
}

export function workerClusterRoleBinding(ctx: RenderContext): IClusterRoleBinding {
  const n = objectNames(ctx.v);
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: n.workerAccess, labels: labels(ctx, 'worker') },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: n.workerAccess },
    subjects: [{ kind: 'ServiceAccount', name: n.worker, namespace: ctx.v.namespace }],
  };
}

/** The token, for the hub (to check) and the workers (to send); pods read it only from here. */
export function tokenSecret(ctx: RenderContext, token: string): ISecret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: objectNames(ctx.v).secret, namespace: ctx.v.namespace, labels: labels(ctx, 'token') },
    type: 'Opaque',
    data: { [TOKEN_SECRET_KEY]: Buffer.from(token, 'utf8').toString('base64') },
  };
}

/**
 * The CA certificate and both key pairs (TLS_FILES keys). Each pod mounts
 * only its own key: the hub never sees worker.key, a node never sees
 * hub.key. The CA's key is not in it (nor anywhere).
 */
export function tlsSecret(ctx: RenderContext, bundle: CertBundle): ISecret {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: objectNames(ctx.v).tlsSecret, namespace: ctx.v.namespace, labels: labels(ctx, 'tls') },
    type: 'Opaque',
    data: {
      [TLS_FILES.ca]: b64(bundle.ca),
      [TLS_FILES.hubCert]: b64(bundle.hubCert),
      [TLS_FILES.hubKey]: b64(bundle.hubKey),
      [TLS_FILES.workerCert]: b64(bundle.workerCert),
      [TLS_FILES.workerKey]: b64(bundle.workerKey),
    },
  };
}
