/**
 * Test support for the deploy tests: schema validation of every object with
 * kubernetes-models (the Kubernetes OpenAPI schemas compiled to validators),
 * and the security properties every rendered install must have. Loaded by
 * tests only (kubernetes-models is a devDependency).
 */
import { strict as assert } from 'node:assert';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { READ_ONLY_VERBS, WORKER_API_ACCESS } from './access.js';
import { objectNames, TLS_MOUNT, TOKEN_SECRET_KEY } from './names.js';
import { TLS_FILES } from '../hub/certs.js';
import type { ResolvedValues } from './values.js';
import { WORKER_CAPABILITIES } from './worker.js';

type Obj = { apiVersion?: unknown; kind?: unknown; metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
};

/** Validates one object against its Kubernetes OpenAPI schema; throws with the schema errors. */
export function validateObject(o: unknown): void {
  const obj = o as Obj;
  const Model = MODELS[`${String(obj.apiVersion)}/${String(obj.kind)}`];
  assert.ok(Model !== undefined, `no schema for ${String(obj.apiVersion)} ${String(obj.kind)}`);
  try {
    new Model(structuredClone(o) as never).validate();
  } catch (e) {
    throw new Error(`${String(obj.kind)} ${obj.metadata?.name ?? '?'} does not validate: ${(e as Error).message}`);
  }
}

/** A stable order for comparing two renderings (the chart's file order differs from the TS order). */
export function sortObjects<T>(objects: readonly T[]): T[] {
  const key = (o: T) => `${String((o as Obj).kind)}/${(o as Obj).metadata?.name ?? ''}`;
  return [...objects].sort((a, b) => key(a).localeCompare(key(b)));
}

const byKind = (objects: readonly unknown[], kind: string) => (objects as Obj[]).filter((o) => o.kind === kind);

/** Pod specs of every workload. */
function podSpecs(objects: readonly unknown[]): Array<{ workload: string; spec: Record<string, any> }> {
  return (objects as Obj[])
    .filter((o) => o.kind === 'Deployment' || o.kind === 'DaemonSet')
    .map((o) => ({ workload: String(o.kind), spec: (o as any).spec.template.spec }));
}

/**
 * Every security property of the design, for one rendering of `v`:
 * no privileged container, no hostPID/hostIPC, hostNetwork only on the
 * worker, capabilities exactly as designed, RBAC read-only on the listed
 * resources, the token only in the Secret, each pod with the TLS files of
 * its side only (read-only, not readable by others), labels everywhere.
 */
