/**
 * The golden recording: a two-node lab (server 10.231.1.1, client
 * 10.231.1.2 and 10.231.1.3), a Node HTTP server and dnsmasq on the server,
 * tcpdump on the client's eth0, then curl and dig from 10.231.1.2 and Node's
 * http client and dns.Resolver from 10.231.1.3, one after another. Returns
 * the capture and what the clients reported.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab, netnsSkipReason } from '../netns.js';
import { missingTools, run, waitForOutput } from '../proc.js';
import { startCapture, type CaptureStats } from '../record.js';
import { startDnsmasq } from '../servers/dnsmasq.js';
import { runCurl, runDig, type LabTarget } from './clients.js';
import type { ExpectedDns, ExpectedHttp, GoldenExpectation } from './types.js';

export const GOLDEN_NAME = 'lab-http-dns';
export const GOLDEN_TOOLS = ['tcpdump', 'curl', 'dig', 'dnsmasq'] as const;
const SERVER_START_TIMEOUT_MS = 10_000;

export const GOLDEN_NOTE =
  'Recorded by src/lab/golden.test.ts in network namespaces (curl, dig, Node http + dns.Resolver against a Node HTTP server and dnsmasq). ' +
  'Expectations come from the clients. Regenerate as root: scripts/lab-regen-golden.sh (PODTAP_REGEN_GOLDEN=1 node scripts/run-tests.mjs lab/golden.test)';

/** Why the golden recording cannot run here, or undefined. */
export function goldenSkipReason(): string | undefined {
  const reason = netnsSkipReason();
  if (reason !== undefined) return reason;
  const missing = missingTools(GOLDEN_TOOLS);
  return missing.length > 0 ? `missing tools: ${missing.join(', ')} (apt-get install tcpdump curl bind9-dnsutils dnsmasq)` : undefined;
}

export interface GoldenRecording {
  pcap: string;
  expected: GoldenExpectation;
  stats: CaptureStats;
}

const script = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));

export async function recordGolden(workDir: string): Promise<GoldenRecording> {
  const lab = await Lab.create({ nodes: ['server', 'client'] });
  try {
    const server = lab.node('server');
    const client = lab.node('client');
    const nodeClientIp = '10.231.1.3';
    await lab.addAddress('client', nodeClientIp);

    const http = lab.spawn('server', process.execPath, [script('../servers/http-server.js'), '--host', server.ip, '--port', '80']);
    await waitForOutput(http, /listening /, SERVER_START_TIMEOUT_MS);
    http.stdout?.resume();
    http.stderr?.resume();
    await startDnsmasq(lab, 'server', server.ip, workDir);

    const pcap = join(workDir, `${GOLDEN_NAME}.pcap`);
    const capture = await startCapture({ lab, where: 'client', iface: client.iface, file: pcap });

    const t: LabTarget = { lab, role: 'client', clientIp: client.ip, serverIp: server.ip, host: 'a', workDir };
    const httpExp: ExpectedHttp[] = [
      ...(await runCurl(t, { paths: ['/x', '/y?q=1'] })),
      ...(await runCurl(t, { paths: ['/echo'], data: 'hello=world&lab=1' })),
      ...(await runCurl(t, { paths: ['/gzip'], compressed: true })),
      ...(await runCurl(t, { paths: ['/chunked'] })),
      ...(await runCurl(t, { paths: ['/missing'] })),
    ];
    const dnsExp: ExpectedDns[] = [];
    for (const call of [
      { name: 'www.lab.test', type: 'A' },
      { name: 'www.lab.test', type: 'AAAA' },
      { name: 'lab.test', type: 'MX' },
      { name: 'lab.test', type: 'TXT' },
      { name: 'nope.lab.test', type: 'A' },
      { name: 'fixed.lab.test', type: 'A', tcp: true },
    ]) {
      dnsExp.push(await runDig(t, call));
    }
    const node = await lab.exec('client', process.execPath, [script('../clients/node-client.js'), '--server', server.ip, '--local', nodeClientIp], { timeoutMs: 20_000 });
    const nodeOut = JSON.parse(node.stdout) as { http: ExpectedHttp[]; dns: ExpectedDns[] };

    const stats = await capture.stop();
    return {
      pcap,
      stats,
      expected: { capture: `${GOLDEN_NAME}.pcap`, note: GOLDEN_NOTE, http: [...httpExp, ...nodeOut.http], dns: [...dnsExp, ...nodeOut.dns] },
    };
  } finally {
    await lab.teardown();
  }
}

/** Writes the recording as fixtures: <dir>/<name>.pcap and <name>.expected.json. */
export async function saveGolden(rec: GoldenRecording, dir: string): Promise<void> {
  await copyFile(rec.pcap, join(dir, rec.expected.capture));
  await writeFile(join(dir, `${GOLDEN_NAME}.expected.json`), JSON.stringify(rec.expected, null, 2) + '\n');
}

/** tcpdump -r as a sanity check that the file is a complete capture. */
export async function countPackets(pcap: string): Promise<number> {
  const r = await run('tcpdump', ['-r', pcap, '-n', '-q'], { timeoutMs: 30_000 });
  return r.stdout.split('\n').filter((l) => l.trim() !== '').length;
}
