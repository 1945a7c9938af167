/**
 * Chaos lab for the worker → hub stream: zero loss and zero duplicates,
 * measured against the HTTP clients' own request counts, across
 *
 *   1. the hub killed (SIGKILL) and restarted on the same --data and address
 *      while both workers stream at load;
 *   2. a worker killed (SIGKILL) while it holds unacknowledged entries (its
 *      node's connections to the hub are refused), then restarted on the
 *      same spool;
 *   3. the network between a worker and the hub cut for 30 s (iptables DROP
 *      in the worker's node namespace) while clients keep sending.
 *
 * Everything runs as real processes in the simulated cluster
 * (src/lab/cluster): `podtap hub` and one `podtap worker` per node, with the
 * counting HTTP client and server in the pods. Each phase uses its own path
 * prefix; each client run its own prefix below it (the client asks for
 * `<path>/<i>`), so every request path is unique. Per phase the hub must
 * return, through GET /api/entries, exactly as many HTTP entries under the
 * prefix as the clients counted, and no path twice.
 *
 * Where the hub runs: in node1's namespace, on node1's underlay address.
 * The outside host would be the natural place, but it has no route back to
 * the nodes' underlay addresses (node1 masquerades only pod traffic), so
 * node2 cannot reach it; the test checks that both nodes reach the hub
 * before it starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { buildClusterLab, clusterLabSkipReason, type ClusterLab } from '../lab/cluster/lab.js';
import { API_CLUSTER_IP, DEFAULT_HTTP_PORT, defaultClusterSpec } from '../lab/cluster/spec.js';
import { runHttpClient, startHttpServer, type HttpServer } from '../lab/cluster/workloads.js';
import { sleep, waitForExit } from '../lab/proc.js';
import { pcapAddonSkipReason } from '../live/native.js';

const PODTAP = fileURLToPath(new URL('../../bin/podtap.js', import.meta.url));
const TOKEN = 'chaos-token-0123456789abcdef';
const HUB_PORT = 8899;
/** How long the network between node2's worker and the hub is cut in phase 3. */
const CUT_MS = 30_000;
/** How long the hub stays dead in phase 1. */
const HUB_DOWN_MS = 1_500;
/** Longest wait for the hub to hold every entry of a phase (phase 3 waits out TCP's retransmission backoff). */
const SETTLE_TIMEOUT_MS = 60_000;
const PROCESS_START_TIMEOUT_MS = 15_000;
/** Page size of the API reads (the hub's MAX_PAGE). */
const PAGE = 1000;

/**
 * Run inside a namespace that reaches the hub: pages through GET /api/entries
 * for one filter (newest first, `before` cursor) and prints the request paths
 * as a JSON array. (The test process lives in the host's namespace and cannot
 * reach the lab's addresses itself.)
 */
const PATHS_SCRIPT = `
const [url, token, q, page] = process.argv.slice(1);
const paths = [];
let before = '';
for (;;) {
  const r = await fetch(url + '/api/entries?q=' + encodeURIComponent(q) + '&limit=' + page + before, { headers: { authorization: 'Bearer ' + token } });
  if (!r.ok) throw new Error('HTTP ' + r.status + ': ' + await r.text());
  const body = await r.json();
  for (const e of body.entries) paths.push(e.request === null ? '' : e.request.path);
  if (body.entries.length < Number(page) || body.next === null) break;
  before = '&before=' + body.next;
}
process.stdout.write(JSON.stringify(paths));
`;

/** GET one hub path (with the token) and print the body. */
const GET_SCRIPT = `
const [url, token] = process.argv.slice(1);
const r = await fetch(url, { headers: { authorization: 'Bearer ' + token } });
if (!r.ok) throw new Error('HTTP ' + r.status);
process.stdout.write(await r.text());
`;

/** A podtap process in the lab, its output kept for waiting and for failure messages. */
class Proc {
  readonly child: ChildProcess;
  out = '';

