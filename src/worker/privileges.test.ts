/**
 * The worker drops what it does not need once its first captures are open,
 * and still captures, including on a pod that appears after the drop:
 * `podtap worker` runs as root in a child process inside a cluster-lab node,
 * and its /proc/PID/status (and every thread's) is read back.
 *
 *   - as in a container (no /var/run/netns): CAP_NET_RAW alone in every set
 *     (effective, permitted, bounding), no_new_privs, still uid 0;
 *   - with --user 65534:65534: the same capabilities as that user;
 *   - with --netns: CAP_SYS_ADMIN kept too (each capture opens inside it);
 *   - with --no-drop-privileges: nothing dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClusterLab, clusterLabSkipReason, type ClusterLab } from '../lab/cluster/lab.js';
import { defaultClusterSpec } from '../lab/cluster/spec.js';
import { runHttpClient, startHttpServer } from '../lab/cluster/workloads.js';
import { waitForExit, which } from '../lab/proc.js';
import { pcapAddonSkipReason } from '../live/native.js';
import { packageRoot } from '../util/paths.js';
import type { HttpEntry } from '../entries/types.js';
import { CAPABILITIES, capabilityNames, parseUser, PrivilegeError, readProcPrivileges, workerPlan } from './privileges.js';

const bin = join(packageRoot(), 'bin', 'podtap.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NET_RAW = 1n << 13n, SYS_ADMIN = 1n << 21n;
/** Pod regex of the workers below: api-1 and the pods added later. */
const TARGETS = '^(api-1|late-)';

test('--user, capability names and the plan', () => {
  assert.deepEqual(parseUser('65534:65533'), { uid: 65534, gid: 65533 });
  assert.deepEqual(parseUser('1000'), { uid: 1000, gid: 1000 });
  assert.throws(() => parseUser('nobody'), PrivilegeError);
  assert.throws(() => parseUser('0:0'), /already runs as root/);
  assert.equal(CAPABILITIES[13], 'CAP_NET_RAW');
  assert.equal(CAPABILITIES[21], 'CAP_SYS_ADMIN');
  assert.deepEqual(capabilityNames(NET_RAW | SYS_ADMIN), ['CAP_NET_RAW', 'CAP_SYS_ADMIN']);
  const empty = mkdtempSync(join(tmpdir(), 'podtap-netns-'));
  assert.deepEqual(workerPlan({ netnsDir: empty }).keep, ['CAP_NET_RAW'], 'in a container: NET_RAW alone');
  assert.deepEqual(workerPlan({ netnsDir: join(empty, 'missing') }).keep, ['CAP_NET_RAW']);
  assert.deepEqual(workerPlan({ netnsDir: empty, netns: 'node1' }).keep, ['CAP_NET_RAW', 'CAP_SYS_ADMIN']);
  mkdirSync(join(empty, 'cni-1234'));
  const named = workerPlan({ netnsDir: empty });
  assert.deepEqual(named.keep, ['CAP_NET_RAW', 'CAP_SYS_ADMIN'], 'named namespaces: ip -n needs SYS_ADMIN');
  assert.match(named.reasons[0]!, /named network namespaces/);
});

interface Running { child: ChildProcess; err: () => string; pid: () => number }

/** Wait for a line of the worker's stderr (from `since` on: what it printed before counts too). */
async function waitErr(w: Running, re: RegExp, timeoutMs: number, since = 0): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!re.test(w.err().slice(since))) {
    if (w.child.exitCode !== null || Date.now() > end) assert.fail(`no ${re} (exit ${w.child.exitCode}):\n${w.err()}`);
    await sleep(50);
  }
}

/**
 * `podtap worker` in `lab`'s node2 (routed) as root. `container`: /var/run/netns hidden
 * (a tmpfs over it), as in a pod; else --netns is used from the host namespace.
 */
function startWorker(lab: ClusterLab, inventory: string, out: string, extra: string[], container: boolean): Running {
  // Only the servers are targeted: the client's side would own the connections otherwise (node1's worker).
  const args = [bin, 'worker', '--node', 'node2', '--inventory', inventory, '--out', out, ...extra, ...(container ? [] : ['--netns', lab.nsOf('node2')]), '--', TARGETS];
  const child = container
    ? spawn('ip', ['netns', 'exec', lab.nsOf('node2'), 'unshare', '-m', 'sh', '-c', 'mount -t tmpfs tmpfs /run/netns && exec "$@"', 'sh', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  child.stdout!.resume();
  // ip netns exec, unshare and sh each exec the next: the pid ends up being node's.
  return { child, err: () => err, pid: () => child.pid! };
}

function threadsOf(pid: number): Array<ReturnType<typeof readProcPrivileges>> {
  return readdirSync(`/proc/${pid}/task`).map((t) => readProcPrivileges(`${pid}/task/${t}`));
}

function httpEntries(file: string, prefix: string): HttpEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as HttpEntry)
    .filter((e) => e.protocol === 'http' && e.request?.path.startsWith(`${prefix}/`));
}

