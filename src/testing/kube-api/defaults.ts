/**
 * What happens to an object between the request and the store, in the
 * order of the real API server: validation of the name, system metadata
 * (uid, creationTimestamp, generation), the strategy's status rule (status
 * set through the main resource is ignored where a /status subresource
 * exists; pods start Pending, namespaces Active) and the common defaults
 * (pod restartPolicy, dnsPolicy and container pull policy; Service type and
 * ClusterIP; Deployment and DaemonSet strategies; Secret type).
 * Functions change the object they are given.
 */
import { randomUUID } from 'node:crypto';
import type { ResourceDef } from './resources.js';
import { errors } from './status.js';
import { isPlainObject, type KubeObject } from './types.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAMED = new Set(['namespaces', 'services']);
const PATH_SEGMENT_NAMED = new Set(['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings']);

/** A name as the resource's validation accepts it; '' when valid, else the reason. */
function nameProblem(r: ResourceDef, name: string): string {
  if (PATH_SEGMENT_NAMED.has(r.plural)) {
    return name === '.' || name === '..' || /[/%]/.test(name) ? 'may not contain \'/\' or \'%\', or be \'.\' or \'..\'' : '';
  }
  if (LABEL_NAMED.has(r.plural)) {
    return name.length <= 63 && DNS_LABEL.test(name) ? '' : 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')';
  }
  return name.length <= 253 && DNS_SUBDOMAIN.test(name) ? '' : 'a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')';
}

/** 422 when the name is missing or not valid for the resource. */
export function validateName(r: ResourceDef, obj: KubeObject): void {
  const name = obj.metadata.name;
  if (!name) {
    throw errors.invalid(r, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
  }
  const problem = nameProblem(r, name);
  if (problem) throw errors.invalid(r, name, [{ reason: 'FieldValueInvalid', message: `Invalid value: "${name}": ${problem}`, field: 'metadata.name' }]);
}

const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function obj(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = parent[key];
  if (isPlainObject(v)) return v;
  const o: Record<string, unknown> = {};
  parent[key] = o;
  return o;
}

function setDefault(o: Record<string, unknown>, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

function defaultPodSpec(spec: Record<string, unknown>): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'serviceAccountName', spec.serviceAccount ?? 'default');
  setDefault(spec, 'serviceAccount', spec.serviceAccountName);
  setDefault(spec, 'enableServiceLinks', true);
  for (const c of [...list(spec.containers), ...list(spec.initContainers)]) {
    const image = typeof c.image === 'string' ? c.image : '';
    const tag = /:([^/:@]+)$/.exec(image)?.[1];
    setDefault(c, 'imagePullPolicy', !image.includes('@') && (tag === undefined || tag === 'latest') ? 'Always' : 'IfNotPresent');
    setDefault(c, 'terminationMessagePath', '/dev/termination-log');
    setDefault(c, 'terminationMessagePolicy', 'File');
    setDefault(c, 'resources', {});
    for (const p of list(c.ports)) setDefault(p, 'protocol', 'TCP');
  }
}

export interface AdmitContext {
  now(): Date;
  /** Next free ClusterIP for a Service that asks none. */
  allocateClusterIp(): string;
}

const WITH_SPEC = new Set(['pods', 'services', 'deployments', 'daemonsets', 'namespaces', 'nodes']);

function applyDefaults(r: ResourceDef, o: KubeObject, ctx: AdmitContext): void {
  const spec = WITH_SPEC.has(r.plural) ? obj(o, 'spec') : undefined;
  switch (r.plural) {
    case 'pods': defaultPodSpec(spec!); break;
    case 'services': {
      setDefault(spec!, 'type', 'ClusterIP');
      setDefault(spec!, 'sessionAffinity', 'None');
      if (spec!.type !== 'ExternalName') {
        setDefault(spec!, 'clusterIP', ctx.allocateClusterIp());
        setDefault(spec!, 'clusterIPs', [spec!.clusterIP]);
        setDefault(spec!, 'ipFamilies', ['IPv4']);
        setDefault(spec!, 'ipFamilyPolicy', 'SingleStack');
        setDefault(spec!, 'internalTrafficPolicy', 'Cluster');
      }
      for (const p of list(spec!.ports)) { setDefault(p, 'protocol', 'TCP'); setDefault(p, 'targetPort', p.port); }
      break;
    }
    case 'deployments':
      setDefault(spec!, 'replicas', 1);
      setDefault(spec!, 'revisionHistoryLimit', 10);
      setDefault(spec!, 'progressDeadlineSeconds', 600);
      setDefault(spec!, 'strategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
      defaultPodSpec(obj(obj(spec!, 'template'), 'spec'));
      break;
    case 'daemonsets':
      setDefault(spec!, 'revisionHistoryLimit', 10);
      setDefault(spec!, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
      defaultPodSpec(obj(obj(spec!, 'template'), 'spec'));
      break;
    case 'secrets': setDefault(o, 'type', 'Opaque'); break;
    case 'namespaces':
      setDefault(spec!, 'finalizers', ['kubernetes']);
      obj(o.metadata, 'labels')['kubernetes.io/metadata.name'] = o.metadata.name ?? '';
      break;
    case 'endpointslices':
      for (const p of list(o.ports)) setDefault(p, 'protocol', 'TCP');
      break;
  }
}

function initialStatus(r: ResourceDef): Record<string, unknown> | undefined {
  switch (r.plural) {
    case 'pods': return { phase: 'Pending', qosClass: 'BestEffort' };
    case 'namespaces': return { phase: 'Active' };
    case 'services': return { loadBalancer: {} };
    case 'nodes': return undefined; // nodes register with their status
    default: return {};
  }
}

/** A new object: system metadata, status rule (`fromApi`), defaults. */
export function admitCreate(r: ResourceDef, o: KubeObject, ctx: AdmitContext, fromApi: boolean): void {
  const m = o.metadata;
  // the server sets both; the test controls may bring their own
  if (fromApi || !m.uid) m.uid = randomUUID();
  if (fromApi || !m.creationTimestamp) m.creationTimestamp = rfc3339(ctx.now());
  if (r.generation) m.generation = 1;
  delete m.resourceVersion;
  if (fromApi && r.statusSubresource) {
    const s = initialStatus(r);
    if (s) o.status = s;
  }
  if (o.status === undefined && r.plural === 'namespaces') o.status = { phase: 'Active' };
  applyDefaults(r, o, ctx);
}

function specOf(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

/**
 * A replacement of `old`: uid and creationTimestamp kept, generation bumped
 * when the spec changed, status kept from `old` on the main resource of a
 * kind with a /status subresource (`fromApi`), defaults applied.
 * `statusOnly` (the /status subresource) keeps everything of `old` but status.
 */
export function admitUpdate(r: ResourceDef, old: KubeObject, o: KubeObject, ctx: AdmitContext, fromApi: boolean, statusOnly = false): KubeObject {
  if (statusOnly) {
    const next = JSON.parse(JSON.stringify(old)) as KubeObject;
    next.status = o.status;
    return next;
  }
  o.metadata.uid = old.metadata.uid;
  o.metadata.creationTimestamp = old.metadata.creationTimestamp;
  if (fromApi && r.statusSubresource) {
    if (old.status === undefined) delete o.status; else o.status = JSON.parse(JSON.stringify(old.status));
  }
  applyDefaults(r, o, ctx);
  if (r.generation) o.metadata.generation = (old.metadata.generation ?? 1) + (specOf(old) === specOf(o) ? 0 : 1);
  else if (old.metadata.generation !== undefined) o.metadata.generation = old.metadata.generation;
  return o;
}
