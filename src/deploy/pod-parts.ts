/**
 * Pieces both workloads' pod specs share: placement, pull secrets,
 * resources, the token from its Secret, and a small writable /tmp (the root
 * file systems are read-only).
 */
// Types only (erased at run time): kubernetes-models is a devDependency.
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { objectNames, TOKEN_SECRET_KEY } from './names.js';
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
