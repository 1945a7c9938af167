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
import { loadChart, renderChart, type RenderedChart } from './helm/chart.js';
import type { Value } from './helm/value.js';
import { renderManifests, resolveValues, WORKER_KUBERNETES_FLAG } from './manifests.js';
import { sortObjects } from './test-support.js';
import { everyCombination, GENERATED_TOKEN, GIVEN_TOKEN } from './value-cases.js';
import { DEFAULT_VALUES, HELM_DIFFERENCES, HELM_RELEASE_KEYS, VALUES_SHAPE, type DeployValues } from './values.js';
import { leafPaths } from './values-shape.js';

const chartDir = join(packageRoot(), 'deploy', 'helm', 'podtap');
const chart = loadChart(chartDir);
const generateToken = () => GENERATED_TOKEN;
const randAlphaNum = (n: number) => GENERATED_TOKEN.slice(0, n);

/** `helm template NAME deploy/helm/podtap -n NAMESPACE -f values` for the same values as the TypeScript gets. */
function helmTemplate(values: DeployValues, opts: { random?: boolean } = {}): RenderedChart {
  const { name, namespace, ...rest } = values;
  const resolved = resolveValues(values, { generateToken });
  const helmValues = { ...rest, createNamespace: resolved.createNamespace } as Record<string, Value>;
  return renderChart(chart, {
    release: { name: name ?? DEFAULT_VALUES.name, namespace: namespace ?? DEFAULT_VALUES.namespace },
    values: helmValues,
    ...(opts.random === true ? {} : { randAlphaNum }),
  });
}

describe('the chart renders the TypeScript objects', () => {
  test('for every values combination', () => {
    const cases = everyCombination();
    for (const c of cases) {
      const fromChart = sortObjects(helmTemplate(c.values).objects);
      const fromTs = sortObjects(JSON.parse(JSON.stringify(renderManifests(c.values, { generateToken, managedBy: 'Helm' }))) as unknown[]);
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
    const fromTs = sortObjects(JSON.parse(JSON.stringify(renderManifests(values, { managedBy: 'Helm' }))) as unknown[]);
    assert.deepEqual(sortObjects(helmTemplate(values).objects), fromTs);
    assert.notDeepEqual(sortObjects(renderChart(drift, { release: { name: 'podtap', namespace: 'podtap' }, values: { ...values, createNamespace: true } }).objects), fromTs);
  });

  test('a generated token is 43 random letters and digits, different per install', () => {
    const token = (r: RenderedChart) => Buffer.from(String((r.objects.find((o) => o.kind === 'Secret')!.data as Record<string, string>).token), 'base64').toString();
    const a = token(helmTemplate({}, { random: true }));
    assert.match(a, /^[A-Za-z0-9]{43}$/);
    assert.notEqual(token(helmTemplate({}, { random: true })), a);
  });

  test('the in-cluster flag is the TypeScript constant', () => {
    const helpers = readFileSync(join(chartDir, 'templates', '_helpers.tpl'), 'utf8');
    const flag = /define "podtap\.kubernetesFlag" -\}\}\s*(\S+)\s*\{\{- end/.exec(helpers)?.[1];
    assert.equal(flag, WORKER_KUBERNETES_FLAG, 'change WORKER_KUBERNETES_FLAG and _helpers.tpl together');
  });

  test('bad token values fail the install with a message, as the TypeScript does', () => {
    assert.throws(() => renderChart(chart, { release: { name: 'p', namespace: 'p' }, values: { token: { value: GIVEN_TOKEN, existingSecret: 's' } } }), /not both/);
    assert.throws(() => renderChart(chart, { release: { name: 'p', namespace: 'p' }, values: { token: { value: 'short' } } }), /at least 16/);
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
