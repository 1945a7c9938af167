/** The per-target table printed at the end of a run (and the JSON beside it). */
import type { TargetStats } from './stats.js';

const MIB = 1024 * 1024;

export const execsPerSecond = (s: TargetStats): number => (s.seconds > 0 ? s.execs / s.seconds : 0);

const COLUMNS: ReadonlyArray<readonly [string, (s: TargetStats) => string]> = [
  ['target', (s) => s.target],
  ['execs', (s) => String(s.execs)],
  ['execs/s', (s) => String(Math.round(execsPerSecond(s)))],
  ['seconds', (s) => s.seconds.toFixed(1)],
  ['corpus', (s) => `${s.corpus} (${s.seeds} seeds)`],
  ['blocks', (s) => String(s.blocks)],
  ['crashes', (s) => String(s.crashes)],
  ['hangs', (s) => String(s.hangs)],
  ['max heap', (s) => `${(s.maxHeapBytes / MIB).toFixed(0)} MiB`],
  ['slowest', (s) => `${s.slowestMs.toFixed(0)} ms`],
];

export function formatRow(s: TargetStats): string {
  return COLUMNS.map(([, f], i) => (i === 0 ? f(s).padEnd(10) : f(s).padStart(i === 4 ? 18 : 10))).join(' ');
}

export function formatReport(all: readonly TargetStats[], seed: number): string {
  const head = COLUMNS.map(([h], i) => (i === 0 ? h.padEnd(10) : h.padStart(i === 4 ? 18 : 10))).join(' ');
  const lines = [head, ...all.map(formatRow)];
  const execs = all.reduce((a, s) => a + s.execs, 0);
  const crashes = all.reduce((a, s) => a + s.crashes, 0);
  const hangs = all.reduce((a, s) => a + s.hangs, 0);
  lines.push(`total: ${execs} executions, ${crashes} crashes, ${hangs} hangs (seed ${seed})`);
  for (const s of all) {
    for (const sig of s.signatures) lines.push(`  ${s.target}: ${sig}`);
    for (const f of s.files) lines.push(`    saved ${f}`);
  }
  return lines.join('\n');
}
