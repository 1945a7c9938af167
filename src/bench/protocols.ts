/**
 * `npm run bench -- --protocols [--quick]`: podtap's throughput per protocol.
 *
 * Each protocol's recording of real client/server traffic (fixtures/<proto>/)
 * is repeated into a capture of at least as many packets as the HTTP/1
 * baseline (and at least --packets), fresh connections per repetition
 * (src/bench/big.ts): every run then pays the same start-up (loading
 * podtap) for the same number of packets. Then `podtap read --format
 * jsonl --out /dev/null` is timed on it, pinned to one core, in rounds that
 * interleave every protocol and the baseline (the fastest run of each
 * kept), and the result is compared with HTTP/1 on the keep-alive
 * benchmark capture in the same run. The target is "within a factor of 2 of HTTP/1", in packets/s or in
 * bytes/s: protocols whose recordings carry 64 KiB loopback segments (AMQP
 * bodies, HTTP/2 DATA) move many bytes per packet.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { podtapBin } from '../lab/podtap-cli.js';
import { fixturePath, packageRoot } from '../util/paths.js';
import { repeatCapture } from './big.js';
import { countPcapRecords } from './pcap-file.js';
import { timeCommand } from './timing.js';
import { tallyPodtapEntries } from './count-entries.js';
import { CAPTURE_NAME } from './capture.js';
/** The CPU the timed runs are pinned to (as in main.ts). */
const BENCH_CPU = '1';

const log = (line: string): void => void process.stdout.write(line + '\n');

/** Protocol → its recording of real traffic. */
export const PROTOCOL_CAPTURES: ReadonlyArray<{ protocol: string; file: string }> = [
  { protocol: 'http2', file: fixturePath('http2', 'node-h2c.pcap') },
  { protocol: 'grpc', file: fixturePath('http2', 'grpc-js.pcap') },
  { protocol: 'redis', file: fixturePath('redis', 'live.pcap') },
  { protocol: 'mysql', file: fixturePath('mysql', 'mysql2-session.pcap') },
  { protocol: 'postgres', file: fixturePath('postgres', 'live.pcap') },
  { protocol: 'amqp', file: fixturePath('amqp', 'amqplib.pcap') },
  { protocol: 'mqtt', file: fixturePath('mqtt', 'mqttjs.pcap') },
  { protocol: 'tls', file: fixturePath('tls', 'node-lo.pcap') },
  { protocol: 'websocket', file: fixturePath('websocket', 'ws-deflate.pcap') },
  { protocol: 'icmp', file: fixturePath('icmp', 'lo-ping.pcap') },
  { protocol: 'kafka', file: fixturePath('kafka', 'kafkajs.pcap') },
  { protocol: 'mongodb', file: fixturePath('mongodb', 'driver.pcap') },
];

interface Row { protocol: string; packets: number; bytes: number; seconds: number; entries: number }

async function timeRead(file: string): Promise<{ seconds: number }> {
  const t = await timeCommand('podtap', [process.execPath, podtapBin(), 'read', file, '--format', 'jsonl', '--out', '/dev/null'], { cpu: BENCH_CPU });
  if (t.exitCode !== 0) throw new Error(`podtap read ${file} failed: ${t.stderr.slice(0, 300)}`);
  return { seconds: t.wallSeconds };
}

export async function runProtocolBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { protocols: { type: 'boolean' }, quick: { type: 'boolean', default: false }, packets: { type: 'string' } }, strict: false });
  const minPackets = Number(values.packets ?? (values.quick === true ? 30_000 : 200_000));
  const dir = join(packageRoot(), '.bench', 'protocols');
  await mkdir(dir, { recursive: true });
  const rows: Row[] = [];
  // The baseline: the keep-alive benchmark capture when `npm run bench` recorded it, else the golden HTTP/1 recording repeated.
  const recorded = join(packageRoot(), '.bench', CAPTURE_NAME);
  const http1 = existsSync(recorded) ? recorded : fixturePath('golden', 'lab-http-dns.pcap');
  const inputs = [{ protocol: 'http (HTTP/1 baseline)', file: http1 }, ...PROTOCOL_CAPTURES.filter((c) => existsSync(c.file))];
  let want = minPackets;
  const prepared: Array<{ protocol: string; target: string; packets: number; bytes: number }> = [];
  for (const { protocol, file } of inputs) {
    let target = file;
    if (file !== recorded) {
      const src = await countPcapRecords(file);
      target = join(dir, `${protocol.split(' ')[0]}.pcap`);
      const reps = Math.max(1, Math.ceil(want / Math.max(1, src.records)));
      if (!existsSync(target) || statSync(target).mtimeMs < statSync(file).mtimeMs || (await countPcapRecords(target)).records < want) {
        await repeatCapture(file, target, { repetitions: reps });
      }
    }
    const scan = await countPcapRecords(target);
    if (prepared.length === 0 && values.quick !== true) want = Math.max(minPackets, scan.records); // the baseline's size, for the rest
    prepared.push({ protocol, target, packets: scan.records, bytes: scan.bytes });
  }
  // Rounds interleaved (baseline, every protocol, then again): the machine's speed drifts within minutes,
  // and each row keeps its fastest run, so every row is measured across the same stretch of time.
  const best = prepared.map(() => Infinity);
  for (let r = 0; r < (values.quick === true ? 1 : 3); r++) {
    for (let i = 0; i < prepared.length; i++) best[i] = Math.min(best[i]!, (await timeRead(prepared[i]!.target)).seconds);
  }
  for (let i = 0; i < prepared.length; i++) {
    const p = prepared[i]!;
    const tally = await tallyPodtapEntries(podtapBin(), p.target);
    rows.push({ protocol: p.protocol, packets: p.packets, bytes: p.bytes, seconds: best[i]!, entries: tally.total });
  }
  const base = rows.find((r) => r.protocol.startsWith('http (HTTP/1'));
  log('| protocol | packets | MiB | entries | packets/s | MiB/s | vs HTTP/1 (packets/s, MiB/s) | within 2× |');
  log('|---|---|---|---|---|---|---|---|');
  let pass = true;
  for (const r of rows) {
    const pps = r.packets / r.seconds, mbs = r.bytes / 2 ** 20 / r.seconds;
    const rp = base === undefined ? NaN : pps / (base.packets / base.seconds);
    const rb = base === undefined ? NaN : mbs / (base.bytes / 2 ** 20 / base.seconds);
    const ok = r === base || rp >= 0.5 || rb >= 0.5;
    if (!ok) pass = false;
    log(`| ${r.protocol} | ${r.packets.toLocaleString('en-US')} | ${(r.bytes / 2 ** 20).toFixed(1)} | ${r.entries.toLocaleString('en-US')} | ${Math.round(pps).toLocaleString('en-US')} | ${mbs.toFixed(1)} | ${rp.toFixed(2)}×, ${rb.toFixed(2)}× | ${r === base ? '—' : ok ? 'yes' : 'NO'} |`);
  }
  if (!existsSync(recorded)) log('(HTTP/1 baseline: the golden recording repeated; `npm run bench` records the keep-alive capture used otherwise)');
  log(`protocol bench: ${pass ? 'PASS' : 'FAIL'} (each protocol within a factor of 2 of HTTP/1, in packets/s or MiB/s)`);
  return pass ? 0 : 1;
}
