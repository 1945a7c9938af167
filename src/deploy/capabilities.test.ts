/**
 * The worker's capability set is enough, and needed: a process with exactly
 * the DaemonSet's privileges (uid 0, no_new_privs, every capability dropped
 * but WORKER_CAPABILITIES) in a "node" network namespace finds a pod's veth
 * the way the worker does and captures the pod's traffic on it with a
 * kernel filter; with no capability at all, opening the capture fails.
 * Skips (with the reason) without root, network namespaces, setpriv or the
 * libpcap addon.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { waitForExit, waitForOutput } from '../lab/proc.js';
import { pcapAddonSkipReason } from '../live/native.js';
import { PEER_IP, UDP_SENDER, VethLab } from '../live/veth-lab.js';
import { WORKER_CAPABILITIES } from './worker.js';

const setprivSkip = spawnSync('setpriv', ['--version']).error ? 'setpriv not installed' : undefined;
const skip = pcapAddonSkipReason() ?? VethLab.skipReason() ?? setprivSkip;

/** In the "node" namespace: discover the pod's veth, capture 2 s on it with a compiled filter, print the result as JSON. */
const PROBE = String.raw`
const [interfacesUrl, captureUrl, podIp] = process.argv.slice(1);
(async () => {
  const caps = require('fs').readFileSync('/proc/self/status', 'utf8').match(/CapEff:\s*(\w+)/)[1];
  try {
    const { discoverPodInterfaces } = await import(interfacesUrl);
    const { compileFilterAsync, openLiveCapture } = await import(captureUrl);
    const d = await discoverPodInterfaces([{ key: 'shop/cart', ips: [podIp] }]);
    const pod = d.found[0];
    if (pod === undefined) { console.log(JSON.stringify({ caps, error: 'not found: ' + JSON.stringify(d.missing) })); return; }
    const program = await compileFilterAsync('udp and host ' + podIp);
    let packets = 0;
    const cap = openLiveCapture(pod.iface, { packet() { packets++; } }, { program });
    console.log('capturing');
    await new Promise((r) => setTimeout(r, 2000));
    await cap.close();
    console.log(JSON.stringify({ caps, via: pod.via, iface: pod.iface, packets }));
  } catch (e) {
    console.log(JSON.stringify({ caps, error: (e.kind ?? '') + ': ' + e.message }));
  }
})();
`;

/** Bit numbers of the capabilities that may appear here (linux/capability.h). */
const CAP_BITS: Readonly<Record<string, bigint>> = { NET_ADMIN: 12n, NET_RAW: 13n, SYS_PTRACE: 19n, SYS_ADMIN: 21n };

/** setpriv arguments for "uid 0 with only these capabilities and no_new_privs", as the container runtime sets it up. */
function privileges(caps: readonly string[]): string[] {
  const set = ['-all', ...caps.map((c) => `+${c.toLowerCase()}`)].join(',');
  return ['--no-new-privs', `--inh-caps=${set}`, `--ambient-caps=${set}`, `--bounding-set=${set}`];
}

async function probe(lab: VethLab, caps: readonly string[]): Promise<{ caps: string; via?: string; packets?: number; error?: string }> {
  const urls = [new URL('../worker/interfaces.js', import.meta.url).href, new URL('../live/capture.js', import.meta.url).href];
  const child = spawn('ip', ['netns', 'exec', lab.capNs, 'setpriv', ...privileges(caps), process.execPath, '-e', PROBE, ...urls, PEER_IP], { stdio: ['ignore', 'pipe', 'pipe'] });
  const first = await waitForOutput(child, /capturing|\{.*\}/, 10_000);
  if (first.includes('capturing')) {
    const sender = lab.node(lab.peerNs, UDP_SENDER, ['10.232.0.1', 9999, 20, 64, 1, 20]);
    await waitForExit(sender);
  }
  let out = first;
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  await waitForExit(child);
  const line = out.split('\n').reverse().find((l) => l.startsWith('{'));
  assert.ok(line !== undefined, `no result from the probe: ${out}`);
  return JSON.parse(line) as { caps: string; via?: string; packets?: number; error?: string };
}

describe('the worker\'s capabilities, exercised', { skip: skip ?? false }, () => {
  let lab: VethLab;
  before(async () => { lab = await VethLab.create(); });
  after(async () => { await lab?.teardown(); });

  test(`with only ${WORKER_CAPABILITIES.join(', ')}: the pod's veth is found and its traffic captured`, async () => {
    const r = await probe(lab, WORKER_CAPABILITIES);
    const want = WORKER_CAPABILITIES.reduce((m, c) => m | (1n << CAP_BITS[c]!), 0n);
    assert.equal(BigInt(`0x${r.caps}`), want, `effective capabilities are ${WORKER_CAPABILITIES.join(', ')} alone`);
    assert.equal(r.error, undefined);
    assert.equal(r.via, 'route');
    assert.equal(r.packets, 20);
  });

  test('with no capability: opening the capture is refused', async () => {
    const r = await probe(lab, []);
    assert.equal(BigInt(`0x${r.caps}`), 0n);
    assert.match(r.error ?? '', /^permission: /);
  });
});
