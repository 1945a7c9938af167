/**
 * The Dockerfile, checked without Docker: its stages and commands agree with
 * package.json (scripts npm ci runs, the bin entry, the files a run needs),
 * with the addon path the code loads, with the hub's user in the manifests,
 * and with .dockerignore (nothing it copies is left out of the context).
 */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ADDON_PATH } from '../live/native.js';
import { packageRoot } from '../util/paths.js';
import { isIgnored, parseDockerfile, type Stage } from './dockerfile.js';
import { HUB_UID } from './hub.js';

const root = packageRoot();
const stages = parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const ignore = readFileSync(join(root, '.dockerignore'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string>; engines: { node: string } };
const stage = (name: string): Stage => stages.find((s) => s.name === name) ?? assert.fail(`no stage ${name}`);
const runs = (s: Stage) => s.steps.filter((i) => i.cmd === 'RUN').map((i) => i.args).join('\n');
/** Sources of the COPY steps without --from: [sources, destination]. */
const copies = (s: Stage) => s.steps.filter((i) => i.cmd === 'COPY' && !i.args.startsWith('--from')).map((i) => i.args.split(/\s+/));
const stepIndex = (s: Stage, pattern: RegExp) => s.steps.findIndex((i) => pattern.test(`${i.cmd} ${i.args}`));
/** The addon's path relative to the package root, as the image must hold it. */
const addonRel = relative(root, ADDON_PATH).replace(/^dist\/\.\.\//, '');

describe('stages', () => {
  test('build and runtime, both on node:20-bookworm-slim (package.json engines)', () => {
    assert.deepEqual(stages.map((s) => [s.name, s.from]), [['build', 'node:20-bookworm-slim'], ['runtime', 'node:20-bookworm-slim']]);
    const major = Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1]);
    assert.ok(major <= 20, `engines.node ${pkg.engines.node} must accept Node 20`);
  });

  test('build: compilers and libpcap headers, npm ci, tsc, the addon required, dev dependencies pruned', () => {
    const b = stage('build');
    for (const p of ['build-essential', 'python3', 'libpcap-dev']) assert.match(runs(b), new RegExp(`apt-get install[^\\n]*\\b${p}\\b`));
    const ci = stepIndex(b, /^RUN npm ci\b/);
    const tsc = stepIndex(b, /npx tsc -p tsconfig\.json/);
    assert.ok(ci >= 0 && tsc > ci, 'npm ci, then tsc');
    assert.match(runs(b), new RegExp(`test -f ${addonRel.replaceAll('.', '\\.')}`), 'the build fails when the addon was not built');
    assert.match(runs(b), /npm prune --omit=dev/);
  });

  test('npm ci finds what its lifecycle scripts need, copied before it runs', () => {
    const b = stage('build');
    const ci = stepIndex(b, /^RUN npm ci\b/);
    const before = b.steps.slice(0, ci).filter((i) => i.cmd === 'COPY').flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    const has = (path: string) => before.some((src) => path === src || path.startsWith(`${src.replace(/\/$/, '')}/`));
    const installScript = /^node (\S+)$/.exec(pkg.scripts.install ?? '')?.[1];
    assert.ok(installScript !== undefined && existsSync(join(root, installScript)), 'package.json scripts.install runs a script in the repo');
    for (const p of ['package.json', 'package-lock.json', installScript, 'native/pcap/binding.gyp', 'native/pcap/src/addon.cc']) assert.ok(has(p), `${p} is copied before npm ci`);
    // "prepare" (through "build") compiles the TypeScript and builds the web UI during npm ci.
    const expand = (script: string): string => script.replace(/npm run ([\w:-]+)/g, (_, name: string) => expand(pkg.scripts[name] ?? ''));
    const prepare = expand(pkg.scripts.prepare ?? '');
    assert.match(prepare, /tsc -p tsconfig\.json/);
    assert.match(prepare, /vite build --config ui\/vite\.config\.ts/);
    for (const p of ['tsconfig.json', 'src/cli/main.ts', 'ui/vite.config.ts', 'ui/index.html', 'ui/src/main.tsx']) assert.ok(has(p), `${p} is copied before npm ci (prepare builds src and the UI)`);
  });

  test('every COPY source exists and is in the build context', () => {
    for (const [...parts] of copies(stage('build'))) {
      for (const src of parts.slice(0, -1)) {
        assert.ok(existsSync(join(root, src)), `${src} exists`);
        assert.ok(!isIgnored(ignore, src.replace(/\/$/, '')), `${src} is not excluded by .dockerignore`);
      }
    }
  });

  test('runtime: libpcap and iproute2 (ip, bridge), no compilers', () => {
    const r = runs(stage('runtime'));
    assert.match(r, /apt-get install[^\n]*\blibpcap0\.8\b[^\n]*\biproute2\b/);
    assert.doesNotMatch(r, /build-essential|libpcap-dev|python3/);
  });

  test('runtime holds what a run needs, from the build stage', () => {
    const rt = stage('runtime');
    const from = rt.steps.filter((i) => i.cmd === 'COPY').map((i) => /^--from=(\S+)\s+(\S+)/.exec(i.args));
    assert.ok(from.every((m) => m !== null && m[1] === 'build'), 'runtime copies only from the build stage');
    const copied = from.map((m) => m![2]!.replace(/^\/app\//, ''));
    // package.json and fixtures/ mark the package root (util/paths.ts); the addon where native.ts loads it.
    for (const p of ['package.json', 'node_modules', 'dist', 'bin', 'fixtures/demo', addonRel]) assert.ok(copied.includes(p), `${p} is in the image`);
  });

  test('the entrypoint is package.json\'s bin, run by node from WORKDIR /app', () => {
    const rt = stage('runtime');
    assert.equal(rt.steps.find((i) => i.cmd === 'WORKDIR')?.args, '/app');
    assert.equal(pkg.bin.podtap, 'bin/podtap.js');
    assert.ok(existsSync(join(root, pkg.bin.podtap)));
    assert.deepEqual(JSON.parse(rt.steps.find((i) => i.cmd === 'ENTRYPOINT')!.args), ['node', `/app/${pkg.bin.podtap}`]);
  });

  test('the image user is the hub\'s non-root uid (the worker\'s pod overrides it with root)', () => {
    const rt = stage('runtime');
    assert.equal(rt.steps.filter((i) => i.cmd === 'USER').at(-1)?.args, `${HUB_UID}:${HUB_UID}`);
    assert.match(runs(rt), new RegExp(`useradd --uid ${HUB_UID} --gid ${HUB_UID}`));
  });
});

describe('.dockerignore', () => {
  test('keeps local builds, dependencies and history out of the context', () => {
    for (const p of ['node_modules/yaml/package.json', 'dist/cli/main.js', '.git/HEAD', `${addonRel}`, 'fixtures/corpus/x.pcap']) assert.ok(isIgnored(ignore, p), `${p} is ignored`);
    for (const p of ['src/cli/main.ts', 'fixtures/demo/demo.pcap', 'package-lock.json']) assert.ok(!isIgnored(ignore, p), `${p} is sent`);
  });
});

describe('the Dockerfile reader', () => {
  test('joins continuations, skips comments, substitutes ARG defaults in FROM', () => {
    const s = parseDockerfile('ARG B=debian:12\n# c\nFROM ${B} AS x\nRUN a \\\n  # inner\n  && b\n');
    assert.deepEqual(s, [{ name: 'x', from: 'debian:12', steps: [{ cmd: 'RUN', args: 'a && b', line: 4 }] }]);
  });
});
