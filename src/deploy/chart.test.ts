/**
 * The Helm chart (deploy/helm/podtap) against the TypeScript: for every
 * documented values combination the chart, rendered as `helm template`
 * would, gives exactly the objects renderManifests gives; values.yaml has
 * the same defaults and documents every value. Helm itself is not needed:
 * helm/chart.ts renders the chart's Go-template subset (see
 * helm/README.md), and refuses anything outside it.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../util/paths.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { X509Certificate } from 'node:crypto';
import { loadChart, renderChart, type RenderedChart } from './helm/chart.js';
import type { Func } from './helm/functions.js';
import type { Value } from './helm/value.js';
import { hubCertNames, renderManifests, resolveValues, WORKER_KUBERNETES_FLAG } from './manifests.js';
import { sortObjects } from './test-support.js';
import { everyCombination, GENERATED_TLS, GENERATED_TOKEN, GIVEN_TOKEN } from './value-cases.js';
import { CA_COMMON_NAME, CA_DAYS, HUB_COMMON_NAME, LEAF_DAYS, splitHubNames, TLS_FILES, WORKER_COMMON_NAME, type BundleOptions } from '../hub/certs.js';
import { loadTls } from '../hub/tls.js';
import { DEFAULT_VALUES, HELM_DIFFERENCES, HELM_RELEASE_KEYS, VALUES_SHAPE, type DeployValues } from './values.js';
import { leafPaths } from './values-shape.js';

const chartDir = join(packageRoot(), 'deploy', 'helm', 'podtap');
const chart = loadChart(chartDir);
const generateToken = () => GENERATED_TOKEN;
const randAlphaNum = (n: number) => GENERATED_TOKEN.slice(0, n);
/** The TypeScript's TLS generator in these tests: the fixed bundle, and what it was asked for. */
let tsAsked: BundleOptions | null = null;
const generateTls = (o: BundleOptions) => { tsAsked = o; return GENERATED_TLS; };

/** The chart's certificate functions returning the same fixed bundle, recording their arguments. */
const chartCalls: Value[][] = [];
const fixedCerts: Record<string, Func> = {
  genPrivateKey: () => 'a key',
  genCAWithKey: (args) => { chartCalls.push(['ca', ...args.slice(0, 2)]); return { Cert: GENERATED_TLS.ca, Key: 'the CA key' }; },
  genSignedCertWithKey: (args) => {
    chartCalls.push(['leaf', ...args.slice(0, 4)]);
    return args[0] === HUB_COMMON_NAME ? { Cert: GENERATED_TLS.hubCert, Key: GENERATED_TLS.hubKey } : { Cert: GENERATED_TLS.workerCert, Key: GENERATED_TLS.workerKey };
  },
};

/** `helm template NAME deploy/helm/podtap -n NAMESPACE -f values` for the same values as the TypeScript gets. */
function helmTemplate(values: DeployValues, opts: { random?: boolean } = {}): RenderedChart {
  const { name, namespace, ...rest } = values;
  const resolved = resolveValues(values, { generateToken });
  const helmValues = { ...rest, createNamespace: resolved.createNamespace } as Record<string, Value>;
  return renderChart(chart, {
    release: { name: name ?? DEFAULT_VALUES.name, namespace: namespace ?? DEFAULT_VALUES.namespace },
    values: helmValues,
    ...(opts.random === true ? {} : { randAlphaNum, functions: fixedCerts }),
  });
}

