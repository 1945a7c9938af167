/**
 * The values of a podtap install: one typed tree, the same keys as the Helm
 * chart's values.yaml (deploy/helm/podtap/values.yaml), with the same
 * defaults except the few listed in HELM_DIFFERENCES.
 *
 * `resolveValues(input)` merges what the caller gives over DEFAULT_VALUES the
 * way Helm merges a user's values over values.yaml (mappings key by key, a
 * null inside a free-form mapping removes that key, lists replace), then
 * checks every value. Anything wrong throws a DeployValuesError naming the
 * value and the fix; nothing is silently dropped or corrected.
 */
import { generateToken } from '../hub/auth.js';
import { podtapVersion } from '../util/version.js';
import { checkValues } from './values-checks.js';
import { type Shape, mergeShape } from './values-shape.js';

export { DeployValuesError } from './errors.js';

/** A Kubernetes quantity: "100m", "256Mi", or a plain number. */
export type Quantity = string | number;

export interface ResourceList {
  cpu?: Quantity;
  memory?: Quantity;
  'ephemeral-storage'?: Quantity;
}

export interface Resources {
  requests: ResourceList;
  limits: ResourceList;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** Where a pod may run. */
export interface Placement {
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  /** null: the cluster's default priority. */
  priorityClassName: string | null;
}

/** Which pods the workers capture (the worker's targeting flags). */
export interface Targeting {
  /** Pod-name regex (unanchored, Go syntax as Kubeshark); null: every pod. */
  podRegex: string | null;
  /** Only these namespaces; empty: all. */
  namespaces: string[];
  /** Never these namespaces (wins over `namespaces`). */
  excludedNamespaces: string[];
  /** kubectl label selector; null: no selector. */
  selector: string | null;
  /** Also capture host-network pods (each captures its whole node). */
  includeHostNetwork: boolean;
}

export interface ResolvedValues {
  /** Prefix of every object name and value of `app.kubernetes.io/instance` (Helm: the release name). */
  name: string;
  /** Namespace of every namespaced object (Helm: the release namespace). */
  namespace: string;
  /** Also render the Namespace (labelled for Pod Security "privileged", see docs/deploy.md). */
  createNamespace: boolean;
  image: {
    repository: string;
    /** null: the podtap version (Helm: the chart's appVersion). */
    tag: string | null;
    pullPolicy: PullPolicy;
  };
  /** Names of Secrets of type kubernetes.io/dockerconfigjson in the namespace. */
  imagePullSecrets: string[];
  token: {
    /** The hub's token; null: generated (by resolveValues, or by Helm once and then kept). */
    value: string | null;
    /** Use this existing Secret (key `token`) instead of rendering one. */
    existingSecret: string | null;
  };
  /** Mutual TLS between workers and the hub (src/hub/tls.ts). */
  tls: {
    /** HTTPS/WSS on the hub's port, client certificates required on the ingest stream. */
    enabled: boolean;
    /**
     * An existing Secret with ca.crt, hub.crt, hub.key, worker.crt and
     * worker.key (`podtap certs`); null: a CA and both certificates are
     * generated at install (by renderManifests, or by Helm once and then kept).
     */
    existingSecret: string | null;
  };
  hub: Placement & {
    retention: { maxBytes: string; maxAge: string };
    /** Redact secrets before storing (the hub's --no-redact when false). */
    redact: boolean;
    storage: {
      /** A PersistentVolumeClaim when true; an emptyDir (lost with the pod) when false. */
      persistent: boolean;
      /** PVC request, or the emptyDir's sizeLimit. */
      size: string;
      /** null: the cluster's default StorageClass. */
      storageClassName: string | null;
    };
    resources: Resources;
  };
  worker: Placement & {
    targeting: Targeting;
    spool: {
      /** Keep unacknowledged entries on disk (the worker's --spool). */
      enabled: boolean;
      /** null: an emptyDir (survives container restarts); a path: a hostPath (survives pod replacement). */
      hostPath: string | null;
      /** The emptyDir's sizeLimit (ignored with hostPath). */
      sizeLimit: string;
    };
    /** Raw packets kept in memory for pcapng export (--packet-ring). */
    packetRing: string;
    /** Serve Prometheus /metrics on this port of the node; null: off. */
    metricsPort: number | null;
    resources: Resources;
  };
}

/**
 * What callers give: every value optional at every depth; lists are given
 * whole. null is accepted where Helm accepts it: for an optional value it
 * means "none", inside nodeSelector or a resource list it removes that key;
 * elsewhere resolveValues refuses it with a DeployValuesError.
 */
export type DeployValues = DeepPartial<ResolvedValues>;
type DeepPartial<T> = T extends readonly unknown[] ? T
  : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | null } : T;

