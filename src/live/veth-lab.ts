/**
 * Test and benchmark helper: two network namespaces joined by one veth pair,
 * addressed inside 10.232.0.0/24 (kept apart from src/lab's 10.231/16):
 * `cap` (10.232.0.1, where capture happens) and `peer` (10.232.0.2, the
 * sender). Nothing is created in the host namespace; `teardown()` (or process
 * exit) deletes both namespaces and with them the veth.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { netnsSkipReason } from '../lab/netns.js';
import { run, runSync } from '../lab/proc.js';

export const VETH_NS_PREFIX = 'ptlive-';
export const CAP_IP = '10.232.0.1';
export const PEER_IP = '10.232.0.2';
export const VETH_IFACE = 'veth0';

const live = new Set<VethLab>();
let counter = 0;
let exitHookInstalled = false;

export class VethLab {
  readonly capNs: string;
  readonly peerNs: string;
  private readonly children = new Set<ChildProcess>();
  private done = false;

  private constructor(id: string) {
    this.capNs = `${id}-cap`;
    this.peerNs = `${id}-peer`;
  }

  /** Why a lab cannot be built here (not root, no netns), or undefined. */
  static skipReason(): string | undefined {
    return netnsSkipReason();
  }

  static async create(): Promise<VethLab> {
    await removeStale();
    const lab = new VethLab(`${VETH_NS_PREFIX}${process.pid}-${counter++}`);
    live.add(lab);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => { for (const l of live) l.teardownSync(); });
    }
    try {
      for (const ns of [lab.capNs, lab.peerNs]) {
        await run('ip', ['netns', 'add', ns]);
        await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
        // No IPv6: no router solicitations or MLD reports in the capture.
        await run('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      }
      await run('ip', ['link', 'add', VETH_IFACE, 'netns', lab.capNs, 'type', 'veth', 'peer', 'name', VETH_IFACE, 'netns', lab.peerNs]);
      for (const [ns, ip] of [[lab.capNs, CAP_IP], [lab.peerNs, PEER_IP]] as const) {
        await run('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', VETH_IFACE]);
        await run('ip', ['-n', ns, 'link', 'set', VETH_IFACE, 'up']);
      }
    } catch (err) {
      await lab.teardown();
      throw err;
    }
    return lab;
  }

  /** Path for LiveCaptureOptions.netns. */
  get capNsPath(): string {
    return `/var/run/netns/${this.capNs}`;
  }

  /** Runs `node -e script args…` inside a namespace; output piped. */
  node(ns: string, script: string, args: readonly (string | number)[] = []): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script, ...args.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  async teardown(): Promise<void> {
    if (this.done) return;
    this.done = true;
    for (const c of this.children) c.kill('SIGKILL');
    for (const ns of [this.peerNs, this.capNs]) await run('ip', ['netns', 'del', ns], { check: false });
    live.delete(this);
  }

  teardownSync(): void {
    if (this.done) return;
    this.done = true;
    for (const c of this.children) c.kill('SIGKILL');
    for (const ns of [this.peerNs, this.capNs]) runSync('ip', ['netns', 'del', ns]);
    live.delete(this);
  }
}

/** Deletes namespaces of ours whose owner process is gone (killed with SIGKILL). */
async function removeStale(): Promise<void> {
  const r = await run('ip', ['netns', 'list'], { check: false });
  for (const line of r.stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = /^ptlive-(\d+)-/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try { process.kill(Number(m[1]), 0); continue; } catch (err) { if ((err as NodeJS.ErrnoException).code === 'EPERM') continue; }
    await run('ip', ['netns', 'del', name], { check: false });
  }
}

/**
 * A UDP sender for `node -e`: argv host port count size [burst] [pauseMs].
 * Datagram i carries u32 i then bytes (i + j) & 255. Prints "ready" before
 * the first send and "sent N" at the end.
 */
export const UDP_SENDER = String.raw`
const dgram = require('dgram');
const [host, port, count, size, burst = '64', pauseMs = '0'] = process.argv.slice(1);
const n = Number(count), sz = Number(size), b = Number(burst), pause = Number(pauseMs);
const s = dgram.createSocket('udp4');
s.bind(0, () => {
  console.log('ready');
  let i = 0, acked = 0, failed = 0;
  const tick = () => {
    for (let k = 0; k < b && i < n; k++, i++) {
      const buf = Buffer.allocUnsafe(sz);
      buf.writeUInt32BE(i, 0);
      for (let j = 4; j < sz; j++) buf[j] = (i + j) & 255;
      s.send(buf, Number(port), host, (err) => { if (err) failed++; if (++acked === n) { console.log('sent ' + (n - failed)); s.close(); } });
    }
    if (i < n) pause > 0 ? setTimeout(tick, pause) : setImmediate(tick);
  };
  tick();
});
`;
