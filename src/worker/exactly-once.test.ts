/**
 * Exactly-once, end to end: a simulated two-node cluster (bridged node1,
 * routed node2, ClusterIP DNAT, an outside host), one worker per node
 * capturing inside that node's namespace, real HTTP clients and servers in
 * the pods. Ground truth is independent of podtap: the clients' own request
 * counts, and tcpdump inside every targeted pod's namespace for packets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { buildClusterLab, clusterLabSkipReason } from '../lab/cluster/lab.js';
import { defaultClusterSpec } from '../lab/cluster/spec.js';
import { dig, runHttpClient, startDnsServer, startHttpServer } from '../lab/cluster/workloads.js';
import { pcapAddonSkipReason } from '../live/native.js';
import { Worker } from './worker.js';
import type { TargetRules } from '../cluster/rules.js';
import type { DnsEntry, Entry, HttpEntry } from '../entries/types.js';
import { readCaptureFile } from '../capture/open.js';
import type { PacketRecord } from '../capture/types.js';
import { decodeLink } from '../layers/link.js';
import { IpPacket, decodeIpv4 } from '../layers/ip.js';
import { isClientSide } from '../ownership/rule.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const link = { offset: 0, ipVersion: 0 };
const ipp = new IpPacket();

/** A NAT-invariant key of one packet (the same at every hop), or null for non-IPv4. */
function packetKey(rec: PacketRecord): string | null {
        const p = ipp;
        const l = decodeLink(rec.data, rec.linkType, link);
        if (l.ipVersion !== 4 || !decodeIpv4(rec.data, l.offset, p)) return null;
        const d = p.l4Buf, o = p.l4Off;
        const sp = (d[o] << 8) | d[o + 1], dp = (d[o + 2] << 8) | d[o + 3];
        const b = p.addrBuf;
        const s = ((b[p.srcOff] << 24) | (b[p.srcOff + 1] << 16) | (b[p.srcOff + 2] << 8) | b[p.srcOff + 3]) >>> 0;
        const t = ((b[p.dstOff] << 24) | (b[p.dstOff + 1] << 16) | (b[p.dstOff + 2] << 8) | b[p.dstOff + 3]) >>> 0;
        const client = isClientSide(s, sp, t, dp) ? `${s}:${sp}>` : `${t}:${dp}<`;
        const id = (rec.data[l.offset + 4] << 8) | rec.data[l.offset + 5];
        const tcp = p.protocol === 6 ? Buffer.from(d.subarray(o + 4, o + 14)).toString('hex') : '';
        return `${p.protocol}|${client}|${id}|${tcp}|${p.l4Len}`;
}

/** Packets in the pods' own captures, each counted once however many pods saw it. */
async function uniquePackets(files: string[]): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const f of files) {
    await readCaptureFile(f, { packet(rec) { const k = packetKey(rec); if (k !== null) keys.add(k); } }, { tolerateTruncation: true });
  }
  return keys;
}

interface Scenario {
  name: string;
  rules: TargetRules;
  /** Pods whose traffic is targeted, for the reference captures. */
  targeted: string[];
  /** Expected HTTP entries per path prefix. */
  expect: Record<string, number>;
  /** Expected DNS entries per query name (each asked once over UDP and once over TCP). */
  expectDns: number;
}

/** DNS through the kube-dns ClusterIP (DNAT to coredns-0 on node2), UDP and TCP. */
const DNS_QUERIES = [
  { from: 'default/client', name: 'api.default.svc.cluster.local', tcp: false },
  { from: 'default/client', name: 'kube-dns.kube-system.svc.cluster.local', tcp: true },
  { from: 'default/web-1', name: 'api.default.svc.cluster.local', tcp: false },
];

const TRAFFIC = [
  { from: 'default/client', to: 'web-1', path: '/same', count: 20, newConnections: false },   // same node, bridged
  { from: 'default/client', to: 'svc', path: '/svc', count: 12, newConnections: true },       // through the ClusterIP to node2
  { from: 'default/web-1', to: 'api-1', path: '/cross', count: 10, newConnections: false },   // cross node, pod IP
  { from: 'default/client', to: 'outside', path: '/out', count: 6, newConnections: false },   // out of the cluster
  { from: 'default/api-1', to: 'web-1', path: '/back', count: 8, newConnections: true },      // routed node → bridged node
];