export function assertSecure(objects: readonly unknown[], v: ResolvedValues, token: string | null): void {
  const names = objectNames(v);
  const pods = podSpecs(objects);
  assert.deepEqual(pods.map((p) => p.workload).sort(), ['DaemonSet', 'Deployment']);
  for (const { workload, spec } of pods) {
    const worker = workload === 'DaemonSet';
    assert.equal(spec.hostPID, false, `${workload}: hostPID`);
    assert.equal(spec.hostIPC, false, `${workload}: hostIPC`);
    assert.equal(spec.hostNetwork, worker, `${workload}: hostNetwork only for the worker`);
    assert.equal(spec.automountServiceAccountToken, worker, `${workload}: API token only for the worker`);
    assert.equal(spec.securityContext?.seccompProfile?.type, 'RuntimeDefault');
    assert.equal(spec.enableServiceLinks, false, `${workload}: no service environment variables`);
    assert.equal(spec.shareProcessNamespace, undefined);
    if (!worker) {
      assert.ok(spec.securityContext.runAsUser > 0 && spec.securityContext.runAsGroup > 0, 'the hub runs as a non-root user and group');
    }
    assert.equal(spec.initContainers, undefined);
    assert.equal(spec.ephemeralContainers, undefined);
    for (const vol of spec.volumes as Array<Record<string, unknown>>) {
      const kinds = Object.keys(vol).filter((k) => k !== 'name');
      assert.equal(kinds.length, 1);
      const allowed = worker ? ['emptyDir', 'hostPath', 'secret'] : ['emptyDir', 'persistentVolumeClaim', 'secret'];
      assert.ok(allowed.includes(kinds[0]!), `${workload}: volume ${String(vol.name)} is ${kinds[0]}`);
      if (kinds[0] === 'hostPath') assert.equal((vol.hostPath as { path: string }).path, v.worker.spool.hostPath, 'the only hostPath is the spool the user chose');
      if (kinds[0] === 'secret') {
        // The one Secret mounted is the TLS one, with this side's files only, readable by no one else.
        const s = vol.secret as { secretName: string; items: Array<{ key: string; path: string }>; defaultMode: number };
        assert.equal(v.tls.enabled, true, `${workload}: TLS files mounted without TLS`);
        assert.equal(s.secretName, names.tlsSecret);
        const own = worker ? [TLS_FILES.workerCert, TLS_FILES.workerKey] : [TLS_FILES.hubCert, TLS_FILES.hubKey];
        assert.deepEqual(s.items.map((i) => i.key).sort(), [TLS_FILES.ca, ...own].sort(), `${workload}: only the CA and its own pair`);
        assert.equal(s.defaultMode & 0o007, 0, `${workload}: TLS files not readable by others`);
      }
    }
    const tlsVolumes = (spec.volumes as Array<Record<string, unknown>>).filter((x) => 'secret' in x);
    assert.equal(tlsVolumes.length, v.tls.enabled ? 1 : 0, `${workload}: TLS volume exactly when TLS is on`);
    for (const c of spec.containers as Array<Record<string, any>>) {
      const sc = c.securityContext;
      assert.equal(sc.privileged, false, `${workload}: privileged`);
      assert.equal(sc.allowPrivilegeEscalation, false, `${workload}: allowPrivilegeEscalation`);
      assert.equal(sc.readOnlyRootFilesystem, true, `${workload}: readOnlyRootFilesystem`);
      assert.deepEqual(sc.capabilities.drop, ['ALL']);
      assert.deepEqual(sc.capabilities.add ?? [], worker ? [...WORKER_CAPABILITIES] : []);
      if (!worker) { assert.equal(spec.securityContext.runAsNonRoot, true); assert.equal(sc.runAsNonRoot, true); }
      // The worker is uid 0 only because Kubernetes grants added capabilities to root alone; no_new_privs above.
      else assert.deepEqual([sc.runAsUser, sc.runAsNonRoot], [0, false]);
      const tokenEnv = (c.env as Array<Record<string, any>>).filter((e) => e.name === 'PODTAP_TOKEN');
      assert.deepEqual(tokenEnv, [{ name: 'PODTAP_TOKEN', valueFrom: { secretKeyRef: { name: names.secret, key: TOKEN_SECRET_KEY } } }], `${workload}: the token comes from the Secret`);
      assert.ok((c.env as Array<Record<string, unknown>>).every((e) => !('value' in e)), `${workload}: no literal env values`);
      assert.ok(!(c.args as string[]).some((a) => a.startsWith('--token')), `${workload}: no --token flag`);
      assert.equal((c.args as string[]).includes(`--tls-dir=${TLS_MOUNT}`), v.tls.enabled, `${workload}: --tls-dir exactly with TLS`);
      for (const m of c.volumeMounts as Array<{ name: string; mountPath: string; readOnly?: boolean }>) {
        if (m.name === 'tls') assert.deepEqual(m, { name: 'tls', mountPath: TLS_MOUNT, readOnly: true });
      }
      if (worker) assert.ok((c.args as string[]).includes(`--hub=${names.hubUrl}`) && names.hubUrl.startsWith(v.tls.enabled ? 'https://' : 'http://'));
      assert.equal(sc.seccompProfile, undefined, `${workload}: seccomp is set for the pod`);
      assert.equal(sc.procMount ?? 'Default', 'Default');
    }
  }
  for (const sa of byKind(objects, 'ServiceAccount') as any[]) {
    assert.equal(sa.automountServiceAccountToken, sa.metadata.name === names.worker, `${String(sa.metadata.name)}: an API token only for the worker, which reads the API`);
  }
  const roles = byKind(objects, 'ClusterRole') as any[];
  assert.equal(roles.length, 1);
  assert.deepEqual(byKind(objects, 'Role'), []);
  for (const rule of roles[0].rules) {
    assert.deepEqual(rule.verbs, [...READ_ONLY_VERBS], 'read-only verbs');
    assert.ok(!rule.resources.includes('secrets') && !rule.resources.includes('*') && !rule.apiGroups.includes('*'));
  }
  assert.deepEqual(roles[0].rules.map((r: any) => ({ apiGroup: r.apiGroups[0], resources: r.resources })), WORKER_API_ACCESS.map((a) => ({ ...a, resources: [...a.resources] })));
  const binding = byKind(objects, 'ClusterRoleBinding')[0] as any;
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: names.worker, namespace: v.namespace }]);
  assert.equal(binding.roleRef.name, roles[0].metadata.name);
  // The token appears in the Secret only, and there only base64-encoded.
  const secrets = (byKind(objects, 'Secret') as any[]).filter((s) => s.metadata.labels['app.kubernetes.io/component'] === 'token');
  if (v.token.existingSecret !== null) assert.deepEqual(secrets, []);
  else {
    assert.equal(secrets.length, 1);
    if (token !== null) assert.equal(Buffer.from(secrets[0].data[TOKEN_SECRET_KEY], 'base64').toString('utf8'), token);
  }
  // The TLS Secret: rendered when TLS is on without an existing one; the five files, never the CA key.
  const tlsSecrets = (byKind(objects, 'Secret') as any[]).filter((s) => s.metadata.labels['app.kubernetes.io/component'] === 'tls');
  assert.equal(tlsSecrets.length, v.tls.enabled && v.tls.existingSecret === null ? 1 : 0);
  for (const s of tlsSecrets) {
    assert.equal(s.metadata.name, names.tlsSecret);
    assert.deepEqual(Object.keys(s.data).sort(), Object.values(TLS_FILES).sort());
  }
  assert.equal(byKind(objects, 'Secret').length, secrets.length + tlsSecrets.length);
  if (token !== null) {
    const b64 = Buffer.from(token).toString('base64');
    for (const o of objects as Obj[]) {
      if (o.kind === 'Secret') continue;
      const text = JSON.stringify(o);
      assert.ok(!text.includes(token) && !text.includes(b64), `${String(o.kind)}: the token is not in it`);
    }
  }
  for (const o of objects as Obj[]) {
    const l = o.metadata?.labels ?? {};
    for (const k of ['name', 'instance', 'version', 'component', 'part-of', 'managed-by']) assert.ok(l[`app.kubernetes.io/${k}`], `${String(o.kind)}: label app.kubernetes.io/${k}`);
    assert.equal(l['app.kubernetes.io/name'], 'podtap');
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(String(o.kind));
    assert.equal(o.metadata?.namespace, clusterScoped ? undefined : v.namespace, `${String(o.kind)}: namespace`);
  }
}
