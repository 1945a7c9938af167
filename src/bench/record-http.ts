/**
 * Records the benchmark capture: real keep-alive HTTP/1.1 traffic between two
 * lab namespaces. nginx (or, when it is missing, the lab's Node server) runs
 * in `server` pinned to CPU 0, wrk runs in `client` pinned to CPU 1, and
 * tcpdump writes every packet seen on the client's veth. wrk runs in rounds
 * until the file holds the target number of packets; a Lua script counts the
 * requests wrk wrote and the responses it completed, so the entry count podtap
 * must find is known from the client side.
 *
 * Steps: 1. lab + server, wait until it answers (before capturing);
 * 2. tcpdump (big buffer, not immediate mode); 3. wrk rounds; 4. wait for the
 * connections to close, stop tcpdump, refuse a capture with drops.
 */
import { rename, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Lab } from '../lab/netns.js';
import { run, sleep, waitForOutput, which } from '../lab/proc.js';
import { startCapture, type CaptureStats } from '../lab/record.js';
import { countPcapRecords } from './pcap-file.js';
import { NGINX_PORT, nginxConf, parseWrk, WRK_LUA, type WrkCounts } from './http-load.js';

export const SERVER_CPU = '0';
export const CLIENT_CPU = '1';
/** tcpdump kernel buffer (-B, KiB): large enough that a 2-core box drops nothing. */
export const CAPTURE_BUFFER_KIB = 512 * 1024;
export const FIRST_ROUND_SECONDS = 5;
export const MAX_ROUND_SECONDS = 30;
export const MAX_ROUNDS = 10;
/** Time for FIN/ACK exchanges after wrk exits, before tcpdump is stopped. */
const CLOSE_SETTLE_MS = 500;

export interface BenchCaptureMeta {
  file: string;
  packets: number;
  bytes: number;
  server: string;
  connections: number;
  rounds: number;
  seconds: number;
  wrk: WrkCounts;
  tcpdump: CaptureStats;
  recordedAt: string;
}

export interface RecordOptions {
  dir: string;
  file: string;
  targetPackets: number;
  connections: number;
  log: (line: string) => void;
}

async function startServer(lab: Lab, dir: string): Promise<string> {
  const ip = lab.node('server').ip;
  if (which('nginx')) {
    const ngDir = join(dir, 'nginx');
    await mkdir(ngDir, { recursive: true });
    await writeFile(join(ngDir, 'nginx.conf'), nginxConf(ngDir, ip));
    const child = lab.spawn('server', 'nginx', ['-e', 'stderr', '-p', ngDir, '-c', join(ngDir, 'nginx.conf')], { cpu: SERVER_CPU });
    child.stdout?.resume();
    child.stderr?.resume();
    const v = await run('nginx', ['-v'], { check: false });
    return (/nginx\/\S+/.exec(v.stderr)?.[0] ?? 'nginx');
  }
  const script = fileURLToPath(new URL('../lab/servers/http-server.js', import.meta.url));
  const child = lab.spawn('server', process.execPath, [script, '--host', ip, '--port', String(NGINX_PORT)], { cpu: SERVER_CPU });
  await waitForOutput(child, /listening /, 10_000);
  child.stdout?.resume();
  child.stderr?.resume();
  return `node ${process.version} http (nginx not installed)`;
}

async function waitUntilServing(lab: Lab, url: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = await lab.exec('client', 'curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', url], { check: false, timeoutMs: 5_000 });
    if (r.stdout === '200') return;
    await sleep(100);
  }
  throw new Error(`the benchmark server never answered ${url}`);
}

export async function recordHttpCapture(o: RecordOptions): Promise<BenchCaptureMeta> {
  const lab = await Lab.create({ nodes: ['server', 'client'] });
  try {
    const server = await startServer(lab, o.dir);
    const url = `http://${lab.node('server').ip}/`;
    await waitUntilServing(lab, url);
    const lua = join(o.dir, 'wrk-count.lua');
    await writeFile(lua, WRK_LUA);
    const partial = `${o.file}.partial`;
    const capture = await startCapture({ lab, where: 'client', iface: 'eth0', file: partial, bufferKiB: CAPTURE_BUFFER_KIB, immediate: false });
    const total: WrkCounts = { sent: 0, completed: 0, reported: 0, non2xx: 0, socketErrors: '' };
    let seconds = 0;
    let rounds = 0;
    let packets = 0;
    let next = FIRST_ROUND_SECONDS;
    while (packets < o.targetPackets && rounds < MAX_ROUNDS) {
      const args = ['-t', '1', '-c', String(o.connections), '-d', `${next}s`, '-H', 'Connection: keep-alive', '-s', lua, url];
      const r = await lab.exec('client', 'wrk', args, { cpu: CLIENT_CPU, timeoutMs: (next + 30) * 1000 });
      const w = parseWrk(r.stdout);
      total.sent += w.sent;
      total.completed += w.completed;
      total.reported += w.reported;
      total.non2xx += w.non2xx;
      total.socketErrors += `${total.socketErrors ? '; ' : ''}${w.socketErrors}`;
      seconds += next;
      rounds++;
      await sleep(1_200); // let tcpdump's ring hand over the last block before counting
      packets = (await countPcapRecords(partial)).records;
      o.log(`  round ${rounds}: wrk ${next}s, ${w.completed} responses, capture now ${packets} packets`);
      const rate = packets / seconds;
      next = Math.min(MAX_ROUND_SECONDS, Math.max(2, Math.ceil(((o.targetPackets * 1.05 - packets) / rate))));
    }
    await sleep(CLOSE_SETTLE_MS);
    const stats = await capture.stop();
    if (stats.droppedByKernel > 0) throw new Error(`tcpdump dropped ${stats.droppedByKernel} packets; the capture is incomplete (raise CAPTURE_BUFFER_KIB or lower --connections)`);
    const scan = await countPcapRecords(partial);
    if (scan.records !== stats.captured || scan.truncatedTail) throw new Error(`capture file holds ${scan.records} packets, tcpdump reported ${stats.captured}`);
    if (scan.records < o.targetPackets) throw new Error(`only ${scan.records} packets after ${rounds} rounds (target ${o.targetPackets})`);
    await rename(partial, o.file);
    return { file: o.file, packets: scan.records, bytes: scan.bytes, server, connections: o.connections, rounds, seconds, wrk: total, tcpdump: stats, recordedAt: new Date().toISOString() };
  } finally {
    await lab.teardown();
  }
}
