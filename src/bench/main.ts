/**
 * `npm run bench [-- --quick | --big | --rerecord | --packets N | --connections N | --rounds N]`
 *
 * 1. Records (or reuses from .bench/) a capture of >= --packets packets of
 *    keep-alive HTTP between two network namespaces (nginx ← wrk), with wrk's
 *    own counts of requests written and responses completed. Needs root.
 * 2. Times `podtap read --format jsonl --out /dev/null`, tshark, httpry and
 *    `tcpdump -r` on it, each pinned to CPU 1, with peak RSS from GNU time;
 *    --rounds (default 3) interleaved rounds, the fastest run of each tool
 *    kept (tshark: one run). --quick gives the peers (and podtap, for the
 *    ratio) a 100k-packet subset.
 * 3. Checks podtap's HTTP entry count against wrk's, prints PASS/FAIL, and
 *    writes everything to .bench/last.json.
 * --big instead builds a >= 1 GiB capture from repetitions (src/bench/big.ts)
 * and reports podtap's peak RSS on it (limit BIG_RSS_LIMIT_BYTES).
 * --live runs the live-capture load benchmark instead (src/bench/live.ts).
 * --hub runs the hub benchmark instead (src/bench/hub.ts): ingest, query latency, retention.
 * --protocols times podtap per protocol against HTTP/1 (src/bench/protocols.ts).
 * --ui measures the web UI in Chromium (ui/src/e2e/ui-bench.ts, compiled by ui/tsconfig.json).
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { run, which } from '../lab/proc.js';
import { podtapBin, podtapSkipReason } from '../lab/podtap-cli.js';
import { packageRoot } from '../util/paths.js';
import { BIG_MIN_BYTES, buildBigCapture, type BigCaptureInfo } from './big.js';
import { tallyPodtapEntries, type EntryTally } from './count-entries.js';
import { countPcapRecords } from './pcap-file.js';
import type { BenchCaptureMeta } from './record-http.js';
import { CAPTURE_NAME, ensureCapture } from './capture.js';
import { describeMachine, fastest, formatTable, mib, toResult, type ToolResult } from './report.js';
import { timeCommand } from './timing.js';

export const QUICK_PACKETS = 100_000;
export const BIG_RSS_LIMIT_BYTES = 500 * 2 ** 20;
/** The CPU every timed tool is pinned to. */
export const BENCH_CPU = '1';

const log = (line: string): void => void process.stdout.write(line + '\n');

async function podtapArgs(file: string): Promise<string[]> {
  const help = await run(process.execPath, [podtapBin(), 'read', '--help'], { check: false });
  const stats = `${help.stdout}${help.stderr}`.includes('--stats') ? ['--stats'] : [];
  return [process.execPath, podtapBin(), 'read', file, '--format', 'jsonl', '--out', '/dev/null', ...stats];
}