const SCENARIOS: Scenario[] = [
  { name: 'no rules: every workload pod', rules: {}, targeted: ['default/client', 'default/web-1', 'default/api-1', 'kube-system/coredns-0'],
    expect: { '/same': 20, '/svc': 12, '/cross': 10, '/out': 6, '/back': 8 }, expectDns: 3 },
  { name: 'selector app=api', rules: { selector: 'app=api' }, targeted: ['default/api-1'],
    expect: { '/same': 0, '/svc': 12, '/cross': 10, '/out': 0, '/back': 8 }, expectDns: 0 },
  { name: 'regex web, namespace default', rules: { podRegex: 'web', namespaces: ['default'] }, targeted: ['default/web-1'],
    expect: { '/same': 20, '/svc': 0, '/cross': 10, '/out': 0, '/back': 8 }, expectDns: 1 },
  { name: 'excluded namespace default', rules: { excludedNamespaces: ['default'] }, targeted: ['kube-system/coredns-0'],
    expect: { '/same': 0, '/svc': 0, '/cross': 0, '/out': 0, '/back': 0 }, expectDns: 3 },
];

test('every targeted request exactly once, no untargeted entry, amplification 1.00', { timeout: 240_000 }, async (t) => {
  const skip = clusterLabSkipReason() ?? pcapAddonSkipReason();
  if (skip) { t.skip(skip); return; }
  const lab = await buildClusterLab(defaultClusterSpec({ podtapPod: true }));
  const servers: Array<{ stop(): Promise<unknown> }> = [];
  try {
    const dir = mkdtempSync(join(tmpdir(), 'podtap-e2e-'));
    const inventory = join(dir, 'inventory.json');
    await lab.writeInventory(inventory);
    servers.push(await startHttpServer(lab, 'default/web-1', { port: 8080 }));
    servers.push(await startHttpServer(lab, 'default/api-1', { port: 8080 }));
    servers.push(await startHttpServer(lab, 'outside', { port: 80 }));
    const dns = await startDnsServer(lab, 'kube-system/coredns-0');
    servers.push({ stop: async () => { dns.kill('SIGTERM'); } });
    const addr = (to: string) => (to === 'svc' ? '10.96.0.20:80' : to === 'outside' ? `${lab.outside!.ip}:80` : `${lab.pod(to).ip}:8080`);
    for (const sc of SCENARIOS) {
      await t.test(sc.name, async () => {
        const tag = sc.name.replace(/\W+/g, '-');
        const refs: ChildProcess[] = [];
        const refFiles: string[] = [];
        for (const pod of sc.targeted) {
          const f = join(dir, `${tag}-${pod.replace('/', '_')}.pcap`);
          refFiles.push(f);
          // TCP and UDP: the workloads' traffic. (Pods also send the odd IGMP report on their own, at
          // moments unrelated to the test's windows; those would only measure when each window opened.)
          refs.push(lab.spawn(pod, ['tcpdump', '-i', 'eth0', '-n', '-U', '-w', f, 'ip and (tcp or udp)'], { stdio: 'ignore' }));
        }
        const processedKeys: string[] = [];
        const workers = ['node1', 'node2'].map((node) => new Worker({
          node, inventory, rules: sc.rules, out: join(dir, `${tag}-${node}.jsonl`), netns: lab.nsOf(node), log: () => {},
          tap: { packet: (rec) => { const k = packetKey(rec); processedKeys.push(k ?? 'non-ipv4'); } },
        }));
        for (const w of workers) await w.start();
        await sleep(700); // captures and tcpdumps attached
        const sent: Record<string, number> = {};
        for (const tr of TRAFFIC) {
          const r = await runHttpClient(lab, tr.from, { target: addr(tr.to), count: tr.count, path: tr.path, newConnections: tr.newConnections });
          assert.equal(r.ok, tr.count, `${tr.path}: the client's own count`);
          sent[tr.path] = r.ok;
        }
        for (const q of DNS_QUERIES) {
          const r = await dig(lab, q.from, { server: '10.96.0.10', name: q.name, tcp: q.tcp });
          assert.equal(r.status, 'NOERROR', `dig ${q.name}`);
        }
        // Quiet first: no packet for 800 ms (at most 6 s), so nothing is in flight when the windows close.
        let last = -1;
        for (let i = 0; i < 30; i++) {
          await sleep(200);
          const now = workers.reduce((a, w) => a + w.totals().captured, 0);
          if (now === last && i >= 4) break;
          last = now;
        }
        for (const w of workers) await w.stop();
        for (const r of refs) r.kill('SIGINT');
        await sleep(300);
        const entries = workers.flatMap((_, i) => readFileSync(join(dir, `${tag}-node${i + 1}.jsonl`), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry));
        const dnsEntries = entries.filter((e): e is DnsEntry => e.protocol === 'dns');
        assert.equal(dnsEntries.length, sc.expectDns, `${sc.name}: DNS entries ${dnsEntries.map((e) => `${e.src.ip}>${e.dst.ip} ${e.request?.questions[0]?.name}`).join(', ')}`);
        for (const e of dnsEntries) assert.ok(e.request !== null && e.response !== null, 'DNS query paired with its answer');
        for (const [prefix, n] of Object.entries(sc.expect)) {
          const got = entries.filter((e): e is HttpEntry => e.protocol === 'http' && e.request !== null && e.request.path.startsWith(`${prefix}/`));
          assert.equal(got.length, n, `${sc.name}: ${prefix}: ${got.length} entries, expected ${n} (client sent ${sent[prefix]})`);
          const ids = new Set(got.map((e) => e.request!.path));
          assert.equal(ids.size, got.length, `${prefix}: a request appeared twice`);
          // Names on both ends, from the inventory.
          const tr = TRAFFIC.find((x) => x.path === prefix)!;
          for (const e of got) {
            assert.equal(`${e.src.namespace}/${e.src.pod}`, tr.from, `${prefix}: src named after the client pod`);
            if (tr.to === 'outside') assert.equal(e.dst.name, 'external', `${prefix}: the outside host is external`);
            else if (tr.to !== 'svc') assert.equal(e.dst.pod, tr.to, `${prefix}: dst named after the server pod`);
            else assert.ok(e.dst.service === 'api' || e.dst.pod === 'api-1', `${prefix}: the ClusterIP or its backend: ${JSON.stringify(e.dst)}`);
          }
        }
        const totals = workers.map((w) => w.totals());
        const sum = (k: 'captured' | 'processed' | 'duplicate' | 'untargeted' | 'kernelDrops') => totals.reduce((a, x) => a + x[k], 0);
        assert.equal(sum('captured'), sum('processed') + sum('duplicate') + sum('untargeted'), 'counters add up');
        assert.equal(sum('kernelDrops'), 0);
        assert.equal(sum('untargeted'), 0, 'no untargeted packet reached user space');
        const uniqueKeys = await uniquePackets(refFiles);
        const unique = uniqueKeys.size;
        t.diagnostic(`${sc.name}: captured ${sum('captured')}, processed ${sum('processed')} (TCP/UDP ${processedKeys.filter((k) => k.startsWith('6|') || k.startsWith('17|')).length}), duplicate ${sum('duplicate')}, unique targeted ${unique}, amplification ${(sum('processed') / Math.max(1, unique)).toFixed(3)}, kernel-delivered ÷ unique ${(sum('captured') / Math.max(1, unique)).toFixed(3)}`);
        const transport = processedKeys.filter((k) => k.startsWith('6|') || k.startsWith('17|'));
        const seen = new Set(transport);
        const missed = [...uniqueKeys].filter((k) => !seen.has(k));
        const extra = transport.filter((k) => !uniqueKeys.has(k));
        assert.deepEqual({ missed, extra }, { missed: [], extra: [] }, 'the packets processed are exactly the unique targeted packets');
        assert.equal(transport.length, unique, 'amplification processed ÷ unique targeted = 1.00 (TCP and UDP)');
      });
    }
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    await lab.teardown();
  }
});
