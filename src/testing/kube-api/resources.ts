/**
 * The resource table: every resource the test API server serves, in one
 * place. Paths, discovery documents, list kinds, selectable fields and the
 * few per-resource behaviours (status subresource, what DELETE returns) all
 * come from here.
 */

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceDef {
  /** '' for the core group. */
  group: string;
  version: string;
  /** `v1` or `apps/v1`: the objects' apiVersion. */
  apiVersion: string;
  /** Plural lower-case name used in paths (`pods`). */
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: Verb[];
  categories: string[];
  /** Has a `/status` subresource: writes to the main resource keep the old status. */
  statusSubresource: boolean;
  /** DELETE answers with the deleted object, not a `Status` (genericregistry.Store.ReturnDeletedObject). */
  returnDeletedObject: boolean;
  /** Has metadata.generation, bumped when anything but metadata and status changes. */
  generation: boolean;
  /** Field selector keys besides metadata.name and metadata.namespace. */
  selectableFields: string[];
}

const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function def(
  group: string, version: string, plural: string, kind: string, namespaced: boolean,
  extra: Partial<Pick<ResourceDef, 'shortNames' | 'verbs' | 'categories' | 'statusSubresource' | 'returnDeletedObject' | 'generation' | 'selectableFields'>> = {},
): ResourceDef {
  return {
    group, version, apiVersion: group === '' ? version : `${group}/${version}`,
    plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List`, namespaced,
    shortNames: extra.shortNames ?? [], verbs: extra.verbs ?? ALL_VERBS, categories: extra.categories ?? [],
    statusSubresource: extra.statusSubresource ?? false, returnDeletedObject: extra.returnDeletedObject ?? false,
    generation: extra.generation ?? false, selectableFields: extra.selectableFields ?? [],
  };
}

export const RESOURCES: readonly ResourceDef[] = [
  def('', 'v1', 'namespaces', 'Namespace', false, {
    shortNames: ['ns'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    statusSubresource: true, returnDeletedObject: true, selectableFields: ['status.phase'],
  }),
  def('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], statusSubresource: true, selectableFields: ['spec.unschedulable'] }),
  def('', 'v1', 'pods', 'Pod', true, {
    shortNames: ['po'], categories: ['all'], statusSubresource: true, returnDeletedObject: true,
    selectableFields: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
      'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  }),
  def('', 'v1', 'services', 'Service', true, { shortNames: ['svc'], categories: ['all'], statusSubresource: true, returnDeletedObject: true }),
  def('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'], returnDeletedObject: true }),
  def('', 'v1', 'secrets', 'Secret', true, { selectableFields: ['type'] }),
  def('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  def('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true),
  def('apps', 'v1', 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], categories: ['all'], statusSubresource: true, generation: true }),
  def('apps', 'v1', 'deployments', 'Deployment', true, { shortNames: ['deploy'], categories: ['all'], statusSubresource: true, generation: true }),
  def('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  def('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  def('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true),
  def('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true),
];

/** API groups in the order discovery lists them (the core group is served under /api). */
export const GROUP_VERSIONS: readonly { group: string; version: string }[] = [
  { group: 'apps', version: 'v1' },
  { group: 'discovery.k8s.io', version: 'v1' },
  { group: 'rbac.authorization.k8s.io', version: 'v1' },
];

const byPath = new Map<string, ResourceDef>();
const byKind = new Map<string, ResourceDef>();
const byName = new Map<string, ResourceDef>();
for (const r of RESOURCES) {
  byPath.set(`${r.apiVersion}/${r.plural}`, r);
  byKind.set(`${r.apiVersion}/${r.kind}`, r);
  for (const n of [r.kind.toLowerCase(), r.plural, r.singular, ...r.shortNames]) byName.set(n, r);
}

/** The resource at `/api/v1/<plural>` or `/apis/<group>/<version>/<plural>`. */
export function resourceByPath(apiVersion: string, plural: string): ResourceDef | undefined {
  return byPath.get(`${apiVersion}/${plural}`);
}

/** The resource of an object (`apps/v1`, `DaemonSet`). */
export function resourceByKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** A resource by kind, plural, singular or short name, case-insensitive (`Pod`, `pods`, `po`). */
export function resourceByName(name: string): ResourceDef | undefined {
  return byName.get(name.toLowerCase());
}

export function resourcesOf(apiVersion: string): ResourceDef[] {
  return RESOURCES.filter((r) => r.apiVersion === apiVersion);
}

/** `pods` or `deployments.apps`: how error messages name a resource. */
export function qualifiedName(r: ResourceDef): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`;
}