function peerCommands(file: string): Array<{ tool: string; argv: string[] }> {
  return [
    { tool: 'tshark', argv: ['tshark', '-r', file, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.method', '-e', 'http.request.uri', '-e', 'http.response.code'] },
    { tool: 'httpry', argv: ['httpry', '-q', '-r', file, '-o', '/dev/null'] },
    { tool: 'tcpdump', argv: ['tcpdump', '-r', file, '-w', '/dev/null'] },
  ];
}

interface CountCheck {
  pass: boolean;
  wrk: { sent: number; completed: number; non2xx: number };
  podtap: EntryTally;
  problems: string[];
}

/** podtap must show every request wrk wrote; the ones wrk did not complete may be no-response. */
function checkCounts(meta: BenchCaptureMeta, t: EntryTally): CountCheck {
  const w = meta.wrk;
  const problems: string[] = [];
  const lateMax = meta.connections * meta.rounds; // at most one in-flight request per connection at wrk's stop
  if (t.httpRequests !== w.sent) problems.push(`podtap requests ${t.httpRequests} != wrk requests written ${w.sent}`);
  if (t.httpComplete < w.completed) problems.push(`podtap complete exchanges ${t.httpComplete} < wrk completed ${w.completed}`);
  if (t.httpComplete - w.completed > lateMax) problems.push(`podtap complete exchanges exceed wrk completed by ${t.httpComplete - w.completed} (> ${lateMax} in flight)`);
  if (t.httpNoResponse !== t.httpRequests - t.httpComplete) problems.push(`no-response ${t.httpNoResponse} != requests - complete ${t.httpRequests - t.httpComplete}`);
  if (t.httpNon200 !== w.non2xx) problems.push(`podtap non-200 responses ${t.httpNon200} != wrk non-2xx ${w.non2xx}`);
  return { pass: problems.length === 0, wrk: { sent: w.sent, completed: w.completed, non2xx: w.non2xx }, podtap: t, problems };
}

async function runBig(dir: string, meta: BenchCaptureMeta, count: boolean): Promise<number> {
  const file = join(dir, 'big.pcap');
  const infoFile = join(dir, 'big.json');
  let info: BigCaptureInfo | undefined;
  if (existsSync(file) && existsSync(infoFile)) {
    const old = JSON.parse(await readFile(infoFile, 'utf8')) as BigCaptureInfo & { sourceRecordedAt?: string };
    if (old.sourceRecordedAt === meta.recordedAt && statSync(file).size === old.bytes && old.bytes >= BIG_MIN_BYTES) info = old;
  }
  if (info) log(`big capture: reusing ${file} (${mib(info.bytes)}, ${info.repetitions} repetitions)`);
  else {
    log(`big capture: writing >= ${mib(BIG_MIN_BYTES)} to ${file}…`);
    info = await buildBigCapture(meta.file, file, BIG_MIN_BYTES, log);
    await writeFile(infoFile, JSON.stringify({ ...info, sourceRecordedAt: meta.recordedAt }, null, 2) + '\n');
  }
  const t = await timeCommand('podtap', await podtapArgs(file), { cpu: BENCH_CPU });
  const r = toResult(t, `big ${mib(info.bytes)}`, info.packets);
  r.podtapRatio = 1;
  log('\n' + formatTable([r]));
  if (t.stderr.trim()) log(`\npodtap --stats:\n${t.stderr.trim()}`);
  const rssOk = t.maxRssBytes !== undefined && t.maxRssBytes < BIG_RSS_LIMIT_BYTES && t.exitCode === 0;
  log(`\npeak RSS ${mib(t.maxRssBytes)} (limit ${mib(BIG_RSS_LIMIT_BYTES)}): ${rssOk ? 'PASS' : 'FAIL'}`);
  let countOk = true;
  let tally: EntryTally | undefined;
  if (count) {
    tally = await tallyPodtapEntries(podtapBin(), file);
    countOk = tally.httpRequests === meta.wrk.sent * info.repetitions;
    log(`HTTP requests: podtap ${tally.httpRequests}, wrk ${meta.wrk.sent} × ${info.repetitions} = ${meta.wrk.sent * info.repetitions}: ${countOk ? 'PASS' : 'FAIL'}`);
  }
  await writeFile(join(dir, 'last-big.json'), JSON.stringify({ machine: describeMachine(), big: info, result: r, rssLimitBytes: BIG_RSS_LIMIT_BYTES, pass: rssOk && countOk, tally }, null, 2) + '\n');
  return rssOk && countOk ? 0 : 1;
}

/** The UI bench is compiled with the UI (ui/tsconfig.json), not with src/. */
async function uiBench(argv: string[]): Promise<number> {
  const file = join(packageRoot(), 'dist', 'ui-test', 'ui', 'src', 'e2e', 'ui-bench.js');
  if (!existsSync(file)) { process.stdout.write('ui bench: not built (npm run bench builds it)\n'); return 1; }
  const mod = (await import(pathToFileURL(file).href)) as { runUiBench: (a: string[]) => Promise<number> };
  return mod.runUiBench(argv);
}

async function main(): Promise<number> {
  if (process.argv.includes('--live')) return (await import('./live.js')).runLiveBench(process.argv.slice(2));
  if (process.argv.includes('--hub')) return (await import('./hub.js')).runHubBench(process.argv.slice(2));
  if (process.argv.includes('--ui')) return uiBench(process.argv.slice(2));
  if (process.argv.includes('--protocols')) return (await import('./protocols.js')).runProtocolBench(process.argv.slice(2));
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      big: { type: 'boolean', default: false },
      count: { type: 'boolean', default: false },
      rerecord: { type: 'boolean', default: false },
      packets: { type: 'string', default: '500000' },
      connections: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const m = describeMachine();
  log(`podtap bench — ${m.date}\nmachine: ${m.nproc} CPUs, ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}`);
  const packets = Number(values.packets);
  const connections = Number(values.connections);
  if (!Number.isSafeInteger(packets) || packets < 1000) throw new Error(`--packets: expected a whole number >= 1000, got ${values.packets}`);
  if (!Number.isSafeInteger(connections) || connections < 1 || connections > 1000) throw new Error(`--connections: expected 1 to 1000, got ${values.connections}`);
  const rounds = Number(values.rounds);
  if (!Number.isSafeInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`--rounds: expected 1 to 20, got ${values.rounds}`);
  const dir = join(packageRoot(), '.bench');
  await mkdir(dir, { recursive: true });
  const meta = await ensureCapture(dir, packets, connections, values.rerecord ?? false);
  const podtapReason = podtapSkipReason();
  if (podtapReason !== undefined) throw new Error(`podtap CLI unavailable: ${podtapReason}`);
  if (values.big) return runBig(dir, meta, values.count ?? false);

  const inputs = [{ name: 'full', file: meta.file, packets: meta.packets }];
  if (values.quick) {
    const file = join(dir, CAPTURE_NAME.replace(/\.pcap$/, `-${QUICK_PACKETS / 1000}k.pcap`));
    if (!existsSync(file) || statSync(file).mtimeMs < statSync(meta.file).mtimeMs) await run('tcpdump', ['-Z', 'root', '-r', meta.file, '-c', String(QUICK_PACKETS), '-w', file]);
    inputs.push({ name: `first ${QUICK_PACKETS / 1000}k`, file, packets: (await countPcapRecords(file)).records });
  }
  const peerInput = inputs[inputs.length - 1]!;
  // Rounds, the tools interleaved, fastest run kept: this machine's speed drifts by tens of
  // percent within minutes, and a slow spell should not land on one tool only. tshark
  // (slowest by far, ~10× behind) runs in the first round only.
  const best = new Map<string, ToolResult>();
  const keep = (r: ToolResult): void => void best.set(`${r.tool}\0${r.input}`, fastest(best.get(`${r.tool}\0${r.input}`), r));
  let podtapStats = '';
  for (let round = 1; round <= rounds; round++) {
    for (const input of inputs) {
      await countPcapRecords(input.file); // warm the page cache so every tool reads from memory
      log(`round ${round}/${rounds}: timing podtap on ${input.name}…`);
      const t = await timeCommand('podtap', await podtapArgs(input.file), { cpu: BENCH_CPU });
      if (input === inputs[0] && (podtapStats === '' || t.wallSeconds < (best.get(`podtap\0${input.name}`)?.wallSeconds ?? Infinity))) podtapStats = t.stderr.trim();
      keep(toResult(t, input.name, input.packets));
    }
    for (const peer of peerCommands(peerInput.file)) {
      if (!which(peer.tool)) {
        if (round === 1) log(`skipping ${peer.tool}: not installed`);
        continue;
      }
      if (peer.tool === 'tshark' && round > 1) continue;
      log(`round ${round}/${rounds}: timing ${peer.tool} on ${peerInput.name}…`);
      keep(toResult(await timeCommand(peer.tool, peer.argv, { cpu: BENCH_CPU }), peerInput.name, peerInput.packets));
    }
  }
  const results = [...best.values()];
  for (const r of results) {
    const pt = results.find((p) => p.tool === 'podtap' && p.input === r.input);
    r.podtapRatio = pt ? pt.packetsPerSecond / r.packetsPerSecond : undefined;
  }
  log('counting podtap entries…');
  const check = checkCounts(meta, await tallyPodtapEntries(podtapBin(), meta.file));

  log(`\npodtap bench — ${m.date}`);
  log(`machine: nproc ${m.nproc}, ${m.cpuModel}; every tool pinned with taskset -c ${BENCH_CPU}; fastest of ${rounds} interleaved round(s) (tshark: 1)`);
  log(`capture: ${meta.file}: ${meta.packets} packets, ${mib(meta.bytes)}, ${meta.server} ← wrk -c ${meta.connections}, ${meta.rounds} round(s) / ${meta.seconds}s, tcpdump dropped ${meta.tcpdump.droppedByKernel}\n`);
  log(formatTable(results));
  if (podtapStats) log(`\npodtap --stats (full):\n${podtapStats}`);
  const t = check.podtap;
  log(`\nHTTP entries: podtap ${t.httpRequests} requests (${t.httpComplete} complete + ${t.httpNoResponse} no-response); wrk wrote ${check.wrk.sent}, completed ${check.wrk.completed} (+${check.wrk.sent - check.wrk.completed} in flight at stop)`);
  log(`flags: ${JSON.stringify(t.flags)}`);
  log(`${check.pass ? 'PASS' : 'FAIL'}${check.problems.length ? ': ' + check.problems.join('; ') : ''}`);
  const failedTools = results.filter((r) => r.exitCode !== 0).map((r) => `${r.tool} exited ${r.exitCode}`);
  if (failedTools.length) log(`tool failures: ${failedTools.join(', ')}`);
  await writeFile(join(dir, 'last.json'), JSON.stringify({ machine: m, pinnedCpu: BENCH_CPU, capture: meta, quick: values.quick, results, check }, null, 2) + '\n');
  log(`results written to ${join(dir, 'last.json')}`);
  return check.pass && results.every((r) => r.tool !== 'podtap' || r.exitCode === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
