/**
 * The hub: one pod (SQLite has one writer), its volume, and a ClusterIP
 * Service the workers and API clients reach it by. It runs as a non-root
 * user with no capabilities, a read-only root file system and no API token.
 * With TLS (the default) it serves HTTPS with the Secret's hub.crt and
 * requires the workers' client certificates; the probes speak HTTPS too
 * (kubelet does not check certificates, and /healthz needs none).
 */
// Types only (erased at run time): kubernetes-models is a devDependency.
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { HUB_PORT, image, labels, objectNames, selectorLabels, TLS_MOUNT, type RenderContext } from './names.js';
import { placement, pullSecrets, resources, tlsVolume, tmpVolume, TMP_MOUNT, tokenEnv } from './pod-parts.js';

/** The image's non-root user (Dockerfile: `useradd --uid 10001 podtap`). */
export const HUB_UID = 10_001;
/** Where the hub keeps its database (--data), on the data volume. */
export const HUB_DATA_DIR = '/var/lib/podtap';

export function hubDataClaim(ctx: RenderContext): IPersistentVolumeClaim {
  const { storage } = ctx.v.hub;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: objectNames(ctx.v).hubData, namespace: ctx.v.namespace, labels: labels(ctx, 'hub') },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: storage.size } },
      ...(storage.storageClassName === null ? {} : { storageClassName: storage.storageClassName }),
    },
  };
}

export function hubService(ctx: RenderContext): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: objectNames(ctx.v).hub, namespace: ctx.v.namespace, labels: labels(ctx, 'hub') },
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(ctx.v, 'hub'),
      ports: [{ name: 'http', port: HUB_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

export function hubArgs(ctx: RenderContext): string[] {
  const { retention, redact } = ctx.v.hub;
  return [
    'hub',
    `--listen=0.0.0.0:${HUB_PORT}`,
    `--data=${HUB_DATA_DIR}`,
    `--max-bytes=${retention.maxBytes}`,
    `--max-age=${retention.maxAge}`,
    ...(redact ? [] : ['--no-redact']),
    ...(ctx.v.tls.enabled ? [`--tls-dir=${TLS_MOUNT}`] : []),
  ];
}

export function hubDeployment(ctx: RenderContext): IDeployment {
  const { v } = ctx;
  const n = objectNames(v);
  const data: IVolume = v.hub.storage.persistent
    ? { name: 'data', persistentVolumeClaim: { claimName: n.hubData } }
    : { name: 'data', emptyDir: { sizeLimit: v.hub.storage.size } };
  const healthz = () => ({ httpGet: { path: '/healthz', port: 'http', ...(v.tls.enabled ? { scheme: 'HTTPS' as const } : {}) } });
  const tls = v.tls.enabled ? tlsVolume(v, 'hub') : null;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: n.hub, namespace: v.namespace, labels: labels(ctx, 'hub') },
    spec: {
      replicas: 1,
      // Never two hubs on one database: the old pod stops before the new one opens it.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorLabels(v, 'hub') },
      template: {
        metadata: { labels: labels(ctx, 'hub') },
        spec: {
          serviceAccountName: n.hub,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          hostNetwork: false,
          hostPID: false,
          hostIPC: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: HUB_UID,
            runAsGroup: HUB_UID,
            // The data volume is made writable for the hub's group.
            fsGroup: HUB_UID,
            fsGroupChangePolicy: 'OnRootMismatch',
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...pullSecrets(v),
          ...placement(v.hub),
          containers: [{
            name: 'hub',
            image: image(v),
            imagePullPolicy: v.image.pullPolicy,
            args: hubArgs(ctx),
            env: [tokenEnv(v)],
            ports: [{ name: 'http', containerPort: HUB_PORT, protocol: 'TCP' }],
            // Opening a large database and applying retention can take a while at start.
            startupProbe: { ...healthz(), periodSeconds: 2, failureThreshold: 150 },
            readinessProbe: { ...healthz(), periodSeconds: 5, failureThreshold: 3 },
            livenessProbe: { ...healthz(), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
            resources: resources(v.hub.resources),
            securityContext: {
              privileged: false,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              capabilities: { drop: ['ALL'] },
            },
            volumeMounts: [{ name: 'data', mountPath: HUB_DATA_DIR }, { name: 'tmp', mountPath: TMP_MOUNT }, ...(tls === null ? [] : [tls.mount])],
          }],
          volumes: [data, tmpVolume(), ...(tls === null ? [] : [tls.volume])],
        },
      },
    },
  };
}