export const DEFAULT_VALUES: ResolvedValues = deepFreeze({
  name: 'podtap',
  namespace: 'podtap',
  createNamespace: true,
  image: { repository: 'podtap', tag: null, pullPolicy: 'IfNotPresent' },
  imagePullSecrets: [],
  token: { value: null, existingSecret: null },
  tls: { enabled: true, existingSecret: null },
  hub: {
    retention: { maxBytes: '1g', maxAge: '7d' },
    redact: true,
    storage: { persistent: false, size: '2Gi', storageClassName: null },
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    nodeSelector: {},
    tolerations: [],
    priorityClassName: null,
  },
  worker: {
    targeting: { podRegex: null, namespaces: [], excludedNamespaces: [], selector: null, includeHostNetwork: false },
    spool: { enabled: true, hostPath: null, sizeLimit: '1Gi' },
    packetRing: '64m',
    metricsPort: null,
    resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    nodeSelector: {},
    // Tolerate every taint: a node without a worker is a node whose pods are not captured.
    tolerations: [{ operator: 'Exists' }],
    priorityClassName: null,
  },
});

/**
 * Where the chart's values.yaml differs from DEFAULT_VALUES, and why. The
 * keys `name` and `namespace` are not in values.yaml at all: Helm gives them
 * (`.Release.Name`, `.Release.Namespace`).
 */
export const HELM_DIFFERENCES: Readonly<Record<string, { value: unknown; why: string }>> = {
  createNamespace: {
    value: false,
    why: 'Helm stores the release in its namespace before it creates anything, so the namespace must exist first (kubectl create namespace, or --create-namespace)',
  },
};

/** Keys Helm takes from the release instead of values.yaml. */
export const HELM_RELEASE_KEYS = ['name', 'namespace'] as const;

/** Kinds of every value, for merging and type checks (values-shape.ts). */
const RESOURCES: Shape = { requests: 'quantityMap', limits: 'quantityMap' };
const PLACEMENT: Shape = { nodeSelector: 'stringMap', tolerations: 'tolerations', priorityClassName: 'string?' };
export const VALUES_SHAPE: Shape = {
  name: 'string',
  namespace: 'string',
  createNamespace: 'boolean',
  image: { repository: 'string', tag: 'string?', pullPolicy: 'string' },
  imagePullSecrets: 'stringList',
  token: { value: 'string?', existingSecret: 'string?' },
  tls: { enabled: 'boolean', existingSecret: 'string?' },
  hub: {
    retention: { maxBytes: 'string', maxAge: 'string' },
    redact: 'boolean',
    storage: { persistent: 'boolean', size: 'string', storageClassName: 'string?' },
    resources: RESOURCES,
    ...PLACEMENT,
  },
  worker: {
    targeting: { podRegex: 'string?', namespaces: 'stringList', excludedNamespaces: 'stringList', selector: 'string?', includeHostNetwork: 'boolean' },
    spool: { enabled: 'boolean', hostPath: 'string?', sizeLimit: 'string' },
    packetRing: 'string',
    metricsPort: 'integer?',
    resources: RESOURCES,
    ...PLACEMENT,
  },
};

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) { Object.values(o).forEach(deepFreeze); Object.freeze(o); }
  return o;
}

export interface ResolveOptions {
  /** Makes the token when none is given (default: the hub's own generateToken). */
  generateToken?: () => string;
}

/**
 * Defaults + `input`, checked; a token is generated when neither
 * `token.value` nor `token.existingSecret` is given, so the caller can read
 * it back from the result (e.g. to talk to the hub it deploys).
 */
export function resolveValues(input: DeployValues = {}, opts: ResolveOptions = {}): ResolvedValues {
  const v = mergeShape(VALUES_SHAPE, DEFAULT_VALUES, input, '') as unknown as ResolvedValues;
  if (v.token.value === null && v.token.existingSecret === null) v.token.value = (opts.generateToken ?? generateToken)();
  checkValues(v);
  return v;
}

/** The image tag in use: the given one, else podtap's version (the chart's appVersion). */
export function imageTag(v: ResolvedValues): string {
  return v.image.tag ?? podtapVersion();
}

