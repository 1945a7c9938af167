/**
 * renderManifests over every documented values combination: each object
 * valid against the Kubernetes OpenAPI schemas (kubernetes-models), the
 * security design held, and the values reaching the objects they configure.
 */
import { strict as assert } from 'node:assert';
import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../util/paths.js';
import { HUB_UID, hubArgs } from './hub.js';
import { DEFAULT_VALUES, renderManifests, renderYaml, resolveValues, TLS_MOUNT, WORKER_KUBERNETES_FLAG, type KubeObject } from './manifests.js';
import { assertSecure, validateObject } from './test-support.js';
import { combine, DIMENSIONS, everyCombination, GENERATED_TLS, GENERATED_TOKEN, GIVEN_TOKEN, single } from './value-cases.js';
import { TLS_FILES } from '../hub/certs.js';
import type { DeployValues } from './values.js';
import { escapeArg, SPOOL_MOUNT, workerArgs } from './worker.js';

const generateToken = () => GENERATED_TOKEN;
const generateTls = () => GENERATED_TLS;
const render = (values: DeployValues) => renderManifests(values, { generateToken, generateTls });
const find = <K extends KubeObject['kind']>(objects: KubeObject[], kind: K) => objects.filter((o): o is Extract<KubeObject, { kind: K }> => o.kind === kind);
const workerOf = (objects: KubeObject[]) => find(objects, 'DaemonSet')[0]!.spec!.template.spec!;
const hubOf = (objects: KubeObject[]) => find(objects, 'Deployment')[0]!.spec!.template.spec!;

describe('every values combination', () => {
  const cases = everyCombination();

  test('covers the product of every documented dimension', () => {
    assert.equal(cases.length, DIMENSIONS.reduce((n, d) => n * d.options.length, 1));
    assert.ok(cases.length > 1000);
  });

  test('the schema check rejects a broken object (it is not a no-op)', () => {
    const ds = structuredClone(find(render({}), 'DaemonSet')[0]!) as unknown as { spec: Record<string, unknown> };
    delete ds.spec.selector;
    assert.throws(() => validateObject(ds), /DaemonSet podtap-worker does not validate: .*selector/);
    const role = structuredClone(find(render({}), 'ClusterRole')[0]!) as unknown as { rules: Array<Record<string, unknown>> };
    role.rules[0]!.verbs = 'get';
    assert.throws(() => validateObject(role), /verbs must be array/);
  });

  test('validates against the Kubernetes schemas and keeps the security design', () => {
    for (const c of cases) {
      const v = resolveValues(c.values, { generateToken });
      const objects = renderManifests(v, { generateTls });
      try {
        objects.forEach(validateObject);
        assertSecure(objects, v, v.token.value);
      } catch (e) {
        throw new Error(`${c.label}: ${(e as Error).message}`);
      }
    }
  });
});

