/**
 * One GET to the Kubernetes API as raw JSON, authenticated by the
 * KubeConfig (TLS client certificates, CA, bearer token, exec plugins).
 * Raw JSON rather than client-node's typed API: the model reads Kubernetes
 * objects as they are on the wire, and 10,000 pods must not pay for a
 * conversion into typed classes.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { KubeError } from './config.js';

/** Longest a list page may take. */
export const KUBE_REQUEST_TIMEOUT_MS = 30_000;
/** Largest response read (a page of a list). */
export const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

export async function kubeGetJson(kc: KubeConfig, path: string): Promise<unknown> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new KubeError('no current cluster in the kubeconfig: pick one with --context');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  const opts: RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...opts, timeout: KUBE_REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) { req.destroy(new KubeError(`${path}: response larger than ${MAX_RESPONSE_BYTES} bytes`)); return; }
        chunks.push(c);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) {
          try { resolve(JSON.parse(text)); } catch { reject(new KubeError(`${path}: the API server sent something that is not JSON`)); }
          return;
        }
        let message = text.slice(0, 300);
        try { message = (JSON.parse(text) as { message?: string }).message ?? message; } catch { /* not a Status */ }
        reject(new KubeError(describeStatus(code, path, message), code));
      });
      res.on('error', (e) => reject(new KubeError(`${path}: ${e.message}`)));
    });
    req.on('timeout', () => req.destroy(new KubeError(`${path}: no answer from ${url.origin} in ${KUBE_REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', (e) => reject(e instanceof KubeError ? e : new KubeError(`cannot reach the Kubernetes API at ${url.origin}: ${e.message}; check the cluster is up and the kubeconfig's server address`)));
    req.end();
  });
}

/** An HTTP error from the API server, with what to do about it. */
export function describeStatus(code: number, path: string, message: string): string {
  if (code === 401) return `the Kubernetes API refused the credentials (401 Unauthorized: ${message}); they may have expired: log in again (e.g. refresh the kubeconfig) or pass another --context`;
  if (code === 403) return `the Kubernetes API forbids ${path} (403 Forbidden: ${message}); podtap needs get, list and watch on pods, services, endpointslices, nodes and namespaces (see deploy/ for the ClusterRole)`;
  if (code === 410) return `${path}: 410 Gone (${message})`;
  return `${path}: HTTP ${code} from the Kubernetes API: ${message}`;
}
