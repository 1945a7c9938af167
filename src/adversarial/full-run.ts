/**
 * Every adversarial case at full size, each in its own child process
 * (`--max-old-space-size` at the cap, `--expose-gc`), with the pipeline's
 * limits sized from the cap (memory-budget.ts) and the worker's memory
 * guard checking every 10,000 packets, as `podtap worker --memory-cap`
 * runs them. Prints one row per case: peak RSS (the kernel's high-water
 * mark for the child) against the cap, live-byte growth, what was shed,
 * the limits hit, and any problem the case's checks found.
 *
 *   node dist/adversarial/full-run.js [--cap 512m] [--case NAME] [--scale 1] [--markdown]
 *
 * Exit status 1 when a case has problems or its peak RSS passed the cap.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Pipeline } from '../pipeline/pipeline.js';
import { DEFAULT_MEMORY_CAP_BYTES } from '../pipeline/memory-budget.js';
import { MemoryGuard } from '../pipeline/memory-guard.js';
import { CASES, runCase } from './cases.js';
import { mib, MiB, peakRssBytes } from './memory.js';

/** What a child reports, as one JSON line on stdout. */
interface CaseReport {
  name: string;
  what: string;
  scale: number;
  capBytes: number;
  packets: number;
  ms: number;
  peakRssBytes: number;
  /** Peak RSS of the child before the case ran (node, modules). */
  startRssBytes: number;
  peakLiveBytes: number;
  peakBufferedBytes: number;
  peakOpenConnections: number;
  limitsHit: Record<string, number>;
  /** Weirds that name a limit or a violation the attack caused. */
  weirds: Record<string, number>;
  shed: { count: number; bytes: number; connections: number };
  problems: string[];
  error?: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function parseCap(v: string | undefined): number {
  if (v === undefined) return DEFAULT_MEMORY_CAP_BYTES;
  const m = /^(\d+)([mg]?)$/i.exec(v);
  if (m === null) throw new Error(`--cap: expected a size like 512m, got ${v}`);
  return Number(m[1]) * (m[2]!.toLowerCase() === 'g' ? 1024 * MiB : m[2] === '' ? 1 : MiB);
}

function child(name: string, scale: number, capBytes: number): void {
  const c = CASES.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no case ${name}`);
  const startRssBytes = peakRssBytes();
  let guard: MemoryGuard | null = null;
  const tick = (p: Pipeline): void => {
    guard ??= new MemoryGuard(p, { capBytes, log: (l) => process.stderr.write(`${name}: ${l}\n`) });
    guard.check();
  };
  const report: CaseReport = {
    name, what: c.what, scale, capBytes, packets: 0, ms: 0, peakRssBytes: 0, startRssBytes, peakLiveBytes: 0, peakBufferedBytes: 0,
    peakOpenConnections: 0, limitsHit: {}, weirds: {}, shed: { count: 0, bytes: 0, connections: 0 }, problems: [],
  };
  try {
    const { result, problems } = runCase(c, scale, capBytes, { tick, tickEvery: 10_000 });
    Object.assign(report, {
      packets: result.packets, ms: Math.round(result.ms), peakLiveBytes: result.peakLiveBytes, peakBufferedBytes: result.peakBufferedBytes,
      peakOpenConnections: result.peakOpenConnections, limitsHit: result.stats.limitsHit, problems,
      weirds: Object.fromEntries(Object.entries(result.stats.weirds).filter(([k]) => NAMED_WEIRD.test(k))),
    });
  } catch (err) {
    report.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  const g = guard as MemoryGuard | null;
  if (g !== null) report.shed = { count: g.shedCount, bytes: g.shedBytes, connections: g.closedConnections };
  if (c.expectShed === true && scale >= 1 && report.shed.count === 0) report.problems.push('the memory guard never shed');
  report.peakRssBytes = peakRssBytes();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function runChild(name: string, scale: number, capBytes: number): CaseReport {
  const heapMb = Math.floor(capBytes / MiB);
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, '--expose-gc', fileURLToPath(import.meta.url), '--child', name, '--scale', String(scale), '--cap', String(capBytes)], {
    encoding: 'utf8', maxBuffer: 16 * MiB, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as CaseReport;
  } catch {
    return {
      name, what: '', scale, capBytes, packets: 0, ms: 0, peakRssBytes: 0, startRssBytes: 0, peakLiveBytes: 0, peakBufferedBytes: 0,
      peakOpenConnections: 0, limitsHit: {}, weirds: {}, shed: { count: 0, bytes: 0, connections: 0 }, problems: [],
      error: `child exited with ${r.status ?? r.signal} and no report`,
    };
  }
}

const LIMIT_NAMES_SHOWN = 4;
/** Weirds shown with the limits: the ones naming a limit or the violation an attack causes. */
const NAMED_WEIRD = /limit|bad_|too_deep|truncated|hpack_error|violation|unfinished|overlap/;

function limitsText(l: Record<string, number>): string {
  const e = Object.entries(l).sort((a, b) => b[1] - a[1]);
  const shown = e.slice(0, LIMIT_NAMES_SHOWN).map(([k, v]) => `${k} ×${v.toLocaleString('en-US')}`);
  return e.length > LIMIT_NAMES_SHOWN ? `${shown.join(', ')}, …` : shown.join(', ') || '—';
}

function verdict(r: CaseReport): string {
  if (r.error !== undefined) return `error: ${r.error}`;
  const parts: string[] = [];
  if (r.peakRssBytes > r.capBytes) parts.push('over the cap');
  if (r.problems.length > 0) parts.push(r.problems.join('; '));
  return parts.length === 0 ? 'ok' : parts.join('; ');
}

function table(reports: readonly CaseReport[]): string {
  const rows = [
    '| case | packets | time | peak RSS | RSS / cap | live growth | buffered peak | shed (count, bytes, conns) | limits hit | result |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|---|',
  ];
  for (const r of reports) {
    rows.push(`| ${r.name} | ${r.packets.toLocaleString('en-US')} | ${(r.ms / 1000).toFixed(1)} s | ${mib(r.peakRssBytes)} | ${Math.round((100 * r.peakRssBytes) / r.capBytes)}% | ${mib(r.peakLiveBytes)} | ${mib(r.peakBufferedBytes)} | ${r.shed.count}, ${mib(r.shed.bytes)}, ${r.shed.connections} | ${limitsText({ ...r.limitsHit, ...r.weirds })} | ${verdict(r)} |`);
  }
  return rows.join('\n');
}

function main(): number {
  const capBytes = parseCap(arg('--cap'));
  const scale = Number(arg('--scale') ?? '1');
  const only = arg('--child');
  if (only !== undefined) { child(only, scale, capBytes); return 0; }
  const pick = arg('--case');
  const reports: CaseReport[] = [];
  for (const c of CASES) {
    if (pick !== undefined && !c.name.includes(pick)) continue;
    process.stderr.write(`${c.name} …\n`);
    const r = runChild(c.name, scale, capBytes);
    process.stderr.write(`${c.name}: peak RSS ${mib(r.peakRssBytes)} of ${mib(capBytes)}, ${verdict(r)}\n`);
    reports.push(r);
  }
  process.stdout.write(`${table(reports)}\n`);
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(reports)}\n`);
  return reports.every((r) => verdict(r) === 'ok') ? 0 : 1;
}

process.exitCode = main();