describe('defaults', () => {
  const objects = render({});

  test('one of each object, in apply order', () => {
    assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata!.name}`), [
      'Namespace/podtap', 'ServiceAccount/podtap-hub', 'ServiceAccount/podtap-worker',
      'ClusterRole/podtap:podtap-worker', 'ClusterRoleBinding/podtap:podtap-worker', 'Secret/podtap-token', 'Secret/podtap-tls',
      'Service/podtap-hub', 'Deployment/podtap-hub', 'DaemonSet/podtap-worker',
    ]);
  });

  test('the namespace allows the worker (Pod Security "privileged")', () => {
    assert.equal(find(objects, 'Namespace')[0]!.metadata!.labels!['pod-security.kubernetes.io/enforce'], 'privileged');
  });

  test('the worker streams to the hub Service with the in-cluster flag and its node name', () => {
    const args = workerOf(objects).containers[0]!.args!;
    assert.deepEqual(args, ['worker', WORKER_KUBERNETES_FLAG, '--node=$(NODE_NAME)', '--hub=https://podtap-hub.podtap.svc:8899', `--tls-dir=${TLS_MOUNT}`, '--packet-ring=64m', `--spool=${SPOOL_MOUNT}`]);
    assert.deepEqual(workerOf(objects).containers[0]!.env![0], { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
    assert.equal(workerOf(objects).dnsPolicy, 'ClusterFirstWithHostNet');
  });

  test('the worker tolerates every taint; the hub none', () => {
    assert.deepEqual(workerOf(objects).tolerations, [{ operator: 'Exists' }]);
    assert.equal(hubOf(objects).tolerations, undefined);
  });

  test('the hub: one replica, Recreate, probes on /healthz, non-root, data on an emptyDir', () => {
    const d = find(objects, 'Deployment')[0]!;
    assert.equal(d.spec!.replicas, 1);
    assert.deepEqual(d.spec!.strategy, { type: 'Recreate' });
    const c = hubOf(objects).containers[0]!;
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) assert.deepEqual(probe!.httpGet, { path: '/healthz', port: 'http', scheme: 'HTTPS' });
    assert.equal(hubOf(objects).securityContext!.runAsUser, HUB_UID);
    assert.deepEqual(hubOf(objects).volumes![0], { name: 'data', emptyDir: { sizeLimit: DEFAULT_VALUES.hub.storage.size } });
    assert.deepEqual(c.args, ['hub', '--listen=0.0.0.0:8899', '--data=/var/lib/podtap', '--max-bytes=1g', '--max-age=7d', `--tls-dir=${TLS_MOUNT}`]);
    const svc = find(objects, 'Service')[0]!;
    assert.deepEqual(svc.spec!.ports, [{ name: 'http', port: 8899, targetPort: 'http', protocol: 'TCP' }]);
    assert.equal(svc.spec!.type, 'ClusterIP');
  });

  test('requests and limits on both containers', () => {
    for (const spec of [hubOf(objects), workerOf(objects)]) {
      const r = spec.containers[0]!.resources!;
      assert.ok(r.requests!.cpu !== undefined && r.requests!.memory !== undefined && r.limits!.memory !== undefined);
    }
  });
});

describe('values reach their objects', () => {
  test('custom namespace and name, without the Namespace object', () => {
    const objects = render(single('namespace', 'custom').values);
    assert.equal(find(objects, 'Namespace').length, 0);
    assert.ok(objects.every((o) => o.metadata!.name!.includes('tap')));
    assert.ok(workerOf(objects).containers[0]!.args!.includes('--hub=https://tap-hub.observability.svc:8899'));
    assert.equal(find(objects, 'ClusterRole')[0]!.metadata!.name, 'observability:tap-worker');
  });

  test('PVC on: a claim with the class and size, mounted by the hub', () => {
    const objects = render(single('storage', 'pvc').values);
    const pvc = find(objects, 'PersistentVolumeClaim')[0]!;
    assert.deepEqual(pvc.spec, { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } }, storageClassName: 'fast-ssd' });
    assert.deepEqual(hubOf(objects).volumes![0], { name: 'data', persistentVolumeClaim: { claimName: 'podtap-hub-data' } });
    assert.equal(find(render(single('storage', 'pvc-default-class').values), 'PersistentVolumeClaim')[0]!.spec!.storageClassName, undefined);
  });

  test('spool off, emptyDir, hostPath', () => {
    const off = workerOf(render(single('spool', 'off').values));
    assert.ok(!off.containers[0]!.args!.some((a) => a.startsWith('--spool')));
    assert.deepEqual(off.volumes!.map((x) => x.name), ['tmp', 'tls']);
    const host = workerOf(render(single('spool', 'hostPath').values));
    assert.deepEqual(host.volumes![0], { name: 'spool', hostPath: { path: '/var/lib/podtap/spool', type: 'DirectoryOrCreate' } });
  });

  test('targeting flags, with the regex last after "--"', () => {
    const args = workerOf(render(single('targeting', 'rules').values)).containers[0]!.args!;
    assert.deepEqual(args.slice(-6), ['--namespaces=shop,pay', '--excluded-namespaces=kube-system', '--selector=app in (cart,pay),tier!=db', '--include-host-network', '--', '^(cart|pay)-[a-z0-9]+$$']);
  });

  test('"$" in user text is escaped against Kubernetes $(VAR) expansion', () => {
    assert.equal(escapeArg('a$(NODE_NAME)$$b$'), 'a$$(NODE_NAME)$$$$b$$');
    const v = resolveValues({ token: { value: GIVEN_TOKEN }, worker: { targeting: { podRegex: '^api$' } } });
    assert.deepEqual(workerArgs({ v, managedBy: 'podtap' }).slice(-2), ['--', '^api$$']);
  });

  test('metrics port: the flag and a named container port', () => {
    const c = workerOf(render(single('metrics', 'on').values)).containers[0]!;
    assert.ok(c.args!.includes('--metrics-listen=0.0.0.0:9469'));
    assert.deepEqual(c.ports, [{ name: 'metrics', containerPort: 9469, protocol: 'TCP' }]);
  });

  test('image override and pull secrets on both workloads', () => {
    const objects = render(single('image', 'override').values);
    for (const spec of [hubOf(objects), workerOf(objects)]) {
      assert.equal(spec.containers[0]!.image, 'registry.example.com:5000/team/podtap:1.2.3-rc.1');
      assert.equal(spec.containers[0]!.imagePullPolicy, 'Always');
      assert.deepEqual(spec.imagePullSecrets, [{ name: 'regcred' }]);
    }
    assert.ok(objects.every((o) => o.metadata!.labels!['app.kubernetes.io/version'] === '1.2.3-rc.1'));
  });

  test('resources: merged key by key, null removes a default', () => {
    const objects = render(single('resources', 'custom').values);
    assert.deepEqual(workerOf(objects).containers[0]!.resources, { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1' } });
    assert.deepEqual(hubOf(objects).containers[0]!.resources!.limits, { cpu: 2, memory: '4Gi' });
  });

  test('token: given, generated (readable from the resolved values), existing Secret', () => {
    const given = find(render(single('token', 'given').values), 'Secret')[0]!;
    assert.equal(Buffer.from(given.data!.token!, 'base64').toString(), GIVEN_TOKEN);
    const resolved = resolveValues({});
    assert.ok(resolved.token.value !== null && resolved.token.value.length >= 43);
    assert.notEqual(resolveValues({}).token.value, resolved.token.value, 'a fresh token each time');
    const existing = render(single('token', 'existingSecret').values);
    assert.deepEqual(find(existing, 'Secret').map((s) => s.metadata!.name), ['podtap-tls']);
    assert.equal(hubOf(existing).containers[0]!.env![0]!.valueFrom!.secretKeyRef!.name, 'my-podtap-token');
  });

  test('redaction off and retention', () => {
    const args = hubOf(render(single('hub', 'no-redact').values)).containers[0]!.args!;
    assert.deepEqual(args.slice(-4), ['--max-bytes=512m', '--max-age=12h', '--no-redact', `--tls-dir=${TLS_MOUNT}`]);
  });

  test('TLS generated: one Secret with the five files; each pod mounts the CA and its own pair, read-only', () => {
    const objects = render({});
    const secret = find(objects, 'Secret').find((s) => s.metadata!.name === 'podtap-tls')!;
    assert.equal(Buffer.from(secret.data![TLS_FILES.hubKey]!, 'base64').toString(), GENERATED_TLS.hubKey);
    assert.equal(Buffer.from(secret.data![TLS_FILES.ca]!, 'base64').toString(), GENERATED_TLS.ca);
    assert.deepEqual(hubOf(objects).volumes!.find((x) => x.name === 'tls'), {
      name: 'tls', secret: { secretName: 'podtap-tls', items: [{ key: 'ca.crt', path: 'ca.crt' }, { key: 'hub.crt', path: 'hub.crt' }, { key: 'hub.key', path: 'hub.key' }], defaultMode: 0o440 },
    });
    assert.deepEqual(workerOf(objects).volumes!.find((x) => x.name === 'tls')!.secret!.items!.map((i) => i.key), ['ca.crt', 'worker.crt', 'worker.key']);
    assert.equal(workerOf(objects).volumes!.find((x) => x.name === 'tls')!.secret!.defaultMode, 0o400);
    for (const spec of [hubOf(objects), workerOf(objects)]) {
      assert.deepEqual(spec.containers[0]!.volumeMounts!.find((m) => m.name === 'tls'), { name: 'tls', mountPath: TLS_MOUNT, readOnly: true });
    }
  });

  test('TLS: the deployed files are reused when given; a fresh CA otherwise; the hub certificate names its Service', () => {
    const given = renderManifests({ token: { value: GIVEN_TOKEN } }, { tls: GENERATED_TLS });
    assert.equal(Buffer.from(find(given, 'Secret')[1]!.data![TLS_FILES.workerCert]!, 'base64').toString(), GENERATED_TLS.workerCert);
    const a = renderManifests({ namespace: 'obs', token: { value: GIVEN_TOKEN } });
    const b = renderManifests({ namespace: 'obs', token: { value: GIVEN_TOKEN } });
    const pem = (objs: KubeObject[], k: string) => Buffer.from(find(objs, 'Secret').find((s) => s.metadata!.name === 'podtap-tls')!.data![k]!, 'base64').toString();
    assert.notEqual(pem(a, TLS_FILES.ca), pem(b, TLS_FILES.ca));
    const hub = new X509Certificate(pem(a, TLS_FILES.hubCert));
    for (const n of ['podtap-hub', 'podtap-hub.obs', 'podtap-hub.obs.svc', 'podtap-hub.obs.svc.cluster.local', 'localhost']) assert.equal(hub.checkHost(n), n);
    assert.ok(hub.checkIssued(new X509Certificate(pem(a, TLS_FILES.ca))));
  });

  test('TLS from an existing Secret, or off', () => {
    const existing = render(single('tls', 'existingSecret').values);
    assert.deepEqual(find(existing, 'Secret').map((s) => s.metadata!.name), ['podtap-token']);
    assert.equal(hubOf(existing).volumes!.find((x) => x.name === 'tls')!.secret!.secretName, 'my-podtap-tls');
    const off = render(single('tls', 'off').values);
    assert.deepEqual(find(off, 'Secret').map((s) => s.metadata!.name), ['podtap-token']);
    assert.ok(workerOf(off).containers[0]!.args!.includes('--hub=http://podtap-hub.podtap.svc:8899'));
    assert.ok(!hubOf(off).containers[0]!.args!.some((a) => a.startsWith('--tls')));
    assert.deepEqual(hubOf(off).containers[0]!.readinessProbe!.httpGet, { path: '/healthz', port: 'http' });
  });
});

describe('renderYaml', () => {
  test('parses back (as YAML 1.1, as Kubernetes reads it) to the same objects', () => {
    const values: DeployValues = { ...single('placement', 'pinned').values, token: { value: GIVEN_TOKEN } };
    const docs = parseAllDocuments(renderYaml(values, { tls: GENERATED_TLS }), { version: '1.1' });
    assert.deepEqual(docs.map((d) => d.toJS()), JSON.parse(JSON.stringify(renderManifests(values, { tls: GENERATED_TLS }))));
  });

  test('quotes strings YAML 1.1 would read as booleans', () => {
    const text = renderYaml({ token: { value: GIVEN_TOKEN }, hub: { nodeSelector: { 'example.com/on': 'yes' } } });
    assert.match(text, /example\.com\/on: "yes"/);
  });
});

describe('the commands accept every flag the manifests pass', () => {
  const help = (command: string): string => {
    const r = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'podtap.js'), command, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const flags = (args: readonly string[]) => args.filter((a) => a.startsWith('--') && a !== '--').map((a) => a.split('=')[0]!);
  const listed = (text: string, flag: string) => new RegExp(`(^|[ ,])${flag}([ =]|$)`, 'm').test(text);
  const v = resolveValues(combine([single('targeting', 'rules').values, single('metrics', 'on').values, single('hub', 'no-redact').values]));

  test('podtap worker', () => {
    const text = help('worker');
    const missing = flags(workerArgs({ v, managedBy: 'podtap' })).filter((f) => !listed(text, f));
    assert.deepEqual(missing, [], 'podtap worker --help does not list these: update WORKER_KUBERNETES_FLAG / worker.ts');
  });

  test('podtap hub', () => {
    const text = help('hub');
    assert.deepEqual(flags(hubArgs({ v, managedBy: 'podtap' })).filter((f) => !listed(text, f)), []);
  });
});