  constructor(lab: ClusterLab, where: string, argv: string[], readonly name: string) {
    this.child = lab.spawn(where, [process.execPath, PODTAP, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const s of [this.child.stdout, this.child.stderr]) s?.setEncoding('utf8').on('data', (c: string) => { this.out += c; });
  }

  get alive(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }

  async waitFor(pattern: RegExp, timeoutMs = PROCESS_START_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.out)) {
      if (!this.alive) throw new Error(`${this.name} exited before printing ${pattern}: ${this.out.slice(-600)}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${pattern} within ${timeoutMs} ms: ${this.out.slice(-600)}`);
      await sleep(50);
    }
  }

  /**
   * `ip netns exec` replaces itself with the program (no fork), so the child's
   * pid is podtap's own and a signal reaches it, not a wrapper.
   */
  assertPidIsPodtap(): void {
    const cmdline = readFileSync(`/proc/${this.child.pid}/cmdline`, 'utf8');
    assert.ok(cmdline.includes('podtap.js'), `${this.name}: pid ${this.child.pid} is ${cmdline.replaceAll('\0', ' ')}`);
  }

  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.alive) return;
    this.child.kill(signal);
    await waitForExit(this.child);
  }
}

/** Totals of a series of client runs. */
interface Sent { runs: number; ok: number; failed: number }

