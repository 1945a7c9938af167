/** Machine description and the plain-text results table of the benchmark. */
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import type { Timing } from './timing.js';

export interface Machine {
  date: string;
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  node: string;
}

export function describeMachine(): Machine {
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
  };
}

export interface ToolResult {
  tool: string;
  /** Which file it read: full capture or the quick subset. */
  input: string;
  packets: number;
  wallSeconds: number;
  packetsPerSecond: number;
  maxRssBytes: number | undefined;
  exitCode: number | null;
  /** podtap packets/s divided by this tool's packets/s (1 for podtap itself). */
  podtapRatio: number | undefined;
  argv: string[];
  /** Wall time of every run (rounds); `wallSeconds` is the fastest. */
  runs: number[];
}

/** Keeps the fastest of two runs of one tool on one input, with every run's time. */
export function fastest(a: ToolResult | undefined, b: ToolResult): ToolResult {
  if (a === undefined) return b;
  const runs = [...a.runs, ...b.runs];
  const best = b.exitCode === 0 && (a.exitCode !== 0 || b.wallSeconds < a.wallSeconds) ? b : a;
  return { ...best, runs };
}

export function toResult(t: Timing, input: string, packets: number): ToolResult {
  return {
    tool: t.tool,
    input,
    packets,
    wallSeconds: t.wallSeconds,
    packetsPerSecond: packets / t.wallSeconds,
    maxRssBytes: t.maxRssBytes,
    exitCode: t.exitCode,
    podtapRatio: undefined,
    argv: t.argv,
    runs: [t.wallSeconds],
  };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const mib = (b: number | undefined): string => (b === undefined ? 'n/a' : `${(b / 2 ** 20).toFixed(0)} MiB`);

function ratio(r: ToolResult): string {
  if (r.podtapRatio === undefined) return '-';
  if (r.tool === 'podtap') return '1.00×';
  return r.podtapRatio >= 1 ? `${r.podtapRatio.toFixed(2)}× faster` : `${(1 / r.podtapRatio).toFixed(2)}× slower`;
}

export function formatTable(rows: readonly ToolResult[]): string {
  const head = ['tool', 'input', 'packets', 'wall s', 'packets/s', 'peak RSS', 'podtap vs tool', 'exit', 'runs (wall s)'];
  const body = rows.map((r) => [r.tool, r.input, int(r.packets), r.wallSeconds.toFixed(2), int(r.packetsPerSecond), mib(r.maxRssBytes), ratio(r), String(r.exitCode), r.runs.map((w) => w.toFixed(2)).join(' ')]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
