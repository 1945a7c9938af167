/**
 * Discovery documents: /version, /api, /api/v1, /apis, /apis/<group> and
 * /apis/<group>/<version>, in the unaggregated (v1) form that every client
 * falls back to.
 */
import { GROUP_VERSIONS, resourcesOf } from './resources.js';

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export const SERVER_VERSION: VersionInfo = {
  major: '1', minor: '31', gitVersion: 'v1.31.0', gitCommit: '9edcffcde5595e8a5b1a35f88c421764e575afce',
  gitTreeState: 'clean', buildDate: '2024-08-13T07:28:49Z', goVersion: 'go1.22.5', compiler: 'gc', platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string): object {
  const versions = GROUP_VERSIONS.filter((g) => g.group === group).map((g) => ({ groupVersion: `${g.group}/${g.version}`, version: g.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): object {
  const groups = [...new Set(GROUP_VERSIONS.map((g) => g.group))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) };
}

/** The APIGroup document of /apis/<group>, undefined for an unknown group. */
export function apiGroupDoc(group: string): object | undefined {
  if (!GROUP_VERSIONS.some((g) => g.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group) };
}

/** The APIResourceList of `v1` or `<group>/<version>`, undefined when not served. */
export function apiResourceList(groupVersion: string): object | undefined {
  const rs = resourcesOf(groupVersion);
  if (rs.length === 0) return undefined;
  const resources: object[] = [];
  for (const r of rs) {
    const entry: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    resources.push(entry);
    if (r.statusSubresource) {
      resources.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
    }
  }
  const doc: Record<string, unknown> = { kind: 'APIResourceList' };
  if (groupVersion.includes('/')) doc.apiVersion = 'v1';
  doc.groupVersion = groupVersion;
  doc.resources = resources;
  return doc;
}
