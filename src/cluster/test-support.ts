/** Helpers for the cluster tests: fixture paths and small hand-made objects. */
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import type { ClusterSnapshot, PodInfo } from './model.js';

/** A file in src/cluster/fixtures (read from the source tree, not dist/). */
export function clusterFixture(name: string): string {
  return join(packageRoot(), 'src', 'cluster', 'fixtures', name);
}

export function pod(p: Partial<PodInfo> & { name: string }): PodInfo {
  const namespace = p.namespace ?? 'default';
  return { key: `${namespace}/${p.name}`, namespace, uid: '', labels: {}, node: 'n1', ips: ['10.0.0.1'], hostNetwork: false, phase: 'Running', createdAt: 0, ...p };
}

export function snapshot(pods: PodInfo[], rest: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  return { pods, services: [], nodes: [], source: 'test', loadedAt: 0, ...rest };
}
