/**
 * The worker: one pod per node (DaemonSet), capturing the node's targeted
 * pods on their veths, streaming entries to the hub.
 *
 * Privileges, each for a reason, and nothing more:
 *
 *   - hostNetwork: true. Pod veths live in the node's own network namespace;
 *     only from there does libpcap see them and do `ip -j link`, `ip route
 *     get`, `ip neigh` and `bridge fdb` (src/worker/interfaces.ts) see the
 *     routes, bridges and forwarding tables that map a pod IP to its veth.
 *     dnsPolicy ClusterFirstWithHostNet keeps the hub's Service name
 *     resolvable from the node's network.
 *   - capabilities: CAP_NET_RAW only, everything else dropped. An AF_PACKET
 *     socket needs NET_RAW; attaching and reading back the kernel filter,
 *     the TPACKET_V3 ring and the read-only netlink dumps above need no
 *     capability, and podtap does not set promiscuous mode (a veth delivers
 *     its pod's traffic either way). NET_ADMIN would allow changing the
 *     node's interfaces, routes and firewall: not needed, not granted.
 *     src/deploy/capabilities.test.ts captures on a veth and discovers it
 *     with exactly WORKER_CAPABILITIES, and fails without them.
 *   - no SYS_ADMIN, no SYS_PTRACE, hostPID: false. They would only serve to
 *     enter pods' network namespaces (`ip -n NS`, /proc/PID/ns/net), which
 *     the in-cluster worker never does: it captures on the node's end of
 *     each veth (`--netns` is for the lab). The peer-namespace discovery
 *     method finds nothing in a container (the node's /var/run/netns is not
 *     mounted), so routed CNIs are found by route and bridged CNIs by the
 *     bridge's forwarding table.
 *   - root (uid 0) because Kubernetes gives added capabilities only to
 *     root's effective set; with allowPrivilegeEscalation false
 *     (no_new_privs) it cannot gain more. privileged: false. The process
 *     itself also drops everything but CAP_NET_RAW once its captures are
 *     open (src/worker/privileges.ts): here a no-op floor, since the
 *     container starts with no more.
 *   - with TLS: the CA and the workers' key pair only (never hub.key),
 *     read-only, 0400; the hub is reached by https:// and its Service name.
 */
// Types only (erased at run time): kubernetes-models is a devDependency.
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { image, labels, objectNames, selectorLabels, TLS_MOUNT, type RenderContext } from './names.js';
import { placement, pullSecrets, resources, tlsVolume, tmpVolume, TMP_MOUNT, tokenEnv } from './pod-parts.js';

/**
 * The worker flag meaning "read cluster metadata from the Kubernetes API with
 * the pod's service account" (src/cli/cluster-source.ts). One place to change
 * it; the chart's _helpers.tpl has the same text and a test checks they
 * agree, and that `podtap worker` accepts every flag the DaemonSet passes.
 */
export const WORKER_KUBERNETES_FLAG = '--in-cluster';
/** Capabilities the worker container adds after dropping ALL. */
export const WORKER_CAPABILITIES = ['NET_RAW'] as const;
/** Where the spool volume is mounted (--spool). */
export const SPOOL_MOUNT = '/var/lib/podtap/spool';

/**
 * Kubernetes expands `$(VAR)` and turns `$$` into `$` in args; user text
 * (a regex, a selector) is escaped so it reaches the worker unchanged.
 */
export const escapeArg = (s: string): string => s.replaceAll('$', '$$$$');

export function workerArgs(ctx: RenderContext): string[] {
  const w = ctx.v.worker;
  const t = w.targeting;
  return [
    'worker',
    WORKER_KUBERNETES_FLAG,
    '--node=$(NODE_NAME)',
    `--hub=${objectNames(ctx.v).hubUrl}`,
    ...(ctx.v.tls.enabled ? [`--tls-dir=${TLS_MOUNT}`] : []),
    `--packet-ring=${w.packetRing}`,
    ...(w.spool.enabled ? [`--spool=${SPOOL_MOUNT}`] : []),
    ...(w.metricsPort === null ? [] : [`--metrics-listen=0.0.0.0:${w.metricsPort}`]),
    ...(t.namespaces.length === 0 ? [] : [`--namespaces=${t.namespaces.join(',')}`]),
    ...(t.excludedNamespaces.length === 0 ? [] : [`--excluded-namespaces=${t.excludedNamespaces.join(',')}`]),
    ...(t.selector === null ? [] : [`--selector=${escapeArg(t.selector)}`]),
    ...(t.includeHostNetwork ? ['--include-host-network'] : []),
    // After "--", so a regex starting with "-" is not taken for a flag.
    ...(t.podRegex === null ? [] : ['--', escapeArg(t.podRegex)]),
  ];
}

function spool(ctx: RenderContext): { volumes: IVolume[]; mounts: IVolumeMount[] } {
  const s = ctx.v.worker.spool;
  if (!s.enabled) return { volumes: [], mounts: [] };
  const volume: IVolume = s.hostPath === null
    ? { name: 'spool', emptyDir: { sizeLimit: s.sizeLimit } }
    : { name: 'spool', hostPath: { path: s.hostPath, type: 'DirectoryOrCreate' } };
  return { volumes: [volume], mounts: [{ name: 'spool', mountPath: SPOOL_MOUNT }] };
}

export function workerDaemonSet(ctx: RenderContext): IDaemonSet {
  const { v } = ctx;
  const n = objectNames(v);
  const s = spool(ctx);
  const tls = v.tls.enabled ? tlsVolume(v, 'worker') : null;
  const ports: IContainerPort[] = v.worker.metricsPort === null ? [] : [{ name: 'metrics', containerPort: v.worker.metricsPort, protocol: 'TCP' }];
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: n.worker, namespace: v.namespace, labels: labels(ctx, 'worker') },
    spec: {
      selector: { matchLabels: selectorLabels(v, 'worker') },
      template: {
        metadata: { labels: labels(ctx, 'worker') },
        spec: {
          serviceAccountName: n.worker,
          automountServiceAccountToken: true,
          enableServiceLinks: false,
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          hostPID: false,
          hostIPC: false,
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          ...pullSecrets(v),
          ...placement(v.worker),
          containers: [{
            name: 'worker',
            image: image(v),
            imagePullPolicy: v.image.pullPolicy,
            args: workerArgs(ctx),
            env: [
              { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              tokenEnv(v),
            ],
            ...(ports.length === 0 ? {} : { ports }),
            resources: resources(v.worker.resources),
            securityContext: {
              privileged: false,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              runAsUser: 0,
              runAsGroup: 0,
              runAsNonRoot: false,
              capabilities: { drop: ['ALL'], add: [...WORKER_CAPABILITIES] },
            },
            volumeMounts: [...s.mounts, { name: 'tmp', mountPath: TMP_MOUNT }, ...(tls === null ? [] : [tls.mount])],
          }],
          volumes: [...s.volumes, tmpVolume(), ...(tls === null ? [] : [tls.volume])],
        },
      },
    },
  };
}
