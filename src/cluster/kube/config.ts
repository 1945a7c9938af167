/**
 * Where the Kubernetes API is and how to log in, with @kubernetes/client-node's
 * KubeConfig: `--kubeconfig FILE` (else `KUBECONFIG`, else ~/.kube/config),
 * `--context NAME`, or the in-cluster service account. Every failure is a
 * KubeError whose message names the fix.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The Kubernetes API cannot be used: unreachable, refused, misconfigured. The message names the fix. */
export class KubeError extends Error {
  override readonly name = 'KubeError';
  constructor(message: string, readonly status?: number) { super(message); }
}

export interface KubeOptions {
  /** A kubeconfig file; default KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string;
  context?: string;
  /** Use the pod's service account (a worker in the cluster). */
  inCluster?: boolean;
}

/**
 * client-node is loaded here, on first use, not when the CLI starts: it takes longer to load
 * (about 0.5 s) than `podtap read` takes on a small capture.
 */
export async function loadKubeConfig(o: KubeOptions): Promise<KubeConfig> {
  const { KubeConfig: Config } = await import('@kubernetes/client-node');
  const kc = new Config();
  if (o.inCluster === true) {
    if (process.env.KUBERNETES_SERVICE_HOST === undefined) {
      throw new KubeError('--in-cluster: not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set); use --kubeconfig outside a cluster');
    }
    kc.loadFromCluster();
    return kc;
  }
  const files = o.kubeconfig ?? process.env.KUBECONFIG ?? join(homedir(), '.kube', 'config');
  const first = files.split(':').find((f) => f !== '') ?? '';
  if (!files.split(':').some((f) => f !== '' && existsSync(f))) {
    throw new KubeError(`no kubeconfig at ${first || files}: pass --kubeconfig FILE, set KUBECONFIG, or run inside the cluster with --in-cluster`);
  }
  try {
    if (o.kubeconfig !== undefined) kc.loadFromFile(o.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new KubeError(`cannot read kubeconfig ${o.kubeconfig ?? files}: ${(err as Error).message}`);
  }
  if (o.context !== undefined) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(o.context)) {
      throw new KubeError(`--context ${o.context}: no such context in the kubeconfig (it has: ${names.join(', ') || 'none'}); see kubectl config get-contexts`);
    }
    kc.setCurrentContext(o.context);
  }
  if (kc.getCurrentCluster() === null) {
    throw new KubeError('the kubeconfig has no current context or cluster: pick one with --context NAME (kubectl config get-contexts)');
  }
  return kc;
}
