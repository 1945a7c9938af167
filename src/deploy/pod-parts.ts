/**
 * Pieces both workloads' pod specs share: placement, pull secrets,
 * resources, the token from its Secret, the TLS files from theirs, and a
 * small writable /tmp (the root file systems are read-only).
 */
// Types only (erased at run time): kubernetes-models is a devDependency.
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { objectNames, TLS_MOUNT, TOKEN_SECRET_KEY } from './names.js';
import { TLS_FILES } from '../hub/certs.js';
import type { Placement, ResolvedValues, Resources } from './values.js';

/** The writable scratch directory (SQLite's temporary files, Node's). */
export const TMP_MOUNT = '/tmp';
export const TMP_SIZE_LIMIT = '256Mi';

/** nodeSelector, tolerations and priorityClassName, each only when set. */
export function placement(p: Placement): Pick<IPodSpec, 'nodeSelector' | 'tolerations' | 'priorityClassName'> {
  return {
    ...(Object.keys(p.nodeSelector).length === 0 ? {} : { nodeSelector: { ...p.nodeSelector } }),
    ...(p.tolerations.length === 0 ? {} : { tolerations: p.tolerations.map((t) => ({ ...t })) }),
    ...(p.priorityClassName === null ? {} : { priorityClassName: p.priorityClassName }),
  };
}

export function pullSecrets(v: ResolvedValues): Pick<IPodSpec, 'imagePullSecrets'> {
  return v.imagePullSecrets.length === 0 ? {} : { imagePullSecrets: v.imagePullSecrets.map((name) => ({ name })) };
}

export function resources(r: Resources): IResourceRequirements {
  return { requests: { ...r.requests }, limits: { ...r.limits } } as IResourceRequirements;
}

/** PODTAP_TOKEN, read by `podtap hub` and `podtap worker`, from the Secret only (never a literal). */
export function tokenEnv(v: ResolvedValues): IEnvVar {
  return { name: 'PODTAP_TOKEN', valueFrom: { secretKeyRef: { name: objectNames(v).secret, key: TOKEN_SECRET_KEY } } };
}

export function tmpVolume(): IVolume {
  return { name: 'tmp', emptyDir: { sizeLimit: TMP_SIZE_LIMIT } };
}

/**
 * One side's TLS files from the TLS Secret, read-only: the CA and its own
 * certificate and key, nothing of the other side's. `mode`: 0440 for the
 * hub (its group, fsGroup, reads them), 0400 for the worker (root).
 */
export function tlsVolume(v: ResolvedValues, role: 'hub' | 'worker'): { volume: IVolume; mount: IVolumeMount } {
  const [cert, key] = role === 'hub' ? [TLS_FILES.hubCert, TLS_FILES.hubKey] : [TLS_FILES.workerCert, TLS_FILES.workerKey];
  return {
    volume: {
      name: 'tls',
      secret: {
        secretName: objectNames(v).tlsSecret,
        items: [TLS_FILES.ca, cert, key].map((k) => ({ key: k, path: k })),
        defaultMode: role === 'hub' ? 0o440 : 0o400,
      },
    },
    mount: { name: 'tls', mountPath: TLS_MOUNT, readOnly: true },
  };
}