describe('the chart renders the TypeScript objects', () => {
  test('for every values combination', () => {
    const cases = everyCombination();
    for (const c of cases) {
      const fromChart = sortObjects(helmTemplate(c.values).objects);
      const fromTs = sortObjects(JSON.parse(JSON.stringify(renderManifests(c.values, { generateToken, generateTls, managedBy: 'Helm' }))) as unknown[]);
      try {
        assert.deepEqual(fromChart, fromTs);
      } catch (e) {
        throw new Error(`${c.label}: the chart differs from renderManifests\n${(e as Error).message}`);
      }
    }
  });

  test('a template drifting from the TypeScript is caught (the comparison is not vacuous)', () => {
    const drift = { ...chart, templates: chart.templates.map((t) => ({ ...t, text: t.text.replace('add: [NET_RAW]', 'add: [NET_RAW, NET_ADMIN]') })) };
    const values = { token: { value: GIVEN_TOKEN } };
    const fromTs = sortObjects(JSON.parse(JSON.stringify(renderManifests(values, { generateTls, managedBy: 'Helm' }))) as unknown[]);
    assert.deepEqual(sortObjects(helmTemplate(values).objects), fromTs);
    assert.notDeepEqual(sortObjects(renderChart(drift, { release: { name: 'podtap', namespace: 'podtap' }, values: { ...values, createNamespace: true } }).objects), fromTs);
  });

  test('a generated token is 43 random letters and digits, different per install', () => {
    const token = (r: RenderedChart) => Buffer.from(String((r.objects.find((o) => o.kind === 'Secret')!.data as Record<string, string>).token), 'base64').toString();
    const a = token(helmTemplate({}, { random: true }));
    assert.match(a, /^[A-Za-z0-9]{43}$/);
    assert.notEqual(token(helmTemplate({}, { random: true })), a);
  });

  test('the generated certificates: the chart asks for what the TypeScript asks for', () => {
    for (const values of [{}, { name: 'tap', namespace: 'observability', createNamespace: false }] as DeployValues[]) {
      chartCalls.length = 0;
      tsAsked = null;
      helmTemplate(values);
      renderManifests(values, { generateToken, generateTls });
      const { dns, ips } = splitHubNames(tsAsked!.hubNames!);
      assert.deepEqual(tsAsked!.hubNames, hubCertNames(resolveValues(values, { generateToken })));
      assert.equal(tsAsked!.days, undefined, 'the TypeScript uses LEAF_DAYS');
      assert.deepEqual(chartCalls, [
        ['ca', CA_COMMON_NAME, CA_DAYS],
        ['leaf', HUB_COMMON_NAME, ips, dns, LEAF_DAYS],
        ['leaf', WORKER_COMMON_NAME, [], [], LEAF_DAYS],
      ]);
    }
  });

  test('the chart\'s real certificates: a chain the hub and the worker accept, naming the hub\'s Service', () => {
    const secret = helmTemplate({ name: 'tap', namespace: 'obs', createNamespace: false }, { random: true }).objects.find((o) => o.kind === 'Secret' && String((o.metadata as Record<string, string>).name) === 'tap-tls')!;
    const dir = mkdtempSync(join(tmpdir(), 'podtap-chart-tls-'));
    for (const [k, v] of Object.entries(secret.data as Record<string, string>)) writeFileSync(join(dir, k), Buffer.from(v, 'base64'), { mode: 0o600 });
    const files = (cert: string, key: string) => ({ ca: join(dir, TLS_FILES.ca), cert: join(dir, cert), key: join(dir, key) });
    assert.doesNotThrow(() => loadTls(files(TLS_FILES.hubCert, TLS_FILES.hubKey), 'hub'));
    assert.doesNotThrow(() => loadTls(files(TLS_FILES.workerCert, TLS_FILES.workerKey), 'worker'));
    const hub = new X509Certificate(Buffer.from(String((secret.data as Record<string, string>)[TLS_FILES.hubCert]), 'base64'));
    assert.equal(hub.checkHost('tap-hub.obs.svc'), 'tap-hub.obs.svc');
    assert.equal(hub.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(hub.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  test('the in-cluster flag is the TypeScript constant', () => {
    const helpers = readFileSync(join(chartDir, 'templates', '_helpers.tpl'), 'utf8');
    const flag = /define "podtap\.kubernetesFlag" -\}\}\s*(\S+)\s*\{\{- end/.exec(helpers)?.[1];
    assert.equal(flag, WORKER_KUBERNETES_FLAG, 'change WORKER_KUBERNETES_FLAG and _helpers.tpl together');
  });

  test('bad token and TLS values fail the install with a message, as the TypeScript does', () => {
    assert.throws(() => renderChart(chart, { release: { name: 'p', namespace: 'p' }, values: { token: { value: GIVEN_TOKEN, existingSecret: 's' } } }), /not both/);
    assert.throws(() => renderChart(chart, { release: { name: 'p', namespace: 'p' }, values: { token: { value: 'short' } } }), /at least 16/);
    assert.throws(() => renderChart(chart, { release: { name: 'p', namespace: 'p' }, values: { tls: { enabled: false, existingSecret: 'mine' } } }), /set tls\.enabled: true to use the Secret/);
  });

  test('NOTES.txt names the Secret to read the token from', () => {
    const notes = helmTemplate({ name: 'tap', namespace: 'obs' }).files.get('templates/NOTES.txt')!;
    assert.match(notes, /kubectl -n obs get secret tap-token -o jsonpath/);
  });
});

describe('values.yaml', () => {
  const text = readFileSync(join(chartDir, 'values.yaml'), 'utf8');

  test('has the TypeScript defaults, except the documented differences', () => {
    const expected = structuredClone(DEFAULT_VALUES) as unknown as Record<string, unknown>;
    for (const k of HELM_RELEASE_KEYS) delete expected[k];
    for (const [k, d] of Object.entries(HELM_DIFFERENCES)) expected[k] = d.value;
    assert.deepEqual(chart.values, expected);
  });

  test('documents every value with a comment right above it', () => {
    const lines = text.split('\n');
    const stack: Array<{ indent: number; key: string }> = [];
    const documented = new Set<string>();
    lines.forEach((line, i) => {
      const m = /^( *)([A-Za-z][\w-]*):/.exec(line);
      if (m === null) return;
      const indent = m[1]!.length;
      while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
      stack.push({ indent, key: m[2]! });
      if (/^\s*#/.test(lines[i - 1] ?? '')) documented.add(stack.map((s) => s.key).join('.'));
    });
    const release = new Set<string>(HELM_RELEASE_KEYS);
    const missing = leafPaths(VALUES_SHAPE).filter((p) => !release.has(p) && !documented.has(p));
    assert.deepEqual(missing, [], 'add a comment line above each of these in values.yaml');
  });

  test('docs/deploy.md describes every value', () => {
    const doc = readFileSync(join(packageRoot(), 'docs', 'deploy.md'), 'utf8');
    const missing = leafPaths(VALUES_SHAPE).filter((p) => !doc.includes(`\`${p}\``));
    assert.deepEqual(missing, [], 'describe these in docs/deploy.md');
  });
});

test('Chart.yaml follows package.json: version and appVersion', () => {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  assert.equal(chart.metadata.version, pkg.version);
  assert.equal(String(chart.metadata.appVersion), pkg.version);
});
