/**
 * `podtap worker` and `podtap targets` as a user runs them (`node bin/podtap.js …`):
 * bad input is one line naming the fix; in the cluster lab the worker serves
 * counters that add up, survives a pod's veth vanishing under traffic, and
 * on SIGTERM exits 0 with its entries file complete.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { clusterFixture } from '../cluster/test-support.js';
import { buildClusterLab, clusterLabSkipReason } from '../lab/cluster/lab.js';
import { defaultClusterSpec } from '../lab/cluster/spec.js';
import { runHttpClient, startHttpServer } from '../lab/cluster/workloads.js';
import { run, waitForExit, waitForOutput, which } from '../lab/proc.js';
import { pcapAddonSkipReason } from '../live/native.js';
import type { HttpEntry } from '../entries/types.js';

const bin = join(packageRoot(), 'bin', 'podtap.js');
const tmp = mkdtempSync(join(tmpdir(), 'podtap-worker-cli-'));
chmodSync(tmp, 0o755); // readable by the unprivileged worker below
const kind = clusterFixture('kind-cluster.json');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isRoot = process.getuid?.() === 0;

function podtap(args: string[], prefix: string[] = []) {
  const argv = [...prefix, process.execPath, bin, ...args];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 15_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function assertOneLineError(r: ReturnType<typeof podtap>, pattern: RegExp) {
  assert.notEqual(r.code, 0, `expected a failure, got exit 0: ${r.err}`);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${r.err}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.err, /\n\s+at |podtap: error:/);
}

function file(name: string, content: string): string {
  const f = join(tmp, name);
  writeFileSync(f, content);
  return f;
}

const worker = (...more: string[]) => ['worker', '--node', 'kind-worker', '--inventory', kind, ...more];

test('worker: bad flags and rules, one line each', () => {
  assertOneLineError(podtap(worker('(')), /pod regex "\(" is invalid.*fix the regex/);
  assertOneLineError(podtap(worker('-l', 'app in (a')), /selector/);
  assertOneLineError(podtap(worker('--metrics-listen', 'nine')), /--metrics-listen: expected HOST:PORT.*e\.g\. 127\.0\.0\.1:9100/);
  assertOneLineError(podtap(worker('--metrics-listen', '127.0.0.1:99999')), /port from 0 to 65535/);
  const rules = file('rules.yaml', 'selector: app=web\n');
  assertOneLineError(podtap(worker('--rules', rules, '-n', 'default')), /--rules FILE and the targeting flags .* are exclusive/);
  assertOneLineError(podtap(worker('--rules', file('bad-key.yaml', 'selectr: app=web\n'))), /bad-key\.yaml: unknown key "selectr"/);
  assertOneLineError(podtap(worker('--rules', file('bad-sel.json', '{"selector": "app in (a"}'))), /bad-sel\.json: .*selector/);
  assertOneLineError(podtap(worker('--rules', join(tmp, 'none.yaml'))), /none\.yaml: cannot be read \(ENOENT\); check the path of --rules/);
});

test('worker: bad inventory, namespace, permission and metrics address, one line each', (t) => {
  if (!isRoot) { t.skip('needs root (the capability check comes first)'); return; }
  const none = ['-n', 'no-such-namespace']; // nothing targeted: no capture is needed to reach each check
  assertOneLineError(podtap(['worker', '--node', 'n', '--inventory', join(tmp, 'missing.json'), ...none]), /missing\.json: cannot be read \(ENOENT\); check the path/);
  assertOneLineError(podtap(['worker', '--node', 'n', '--inventory', file('garbage.json', '{{{ nope'), ...none]), /garbage\.json/);
  assertOneLineError(podtap(['worker', '--node', 'n', '--inventory', file('cm.json', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}'), ...none]), /cm\.json: top level is a "ConfigMap", not a List.*kubectl get pods,services,nodes/);
  assertOneLineError(podtap(worker('--netns', 'nope', ...none)), /--netns nope: no such network namespace.*ip netns list/);
  const setpriv = which('setpriv');
  if (setpriv !== undefined) {
    // Still uid 0 (so a checkout in a private temp folder stays readable) but with no capabilities at all.
    assertOneLineError(podtap(worker(...none), [setpriv, '--bounding-set=-all', '--inh-caps=-all', '--']),
      /no permission to capture \(missing CAP_NET_RAW\): run as root or grant/);
  } else t.diagnostic('setpriv missing: permission case not run');
});

test('worker: a metrics address in use is one line', async (t) => {
  if (!isRoot) { t.skip('needs root'); return; }
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const port = (busy.address() as { port: number }).port;
  try {
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      const c = spawn(process.execPath, [bin, ...worker('-n', 'no-such-namespace', '--metrics-listen', `127.0.0.1:${port}`)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      c.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
      c.on('exit', (code) => resolve({ code, err }));
    });
    assertOneLineError({ ...r, out: '' }, new RegExp(`--metrics-listen 127\\.0\\.0\\.1:${port}: .*EADDRINUSE.*pick a free port`));
  } finally {
    busy.close();
  }
});

test('targets: each kind of rule lists the expected pods', () => {
  const names = (...args: string[]) => {
    const r = podtap(['targets', '--inventory', kind, ...args]);
    assert.equal(r.code, 0, r.err);
    return [...r.out.matchAll(/^(\S+\/\S+)  node=/gm)].map((m) => m[1]).sort();
  };
  const all = names();
  assert.equal(all.length, 10, 'running pods with an IP, no host-network, no podtap pod, no finished job');
  assert.ok(!all.some((p) => p.startsWith('podtap/') || p.includes('podtap-front') || p.includes('migrate-db')));
  assert.deepEqual(names('catalog'), ['shop/catalog-5f7d8b9c6-w4hzn', 'shop/catalog-db-0']);
  assert.deepEqual(names('(?i)^CATALOG-\\d'), ['shop/catalog-5f7d8b9c6-w4hzn']);
  assert.deepEqual(names('-n', 'shop'), ['shop/cart-85f6d9b7c4-p7r2t', 'shop/catalog-5f7d8b9c6-w4hzn', 'shop/catalog-db-0']);
  assert.deepEqual(names('-e', 'default,kube-system', '-e', 'shop', '-e', 'monitoring'), ['local-path-storage/local-path-provisioner-6bc4bddd6b-8zvjx']);
  assert.deepEqual(names('-l', 'tier=api,version!=v1'), ['default/backend-7b9f6c8d4-lm8kp', 'shop/cart-85f6d9b7c4-p7r2t', 'shop/catalog-5f7d8b9c6-w4hzn']);
  assert.deepEqual(names('-l', 'app in (frontend,redis)'), ['default/frontend-6d4cf56db6-4qn2r']);
  assert.deepEqual(names('-n', 'kube-system', '--include-host-network', '-l', 'k8s-app=kube-proxy'), ['kube-system/kube-proxy-2lq6f', 'kube-system/kube-proxy-h5x8n']);
  assert.deepEqual(names('--node', 'kind-worker', '-n', 'default'), ['default/backend-7b9f6c8d4-lm8kp', 'default/frontend-6d4cf56db6-4qn2r']);
  assert.deepEqual(names('--rules', file('shop.yaml', 'namespaces: [shop]\nselector: tier=api\n')), ['shop/cart-85f6d9b7c4-p7r2t', 'shop/catalog-5f7d8b9c6-w4hzn']);
  assertOneLineError(podtap(['targets', '--inventory', kind, '--rules', file('r.json', '{}'), 'web']), /are exclusive/);
});

test('worker in the lab: metrics add up, a vanished veth is one line, SIGTERM flushes and exits 0', { timeout: 60_000 }, async (t) => {
  const skip = clusterLabSkipReason() ?? pcapAddonSkipReason();
  if (skip) { t.skip(skip); return; }
  const lab = await buildClusterLab(defaultClusterSpec());
  const servers = [await startHttpServer(lab, 'default/web-1', { port: 8080 }), await startHttpServer(lab, 'default/api-1', { port: 8080 })];
  try {
    const inventory = join(tmp, 'lab-inventory.json');
    await lab.writeInventory(inventory);
    const out = join(tmp, 'lab.jsonl');
    const w = spawn(process.execPath, [bin, 'worker', '--node', 'node1', '--inventory', inventory, '--netns', lab.nsOf('node1'),
      '--out', out, '--metrics-listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    w.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    w.stdout.resume();
    try {
      const seen = await waitForOutput(w, /metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/, 10_000);
      const metricsUrl = /metrics on (http:\/\/\S+)/.exec(seen)![1];
      assert.match(err, /capturing default\/client on /);
      assert.match(err, /capturing default\/web-1 on /);

      const web = `${lab.pod('web-1').ip}:8080`;
      assert.equal((await runHttpClient(lab, 'default/client', { target: web, count: 10, path: '/cli', newConnections: true })).ok, 10);
      await sleep(800);
      const m = await (await fetch(metricsUrl)).text();
      const sum = (name: string) => [...m.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'gm'))].reduce((a, x) => a + Number(x[1]), 0);
      for (const name of ['podtap_packets_captured_total', 'podtap_packets_processed_total', 'podtap_packets_duplicate_total', 'podtap_packets_untargeted_total', 'podtap_kernel_drops_total', 'podtap_targeted_pods', 'podtap_bpf_instructions']) {
        assert.match(m, new RegExp(`^# TYPE ${name} `, 'm'), `${name} is served`);
      }
      assert.ok(sum('podtap_packets_processed_total') > 0);
      assert.equal(sum('podtap_packets_captured_total'), sum('podtap_packets_processed_total') + sum('podtap_packets_duplicate_total') + sum('podtap_packets_untargeted_total'), 'captured = processed + duplicate + untargeted');
      assert.match(m, /^podtap_entries_total\{node="node1",protocol="http"\} 10$/m);
      assert.match(m, /^podtap_targeted_pods\{node="node1"\} 2$/m);

      // The client pod vanishes while it talks to web-1: its veth is deleted under traffic.
      const slow = lab.spawn('default/client', [process.execPath, join(packageRoot(), 'src', 'worker', 'testdata', 'slow-client.mjs'),
        lab.pod('web-1').ip, '8080', '/slow', '40', '1000', '50'], { stdio: ['pipe', 'pipe', 'pipe'] });
      slow.stderr?.resume();
      await waitForOutput(slow, /ok 3\n/, 10_000);
      await sleep(150); // the kernel's block timeout: requests 1–3 are delivered; later ones die with the veth
      const veth = lab.pod('client').hostVeth;
      await run('ip', ['-n', lab.nsOf('node1'), 'link', 'del', veth]);
      await sleep(600);
      slow.kill('SIGKILL');
      assert.equal(w.exitCode, null, `the worker is still running:\n${err}`);
      const failures = err.split('\n').filter((l) => l.includes(veth) && !/capturing default\/client on/.test(l));
      assert.ok(failures.length >= 1 && failures.length <= 2, `one line for the failure (and the stop):\n${err}`);
      assert.equal(err.split('\n').filter((l) => l.includes(veth) && /stopped:|failed/.test(l)).length, 1, err);

      assert.equal((await runHttpClient(lab, 'default/web-1', { target: `${lab.pod('api-1').ip}:8080`, count: 5, path: '/others' })).ok, 5);
      await sleep(800);
      const after = await (await fetch(metricsUrl)).text();
      assert.match(after, /^podtap_entries_total\{node="node1",protocol="http"\} \d+$/m);
      assert.match(after, /iface="\(closed\)"/, 'the retired capture\'s counters are kept');
    } finally {
      w.kill('SIGTERM');
    }
    assert.equal(await waitForExit(w), 0, err);
    assert.doesNotMatch(err, /\n\s+at /);
    assert.match(err, /podtap worker: captured \d+, processed \d+/);
    const text = readFileSync(out, 'utf8');
    assert.ok(text.endsWith('\n'), 'the last line is complete');
    const entries = text.trim().split('\n').map((l) => JSON.parse(l) as HttpEntry);
    const count = (p: string) => entries.filter((e) => e.protocol === 'http' && e.request?.path.startsWith(`${p}/`)).length;
    assert.equal(count('/cli'), 10);
    assert.equal(count('/others'), 5, 'the other pods are still captured after the veth vanished');
    assert.ok(count('/slow') >= 3, 'requests before the veth vanished');
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    await lab.teardown();
  }
});
