/**
 * Cluster metadata from the Kubernetes API: one list+watch each of pods,
 * services, EndpointSlices, nodes and namespaces per process, turned into
 * the same ClusterSnapshot an inventory file gives. Targeting, ownership and
 * naming therefore work unchanged.
 *
 * Snapshots are made at most every SNAPSHOT_DEBOUNCE_MS after a change, so a
 * watch event reaches targeting well within a second. When the API goes
 * away, the last snapshot stays in force (each watcher says so once and
 * retries).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterSnapshot, NodeInfo, PodInfo, ServiceInfo } from '../model.js';
import { InventoryError } from '../model.js';
import { readNode, readPod, readService } from '../k8s-objects.js';
import { ObjectReader, type JsonObject } from '../object-reader.js';
import type { InventoryWatcher } from '../watch.js';
import { ResourceWatcher, type ResourceCounters } from './resource-watcher.js';
import { KubeError, loadKubeConfig, type KubeOptions } from './config.js';

export const SNAPSHOT_DEBOUNCE_MS = 100;
export const SOURCE_NAME = 'kubernetes';

/** EndpointSlice → (service key, addresses of ready endpoints). */
interface SliceInfo { service: string; ips: string[] }

function readSlice(o: JsonObject): SliceInfo {
  const meta = o.metadata as JsonObject | undefined;
  const labels = (meta?.labels ?? {}) as Record<string, unknown>;
  const svc = labels['kubernetes.io/service-name'];
  const ns = meta?.namespace;
  const ips: string[] = [];
  for (const ep of (Array.isArray(o.endpoints) ? o.endpoints : []) as JsonObject[]) {
    for (const a of (Array.isArray(ep.addresses) ? ep.addresses : []) as unknown[]) if (typeof a === 'string') ips.push(a);
  }
  return { service: typeof svc === 'string' && typeof ns === 'string' ? `${ns}/${svc}` : '', ips };
}

export interface KubeSource extends InventoryWatcher {
  /** Per resource type: lists, pages, watches, events, bookmarks, 410s, errors. */
  readonly resources: Record<string, ResourceCounters>;
}

/**
 * Start watching; `ready` resolves with the first snapshot once every
 * resource type is listed, or undefined after `onError` got the KubeError
 * (unreachable, 401, 403, a bad context) that stopped the first list.
 */
export function watchKubernetes(
  o: KubeOptions | KubeConfig,
  onSnapshot: (s: ClusterSnapshot) => void,
  onError: (err: InventoryError) => void,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): KubeSource {
  let timer: NodeJS.Timeout | null = null;
  let started = false;
  let closed = false;
  let current: ClusterSnapshot | undefined;
  const stats = { reads: 0, unchanged: 0, invalid: 0, snapshots: 0 };
  const changed = () => {
    if (!started || closed || timer !== null) return;
    timer = setTimeout(() => { timer = null; emit(); }, SNAPSHOT_DEBOUNCE_MS);
  };
  const reader = (kind: string) => (obj: JsonObject) => new ObjectReader(SOURCE_NAME, `${kind} ${String((obj.metadata as JsonObject | undefined)?.namespace ?? '')}/${String((obj.metadata as JsonObject | undefined)?.name ?? '')}`);
  let kc: KubeConfig;
  const failed = (err: unknown): InventoryError => new InventoryError(err instanceof Error ? err.message : String(err));
  const watchers: Array<ResourceWatcher<unknown>> = [];
  let pods!: ResourceWatcher<PodInfo>, services!: ResourceWatcher<ServiceInfo>, slices!: ResourceWatcher<SliceInfo>, nodes!: ResourceWatcher<NodeInfo>, namespaces!: ResourceWatcher<string>;
  const emit = () => {
    const endpointIps = new Map<string, string[]>();
    for (const s of slices.items.values()) if (s.service !== '') endpointIps.set(s.service, [...(endpointIps.get(s.service) ?? []), ...s.ips]);
    current = {
      pods: [...pods.items.values()],
      services: [...services.items.values()].map((s) => (endpointIps.has(s.key) ? { ...s, endpointIPs: endpointIps.get(s.key) } : s)),
      nodes: [...nodes.items.values()],
      namespaces: [...namespaces.items.values()],
      source: SOURCE_NAME,
      loadedAt: Date.now(),
    };
    stats.snapshots++;
    onSnapshot(current);
  };
  const ready = (async (): Promise<ClusterSnapshot | undefined> => {
    try {
      kc = o instanceof Object && 'getCurrentCluster' in o ? o : await loadKubeConfig(o as KubeOptions);
      pods = new ResourceWatcher(kc, 'pods', '/api/v1/pods', (x) => readPod(x as JsonObject, reader('Pod')(x as JsonObject)), changed, log);
      services = new ResourceWatcher(kc, 'services', '/api/v1/services', (x) => readService(x as JsonObject, reader('Service')(x as JsonObject)), changed, log);
      slices = new ResourceWatcher(kc, 'endpointslices', '/apis/discovery.k8s.io/v1/endpointslices', (x) => readSlice(x as JsonObject), changed, log);
      nodes = new ResourceWatcher(kc, 'nodes', '/api/v1/nodes', (x) => readNode(x as JsonObject, reader('Node')(x as JsonObject)), changed, log);
      namespaces = new ResourceWatcher(kc, 'namespaces', '/api/v1/namespaces', (x) => String(x.metadata?.name ?? ''), changed, log);
      watchers.push(pods, services, slices, nodes, namespaces);
      await Promise.all(watchers.map((w) => w.start()));
    } catch (err) {
      for (const w of watchers) w.stop();
      onError(failed(err instanceof KubeError ? err : err));
      return undefined;
    }
    if (closed) return undefined;
    started = true;
    emit();
    return current;
  })();
  return {
    ready,
    get current() { return current; },
    stats,
    get resources() { return Object.fromEntries(watchers.map((w) => [w.resource, w.counters])); },
    close: () => {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      for (const w of watchers) w.stop();
    },
  };
}
