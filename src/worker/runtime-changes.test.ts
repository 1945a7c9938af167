/**
 * A running worker follows change without a restart, in the simulated
 * cluster: the --rules file rewritten, pods added to / removed from the
 * inventory, an IP reused by a new pod, and a keep-alive connection that was
 * already open when capture started. Ground truth: the clients' own counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClusterLab, clusterLabSkipReason, type ClusterLab } from '../lab/cluster/lab.js';
import { defaultClusterSpec } from '../lab/cluster/spec.js';
import { formatInventory, type KubeList } from '../lab/cluster/inventory.js';
import { runHttpClient, startHttpServer } from '../lab/cluster/workloads.js';
import { waitForOutput } from '../lab/proc.js';
import { pcapAddonSkipReason } from '../live/native.js';
import { packageRoot } from '../util/paths.js';
import type { HttpEntry } from '../entries/types.js';
import { Worker, WORKER_TICK_MS } from './worker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Rules and inventory changes must reach the kernel filters within this. */
const FOLLOW_MS = 1000;
/** Entries are flushed on the worker's tick; this covers one tick and the kernel's block timeout. */
const FLUSH_MS = WORKER_TICK_MS + 300;

function entries(file: string, prefix: string): HttpEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as HttpEntry)
    .filter((e) => e.protocol === 'http' && e.request?.path.startsWith(`${prefix}/`));
}

/** A log that remembers when each line came, and waits for a line. */
class TimedLog {
  readonly lines: Array<{ at: number; line: string }> = [];
  readonly fn = (line: string) => { this.lines.push({ at: Date.now(), line }); };
  /** How long each awaited line took, for the report. */
  readonly delays: string[] = [];
  async waitFor(re: RegExp, since: number, timeoutMs = 3000): Promise<number> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => l.at >= since && re.test(l.line));
      if (hit) { this.delays.push(`${hit.at - since} ms`); return hit.at - since; }
      if (Date.now() > end) assert.fail(`no log line ${re} within ${timeoutMs} ms; got:\n${this.lines.map((l) => l.line).join('\n')}`);
      await sleep(20);
    }
  }
}

/** The lab's inventory with pods dropped, renamed or re-created (new uid, same IP). */
function editedInventory(lab: ClusterLab, edit: (pods: KubeList['items']) => KubeList['items']): string {
  const list = lab.inventory();
  const pods = list.items.filter((i) => i.kind === 'Pod');
  return formatInventory({ ...list, items: [...edit(pods), ...list.items.filter((i) => i.kind !== 'Pod')] });
}

