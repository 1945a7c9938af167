import type { Command } from 'commander';
import type { ClusterSnapshot } from '../cluster/model.js';
import { loadInventory } from '../cluster/inventory.js';
import { watchKubernetes } from '../cluster/kube/source.js';
import { KubeError, type KubeOptions } from '../cluster/kube/config.js';
import { UsageError } from './errors.js';

/** Where cluster metadata comes from: a file, or the Kubernetes API. */
export type ClusterSource = { inventory: string } | { kube: KubeOptions };

export function addClusterSourceOptions(cmd: Command): Command {
  return cmd
    .option('--inventory <file>', 'cluster metadata from a file: kubectl get pods,services,nodes -A -o json (or YAML); watched for changes')
    .option('--kubeconfig <file>', 'cluster metadata from the Kubernetes API (list+watch), with this kubeconfig (default: KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context to use')
    .option('--in-cluster', 'cluster metadata from the Kubernetes API, with the pod\'s service account');
}

/** The one source the options name; the Kubernetes API by default when there is no --inventory. */
export function clusterSource(o: { inventory?: string; kubeconfig?: string; context?: string; inCluster?: boolean }): ClusterSource {
  const kube = o.kubeconfig !== undefined || o.context !== undefined || o.inCluster === true;
  if (o.inventory !== undefined && kube) throw new UsageError('--inventory and --kubeconfig/--context/--in-cluster exclude each other: take metadata from a file or from the API');
  if (o.inventory !== undefined) return { inventory: o.inventory };
  if (o.inCluster === true && (o.kubeconfig !== undefined || o.context !== undefined)) throw new UsageError('--in-cluster uses the pod\'s service account: leave out --kubeconfig and --context');
  return { kube: { kubeconfig: o.kubeconfig, context: o.context, inCluster: o.inCluster } };
}

/** One snapshot from the source (for commands that do not follow changes). */
export async function loadClusterSnapshot(src: ClusterSource): Promise<ClusterSnapshot> {
  if ('inventory' in src) return loadInventory(src.inventory);
  let error: Error | undefined;
  const w = watchKubernetes(src.kube, () => {}, (e) => { error ??= e; }, () => {});
  try {
    const s = await w.ready;
    if (s === undefined) throw new KubeError(error?.message ?? 'the Kubernetes API could not be listed');
    return s;
  } finally {
    w.close();
  }
}
