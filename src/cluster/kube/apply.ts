/**
 * The write side of `podtap tap` / `podtap clean`: server-side apply of
 * podtap's own objects, reads of their status, and deletes, against the
 * Kubernetes API with the KubeConfig's credentials. Objects are addressed
 * by apiVersion, kind, namespace and name through one table of the kinds
 * podtap creates; nothing else is ever written.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { KubeError } from './config.js';
import { describeStatus, KUBE_REQUEST_TIMEOUT_MS } from './http.js';

/** The field manager podtap's applies are recorded under. */
export const FIELD_MANAGER = 'podtap';

/** Kinds podtap creates → their REST resource. */
const RESOURCES: Record<string, { group: string; plural: string; namespaced: boolean }> = {
  Namespace: { group: '', plural: 'namespaces', namespaced: false },
  ServiceAccount: { group: '', plural: 'serviceaccounts', namespaced: true },
  Secret: { group: '', plural: 'secrets', namespaced: true },
  Service: { group: '', plural: 'services', namespaced: true },
  PersistentVolumeClaim: { group: '', plural: 'persistentvolumeclaims', namespaced: true },
  ClusterRole: { group: 'rbac.authorization.k8s.io', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { group: 'rbac.authorization.k8s.io', plural: 'clusterrolebindings', namespaced: false },
  Deployment: { group: 'apps', plural: 'deployments', namespaced: true },
  DaemonSet: { group: 'apps', plural: 'daemonsets', namespaced: true },
};

export interface ObjectRef { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } }

/** The REST path of an object (or of its collection, without a name). */
export function objectPath(kind: string, name: string | undefined, namespace: string | undefined): string {
  const r = RESOURCES[kind];
  if (r === undefined) throw new KubeError(`podtap does not manage objects of kind ${kind}`);
  const base = r.group === '' ? '/api/v1' : `/apis/${r.group}/v1`;
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
  return `${base}${ns}/${r.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

/** One request with the KubeConfig's credentials; resolves with the status and parsed body. */
export async function kubeRequest(kc: KubeConfig, method: string, path: string, body?: { type: string; text: string }): Promise<{ status: number; body: unknown }> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new KubeError('no current cluster in the kubeconfig: pick one with --context');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  const opts: RequestOptions = { method, headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': body.type }) } };
  await kc.applyToHTTPSOptions(opts);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...opts, timeout: KUBE_REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try { parsed = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new KubeError(`${method} ${path}: no answer in ${KUBE_REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', (e) => reject(e instanceof KubeError ? e : new KubeError(`cannot reach the Kubernetes API at ${url.origin}: ${e.message}`)));
    if (body !== undefined) req.write(body.text);
    req.end();
  });
}

function fail(method: string, path: string, r: { status: number; body: unknown }): never {
  const message = (r.body as { message?: string } | null)?.message ?? String(r.body).slice(0, 200);
  throw new KubeError(describeStatus(r.status, `${method} ${path}`, message), r.status);
}

/** Server-side apply (create or update) of one of podtap's objects. */
export async function applyObject(kc: KubeConfig, obj: ObjectRef): Promise<unknown> {
  const path = objectPath(obj.kind ?? '', obj.metadata?.name, obj.metadata?.namespace);
  const r = await kubeRequest(kc, 'PATCH', `${path}?fieldManager=${FIELD_MANAGER}&force=true`, { type: 'application/apply-patch+yaml', text: JSON.stringify(obj) });
  if (r.status >= 300) fail('PATCH', path, r);
  return r.body;
}

/** The object as the API has it now, or undefined when it does not exist. */
export async function getObject(kc: KubeConfig, kind: string, name: string, namespace?: string): Promise<Record<string, unknown> | undefined> {
  const path = objectPath(kind, name, namespace);
  const r = await kubeRequest(kc, 'GET', path);
  if (r.status === 404) return undefined;
  if (r.status >= 300) fail('GET', path, r);
  return r.body as Record<string, unknown>;
}

/** Delete one object; false when it was not there. */
export async function deleteObject(kc: KubeConfig, kind: string, name: string, namespace?: string): Promise<boolean> {
  const path = objectPath(kind, name, namespace);
  const r = await kubeRequest(kc, 'DELETE', path);
  if (r.status === 404) return false;
  if (r.status >= 300) fail('DELETE', path, r);
  return true;
}

/** Pods of a namespace with these labels (raw objects). */
export async function listPods(kc: KubeConfig, namespace: string, labels: Record<string, string>): Promise<Array<Record<string, unknown>>> {
  const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(selector)}`;
  const r = await kubeRequest(kc, 'GET', path);
  if (r.status >= 300) fail('GET', path, r);
  return ((r.body as { items?: Array<Record<string, unknown>> }).items ?? []);
}