test('a running worker follows rules, inventory and open connections', { timeout: 60_000 }, async (t) => {
  const skip = clusterLabSkipReason() ?? pcapAddonSkipReason();
  if (skip) { t.skip(skip); return; }
  const lab = await buildClusterLab(defaultClusterSpec());
  const servers = [await startHttpServer(lab, 'default/web-1', { port: 8080 }), await startHttpServer(lab, 'default/api-1', { port: 8080 })];
  const web = `${lab.pod('web-1').ip}:8080`;
  const dir = mkdtempSync(join(tmpdir(), 'podtap-runtime-'));
  const inventory = join(dir, 'inventory.json');
  await lab.writeInventory(inventory);
  try {
    await t.test('rules file rewritten: web-1 targeted within a second, nothing before', async () => {
      const rules = join(dir, 'rules.yaml');
      writeFileSync(rules, 'selector: app=api\n');
      const log = new TimedLog();
      const out = join(dir, 'rules.jsonl');
      const w = new Worker({ node: 'node1', inventory, rulesFile: rules, out, netns: lab.nsOf('node1'), log: log.fn });
      await w.start();
      try {
        assert.deepEqual(w.interfaces, [], 'app=api: nothing to capture on node1');
        assert.equal((await runHttpClient(lab, 'default/client', { target: web, count: 5, path: '/before' })).ok, 5);
        const changed = Date.now();
        writeFileSync(rules, '{"selector": "app in (api, web)"}\n'); // JSON is YAML too
        const took = await log.waitFor(/capturing default\/web-1 on /, changed);
        assert.ok(took < FOLLOW_MS, `capture opened ${took} ms after the change`);
        assert.equal((await runHttpClient(lab, 'default/client', { target: web, count: 5, path: '/after' })).ok, 5);
        writeFileSync(rules, 'selector: "app in (a"\n'); // invalid: one line, last good rules stay
        await log.waitFor(/rules\.yaml.*last good rules stay in force/, changed);
        await sleep(FLUSH_MS);
        assert.deepEqual(w.interfaces.length, 1, 'still capturing web-1');
      } finally {
        t.diagnostic(`rules change → capture: ${log.delays.join(', ')}`);
        await w.stop();
      }
      assert.equal(entries(out, '/before').length, 0, 'requests before the change');
      assert.equal(entries(out, '/after').length, 5, 'requests after the change, once each');
      assert.equal(log.lines.filter((l) => /last good rules/.test(l.line)).length, 1, 'one line for invalid rules');
    });

    await t.test('inventory rewritten: pod added, IP reused by a new pod, pod deleted', async () => {
      const inv = join(dir, 'inventory-changes.json');
      const webIp = lab.pod('web-1').ip;
      const veth = lab.pod('web-1').hostVeth;
      writeFileSync(inv, editedInventory(lab, (pods) => pods.filter((p) => p.metadata.name !== 'web-1')));
      const log = new TimedLog();
      const out = join(dir, 'inventory.jsonl');
      const w = new Worker({ node: 'node1', inventory: inv, rules: { podRegex: '^web' }, out, netns: lab.nsOf('node1'), log: log.fn });
      await w.start();
      try {
        assert.deepEqual(w.interfaces, []);
        await runHttpClient(lab, 'default/client', { target: web, count: 4, path: '/absent' });

        let since = Date.now();
        writeFileSync(inv, editedInventory(lab, (pods) => pods));
        assert.ok(await log.waitFor(/capturing default\/web-1 on /, since) < FOLLOW_MS, 'added pod captured within a second');
        assert.equal((await runHttpClient(lab, 'default/client', { target: web, count: 4, path: '/added' })).ok, 4);
        await sleep(FLUSH_MS);

        since = Date.now();
        writeFileSync(inv, editedInventory(lab, (pods) => pods.map((p) => (p.metadata.name !== 'web-1' ? p : {
          ...p, metadata: { ...p.metadata, name: 'web-2', uid: '00000000-0000-4000-a000-00000000beef', creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
        }))));
        assert.ok(await log.waitFor(new RegExp(`capturing default/web-2 on ${veth} `), since) < FOLLOW_MS, 'reopened for the new owner within a second');
        await log.waitFor(new RegExp(`stopped capturing default/web-1 on ${veth}`), since);
        assert.deepEqual(w.interfaces, [veth]);
        assert.equal((await runHttpClient(lab, 'default/client', { target: `${webIp}:8080`, count: 4, path: '/reused' })).ok, 4);
        await sleep(FLUSH_MS);

        const before = w.totals();
        since = Date.now();
        writeFileSync(inv, editedInventory(lab, (pods) => pods.filter((p) => p.metadata.name !== 'web-1')));
        assert.ok(await log.waitFor(/stopped capturing default\/web-2 on /, since) < FOLLOW_MS, 'deleted pod released within a second');
        assert.deepEqual(w.interfaces, []);
        const after = w.totals();
        assert.ok(after.processed >= before.processed && after.processed > 0, 'counters of closed captures are kept');
        assert.equal(after.captured, after.processed + after.duplicate + after.untargeted);
        await runHttpClient(lab, 'default/client', { target: web, count: 4, path: '/deleted' });
        await sleep(FLUSH_MS);
      } finally {
        t.diagnostic(`inventory change → capture: ${log.delays.join(', ')}`);
        await w.stop();
      }
      assert.equal(entries(out, '/absent').length, 0);
      assert.equal(entries(out, '/added').length, 4);
      assert.equal(entries(out, '/reused').length, 4);
      assert.equal(entries(out, '/deleted').length, 0);
    });

    await t.test('a keep-alive connection open before capture starts: later requests exactly once', async () => {
      const client = lab.spawn('default/client', [process.execPath, join(packageRoot(), 'src', 'worker', 'testdata', 'slow-client.mjs'),
        lab.pod('web-1').ip, '8080', '/mid', '8', '3', '100'], { stdio: ['pipe', 'pipe', 'pipe'] });
      client.stderr?.resume();
      await waitForOutput(client, /ok 3\n/, 10_000);
      const out = join(dir, 'mid.jsonl');
      // Every pod targeted: both ends of client → web-1 are captured, so without a SYN the port heuristic picks the owner.
      const w = new Worker({ node: 'node1', inventory, rules: {}, out, netns: lab.nsOf('node1'), log: () => {} });
      await w.start();
      let report = '';
      try {
        assert.equal(w.interfaces.length, 2);
        await sleep(300); // captures attached
        client.stdin?.write('go\n');
        report = await waitForOutput(client, /\{.*\}\n/, 10_000);
        await sleep(FLUSH_MS);
      } finally {
        await w.stop();
      }
      const r = JSON.parse(/\{.*\}/.exec(report)![0]) as { ok: number; connections: number };
      assert.deepEqual(r, { ok: 8, failed: 0, connections: 1 });
      const got = entries(out, '/mid').map((e) => e.request!.path).sort();
      assert.deepEqual(got, ['/mid/4', '/mid/5', '/mid/6', '/mid/7', '/mid/8'], 'requests after the start, each once');
      const tot = w.totals();
      assert.equal(tot.captured, tot.processed + tot.duplicate + tot.untargeted);
    });
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    await lab.teardown();
  }
});