test('hub and worker chaos: zero loss, zero duplicates', { timeout: 180_000 }, async (t) => {
  const skip = clusterLabSkipReason() ?? pcapAddonSkipReason();
  if (skip) { t.skip(skip); return; }
  const started = Date.now();
  const lab = await buildClusterLab(defaultClusterSpec());
  const dir = mkdtempSync(join(tmpdir(), 'podtap-chaos-'));
  const servers: HttpServer[] = [];
  const procs: Proc[] = [];
  try {
    const inventory = join(dir, 'inventory.json');
    await lab.writeInventory(inventory);
    const hubIp = lab.node('node1').ip;
    const hubUrl = `http://${hubIp}:${HUB_PORT}`;
    const hubData = join(dir, 'hub');
    const spool = (node: string) => join(dir, `spool-${node}`);
    servers.push(await startHttpServer(lab, 'default/web-1', { port: DEFAULT_HTTP_PORT }));
    servers.push(await startHttpServer(lab, 'default/api-1', { port: DEFAULT_HTTP_PORT }));
    const web1 = `${lab.pod('default/web-1').ip}:${DEFAULT_HTTP_PORT}`;
    const apiSvc = `${API_CLUSTER_IP}:80`;

    const startHub = async (): Promise<Proc> => {
      const p = new Proc(lab, 'node1', ['hub', '--listen', `${hubIp}:${HUB_PORT}`, '--data', hubData, '--token', TOKEN], 'hub');
      procs.push(p);
      await p.waitFor(/serving on /);
      p.assertPidIsPodtap();
      return p;
    };
    const startWorker = async (node: string): Promise<Proc> => {
      const p = new Proc(lab, node, ['worker', '--node', node, '--inventory', inventory, '--hub', hubUrl, '--token', TOKEN, '--spool', spool(node)], `worker ${node}`);
      procs.push(p);
      for (const pod of lab.node(node).pods) await p.waitFor(new RegExp(`capturing ${pod.key} on `));
      await p.waitFor(/connected to hub/);
      p.assertPidIsPodtap();
      await sleep(500); // the kernel filters attached
      return p;
    };

    /** The request paths of the HTTP entries the hub returns under `prefix`, read from node1. */
    const hubPaths = async (prefix: string): Promise<string[]> => {
      const q = `http and request.path.startsWith(${JSON.stringify(prefix)})`;
      const r = await lab.exec('node1', [process.execPath, '--input-type=module', '-e', PATHS_SCRIPT, hubUrl, TOKEN, q, String(PAGE)], { timeoutMs: 30_000 });
      return JSON.parse(r.stdout) as string[];
    };
    /** A hub metric, summed over its labels. */
    const hubMetric = async (name: string): Promise<number> => {
      const r = await lab.exec('node1', [process.execPath, '--input-type=module', '-e', GET_SCRIPT, `${hubUrl}/metrics`, TOKEN], { timeoutMs: 10_000 });
      return r.stdout.split('\n').filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
        .reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    };

    /**
     * Waits until the hub holds at least `expected` entries under `prefix`
     * (at most SETTLE_TIMEOUT_MS), then a second more so that a late
     * duplicate would show, and checks: exactly `expected`, no path twice.
     */
    const settle = async (phase: string, prefix: string, expected: number): Promise<{ paths: string[]; ms: number }> => {
      const from = Date.now();
      let paths = await hubPaths(prefix);
      while (paths.length < expected && Date.now() - from < SETTLE_TIMEOUT_MS) {
        await sleep(500);
        paths = await hubPaths(prefix);
      }
      const ms = Date.now() - from;
      await sleep(1000);
      paths = await hubPaths(prefix);
      const seen = new Set<string>();
      const twice = paths.filter((p) => seen.has(p) || !seen.add(p));
      assert.deepEqual(twice.slice(0, 5), [], `${phase}: ${twice.length} request paths appear more than once in the hub`);
      assert.equal(paths.length, expected, `${phase}: the hub has ${paths.length} entries under ${prefix}, the clients counted ${expected} (waited ${ms} ms)`);
      return { paths, ms };
    };

    /** Client runs of `count` requests, one after another, while `more()` says so; each run under its own path. */
    const keepSending = async (from: string, target: string, prefix: string, o: { count: number; newConnections?: boolean; pauseMs?: number }, more: () => boolean): Promise<Sent> => {
      const sent: Sent = { runs: 0, ok: 0, failed: 0 };
      do {
        const r = await runHttpClient(lab, from, { target, count: o.count, path: `${prefix}/r${sent.runs}`, newConnections: o.newConnections ?? false });
        sent.runs++;
        sent.ok += r.ok;
        sent.failed += r.requested - r.ok;
        if (o.pauseMs !== undefined) await sleep(o.pauseMs);
      } while (more());
      return sent;
    };
    const total = (list: Sent[]) => list.reduce((a, s) => ({ runs: a.runs + s.runs, ok: a.ok + s.ok, failed: a.failed + s.failed }), { runs: 0, ok: 0, failed: 0 });

    /**
     * Cut the worker ↔ hub stream inside `node`'s namespace (OUTPUT and INPUT: the pods' forwarded
     * traffic is untouched). `drop`: a silent cut, the connection stays open on both sides.
     * `refuse`: the worker's packets are answered with a reset, so its connection is gone at once
     * and its reconnects are refused: no socket is left holding its batches. (OUTPUT only: the
     * reset comes in as if from the hub, and an INPUT rule would drop it.)
     */
    const cutRules = async (node: string, op: '-I' | '-D', how: 'drop' | 'refuse'): Promise<void> => {
      const port = String(HUB_PORT);
      if (how === 'refuse') {
        await lab.exec(node, ['iptables', '-w', op, 'OUTPUT', '-d', hubIp, '-p', 'tcp', '--dport', port, '-j', 'REJECT', '--reject-with', 'tcp-reset']);
        return;
      }
      await lab.exec(node, ['iptables', '-w', op, 'OUTPUT', '-d', hubIp, '-p', 'tcp', '--dport', port, '-j', 'DROP']);
      await lab.exec(node, ['iptables', '-w', op, 'INPUT', '-s', hubIp, '-p', 'tcp', '--sport', port, '-j', 'DROP']);
    };

    /** HTTP entries of `prefix` in `node`'s spool files (batches written, not yet acknowledged or not yet deleted). */
    const spooled = (node: string, prefix: string): { entries: number; runs: Set<string> } => {
      let entries = 0;
      const runs = new Set<string>();
      for (const name of readdirSync(spool(node)).filter((n) => n.endsWith('.spool'))) {
        runs.add(name.split('.')[0]!);
        for (const line of readFileSync(join(spool(node), name), 'utf8').split('\n')) {
          let batch: Array<{ request?: { path?: string } | null }>;
          try { batch = JSON.parse(line) as typeof batch; } catch { continue; } // empty, or cut by the kill
          for (const e of batch) if (e.request?.path?.startsWith(prefix) === true) entries++;
        }
      }
      return { entries, runs };
    };

    let hub = await startHub();
    const workers: Record<string, Proc> = { node1: await startWorker('node1'), node2: await startWorker('node2') };
    for (const node of ['node1', 'node2']) {
      const r = await lab.exec(node, [process.execPath, '--input-type=module', '-e', GET_SCRIPT, `${hubUrl}/healthz`, TOKEN], { check: false, timeoutMs: 10_000 });
      assert.equal(r.code, 0, `${node} cannot reach the hub at ${hubUrl}: ${r.stderr}`);
    }

    await t.test('1: hub killed (SIGKILL) and restarted under load', async () => {
      let restartedAt = 0;
      const more = () => restartedAt === 0 || Date.now() - restartedAt < 3000;
      const clients = Promise.all([
        keepSending('default/client', web1, '/p1/client-web', { count: 500 }, more),      // node1, same node
        keepSending('default/client', apiSvc, '/p1/client-svc', { count: 100, newConnections: true }, more), // node1, ClusterIP to node2
        keepSending('default/api-1', web1, '/p1/api-web', { count: 500 }, more),         // node2, cross node
      ]);
      // Killed once the stream is well under way (and the clients are still sending).
      let before = 0;
      const deadline = Date.now() + 20_000;
      while (before < 1000 && Date.now() < deadline) { await sleep(200); before = (await hubPaths('/p1/')).length; }
      assert.ok(before >= 1000, `the hub got only ${before} entries of phase 1 in 20 s`);
      await hub.kill('SIGKILL');
      const killedAt = Date.now();
      await sleep(HUB_DOWN_MS);
      hub = await startHub();
      restartedAt = Date.now();
      const sent = total(await clients);
      assert.equal(sent.failed, 0, 'the clients\' own requests all succeeded');
      const { ms } = await settle('phase 1', '/p1/', sent.ok);
      const duplicates = await hubMetric('podtap_hub_entries_duplicate_total');
      // What each worker held unacknowledged when its stream broke (the uplink logs it).
      const held = Object.entries(workers).map(([node, w]) => `${node} ${/lost the hub; (\d+) entries buffered/.exec(w.out)?.[1] ?? '?'}`);
      t.diagnostic(`phase 1: clients ${sent.ok} requests in ${sent.runs} runs; the hub had ${before} when killed, served again ${restartedAt - killedAt} ms later; ` +
        `entries buffered by the workers when the stream broke: ${held.join(', ')}; ` +
        `all ${sent.ok} in the hub ${ms} ms after the clients finished; the restarted hub dropped ${duplicates} resent duplicates`);
    });

    await t.test('2: worker killed (SIGKILL) holding unacknowledged entries, restarted on its spool', async () => {
      // node2's worker cannot reach the hub while its clients run, so everything it sees stays
      // unacknowledged, in memory and in the spool. It is killed only once its clients are done:
      // requests made while no worker runs cannot be captured by anyone, so they are not part of
      // this count. The hub is refused rather than silently dropped: with a silent cut, the killed
      // worker's kernel keeps its socket and, once the network is back, delivers the batches
      // still in the send queue itself, and the spool would prove nothing.
      await cutRules('node2', '-I', 'refuse');
      let sent: Sent;
      try {
        sent = total([
          await keepSending('default/api-1', web1, '/p2/api-web', { count: 400 }, () => false),
          await keepSending('default/api-1', web1, '/p2/api-web-new', { count: 100, newConnections: true }, () => false),
        ]);
        assert.equal(sent.failed, 0, 'the clients\' own requests all succeeded');
        const deadline = Date.now() + 10_000;
        while (spooled('node2', '/p2/').entries < sent.ok && Date.now() < deadline) await sleep(100);
        const held = spooled('node2', '/p2/');
        assert.equal(held.entries, sent.ok, 'the worker spooled every request its clients made');
        assert.equal((await hubPaths('/p2/')).length, 0, 'nothing reached the hub while it was unreachable');
        await workers.node2!.kill('SIGKILL');
        t.diagnostic(`phase 2: clients ${sent.ok} requests; node2's worker killed holding ${held.entries} of them in its spool (runs ${[...held.runs].join(', ')})`);
      } finally {
        await cutRules('node2', '-D', 'refuse');
      }
      await sleep(1000);
      assert.equal((await hubPaths('/p2/')).length, 0, 'nothing of phase 2 reached the hub after the kill but through the restarted worker');
      const killedRuns = spooled('node2', '/p2/').runs;
      const duplicatesBefore = await hubMetric('podtap_hub_entries_duplicate_total');
      workers.node2 = await startWorker('node2');
      const recovered = Number(/(\d+) entries from an earlier run's spool/.exec(workers.node2.out)?.[1] ?? 0);
      assert.ok(recovered >= sent.ok, `the restarted worker recovered ${recovered} entries from the spool`);
      const { ms } = await settle('phase 2', '/p2/', sent.ok);
      const duplicates = await hubMetric('podtap_hub_entries_duplicate_total') - duplicatesBefore;
      const left = [...spooled('node2', '/p2/').runs].filter((r) => killedRuns.has(r));
      assert.deepEqual(left, [], 'the killed run\'s spool segments are deleted once the hub acknowledged them');
      t.diagnostic(`phase 2: restarted worker recovered ${recovered} entries from the spool; all ${sent.ok} in the hub ${ms} ms after its start; ` +
        `the hub dropped ${duplicates} of the recovered entries as already stored`);
    });

    await t.test(`3: network between node2's worker and the hub cut for ${CUT_MS / 1000} s`, async () => {
      await cutRules('node2', '-I', 'drop');
      const cutAt = Date.now();
      let restoredAt = 0;
      let node2Sent: Sent, node1Sent: Sent;
      try {
        const during = () => Date.now() - cutAt < CUT_MS;
        [node2Sent, node1Sent] = await Promise.all([
          keepSending('default/api-1', web1, '/p3/api-web', { count: 250, pauseMs: 200 }, during),        // node2: cut off
          keepSending('default/client', web1, '/p3/client-web', { count: 250, pauseMs: 1000 }, during),   // node1: still connected
        ]);
        assert.equal(node2Sent.failed + node1Sent.failed, 0, 'the clients\' own requests all succeeded');
        const node2During = (await hubPaths('/p3/api-web/')).length;
        const node1During = (await hubPaths('/p3/client-web/')).length;
        assert.equal(node2During, 0, 'nothing of node2 reached the hub during the cut');
        t.diagnostic(`phase 3: during the cut node2's clients made ${node2Sent.ok} requests (hub: ${node2During}), node1's ${node1Sent.ok} (hub: ${node1During})`);
      } finally {
        await cutRules('node2', '-D', 'drop');
        restoredAt = Date.now();
      }
      const node2 = await settle('phase 3 (node2, cut off)', '/p3/api-web/', node2Sent.ok);
      await settle('phase 3 (node1)', '/p3/client-web/', node1Sent.ok);
      await settle('phase 3', '/p3/', node2Sent.ok + node1Sent.ok);
      t.diagnostic(`phase 3: cut ${restoredAt - cutAt} ms; all ${node2Sent.ok} of node2's entries in the hub ${node2.ms} ms after the network came back; ` +
        `worker reconnects: ${(workers.node2!.out.match(/connected to hub/g) ?? []).length - 1}`);
    });

    const dropped = await hubMetric('podtap_uplink_dropped_total');
    assert.equal(dropped, 0, 'no worker dropped an entry for a full uplink buffer');
    t.diagnostic(`total ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    for (const p of procs) await p.kill('SIGKILL').catch(() => {});
    for (const s of servers) await s.stop().catch(() => {});
    await lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
});