test('podtap worker drops privileges after opening its captures, and keeps capturing', { timeout: 120_000 }, async (t) => {
  const skip = clusterLabSkipReason() ?? pcapAddonSkipReason() ?? (which('unshare') === undefined ? 'unshare not installed' : undefined);
  if (skip) { t.skip(skip); return; }
  const lab = await buildClusterLab(defaultClusterSpec());
  const server = await startHttpServer(lab, 'default/api-1', { port: 8080 });
  const dir = mkdtempSync(join(tmpdir(), 'podtap-privileges-'));
  chmodSync(dir, 0o755); // readable by the user the worker switches to
  const inventory = join(dir, 'inventory.json');
  await lab.writeInventory(inventory);
  chmodSync(inventory, 0o644);
  const api = `${lab.pod('api-1').ip}:8080`;
  try {
    for (const c of [
      { name: 'as in a container', extra: [] as string[], container: true, keep: NET_RAW, uid: 0, newPod: true },
      { name: '--user 65534:65534', extra: ['--user', '65534:65534'], container: true, keep: NET_RAW, uid: 65534, newPod: true },
      // In the host's network namespace, so /metrics is reachable from here.
      { name: '--netns', extra: ['--metrics-listen', '127.0.0.1:0'], container: false, keep: NET_RAW | SYS_ADMIN, uid: 0, newPod: true },
    ]) {
      await t.test(c.name, async () => {
        const out = join(dir, `${c.name.replace(/\W+/g, '-')}.jsonl`);
        const w = startWorker(lab, inventory, out, c.extra, c.container);
        try {
          await waitErr(w, /privileges dropped/, 15_000);
          assert.match(w.err(), /capturing default\/api-1 on /, 'the first captures were open before the drop');
          const p = readProcPrivileges(w.pid());
          assert.equal(p.effective, c.keep, `effective: ${capabilityNames(p.effective)}`);
          assert.equal(p.permitted, c.keep, `permitted: ${capabilityNames(p.permitted)}`);
          assert.equal(p.bounding, c.keep, `bounding: ${capabilityNames(p.bounding)}`);
          assert.equal(p.inheritable, c.uid === 0 ? 0n : c.keep);
          assert.equal(p.ambient, c.uid === 0 ? 0n : c.keep, 'a non-root worker\'s children keep what it kept');
          assert.equal(p.noNewPrivs, true);
          assert.equal(p.uid, c.uid);
          assert.equal(p.gid, c.uid);
          const threads = threadsOf(w.pid());
          const full = threads.filter((x) => (x.effective & ~c.keep) !== 0n || !x.noNewPrivs);
          assert.ok(full.length <= 1, `at most node's signal watchdog keeps more: ${full.length} of ${threads.length}: ${JSON.stringify(full, (_k, x) => (typeof x === 'bigint' ? x.toString(16) : x))}\n${w.err()}`);
          if (c.uid !== 0) assert.ok(threads.every((x) => x.uid === c.uid && (x.effective & ~c.keep) === 0n), 'every thread switched user and lost the rest');
          assert.match(w.err(), new RegExp(`kept ${capabilityNames(c.keep).join(', ')}.*no_new_privs set; uid ${c.uid} gid ${c.uid}`));
          if (c.extra.includes('--metrics-listen')) {
            const metrics = /metrics on (http:\S+)/.exec(w.err())?.[1];
            assert.ok(metrics !== undefined, w.err());
            const text = await (await fetch(metrics)).text();
            assert.match(text, new RegExp(`^podtap_worker_privileges\\{node="node2",kept="${capabilityNames(c.keep).join(',')}",uid="${c.uid}",no_new_privs="1"\\} 1$`, 'm'));
          }

          // Capture still works after the drop: on the handle opened before it...
          assert.equal((await runHttpClient(lab, 'default/client', { target: api, count: 5, path: '/after-drop', newConnections: true })).ok, 5);
          if (c.newPod) {
            // ...and on a new handle, for a pod that appears after it (needs CAP_NET_RAW only).
            const late = `late-${c.name.replace(/[^a-z0-9]+/g, '')}`;
            const pod = await lab.addPod('node2', { name: late, labels: { app: 'late' } });
            const since = w.err().length;
            await lab.writeInventory(inventory);
            await waitErr(w, new RegExp(`capturing default/${late} on `), 10_000, since);
            assert.doesNotMatch(w.err().slice(since), /permission|EPERM|not permitted/i);
            const server2 = await startHttpServer(lab, pod.key, { port: 8080 });
            assert.equal((await runHttpClient(lab, 'default/client', { target: `${pod.ip}:8080`, count: 4, path: '/new-pod', newConnections: true })).ok, 4);
            await sleep(900);
            await server2.stop();
            await lab.removePod(pod.key);
            await lab.writeInventory(inventory);
          }
          await sleep(900);
        } finally {
          w.child.kill('SIGTERM');
        }
        assert.equal(await waitForExit(w.child), 0, w.err());
        assert.equal(httpEntries(out, '/after-drop').length, 5, w.err());
        if (c.newPod) assert.equal(httpEntries(out, '/new-pod').length, 4, w.err());
      });
    }

    await t.test('--no-drop-privileges keeps everything', async () => {
      const w = startWorker(lab, inventory, join(dir, 'kept.jsonl'), ['--no-drop-privileges'], true);
      try {
        await waitErr(w, /capturing default\/api-1 on /, 15_000);
        await sleep(300);
        assert.equal(readProcPrivileges(w.pid()).effective, readProcPrivileges().effective);
        assert.doesNotMatch(w.err(), /privileges dropped/);
      } finally {
        w.child.kill('SIGTERM');
      }
      assert.equal(await waitForExit(w.child), 0, w.err());
    });
  } finally {
    await server.stop().catch(() => {});
    await lab.teardown();
  }
});
