/**
 * One row of the live benchmark (a load run with its workers), the three
 * checks on it, and the plain-text table.
 */
import type { EntryTally } from './count-entries.js';
import type { WorkerCounters } from './live-worker.js';

/** The bar: unique (processed) packets of keep-alive HTTP per second. */
export const LIVE_MIN_PACKETS_PER_SECOND = 100_000;

export interface LiveRow {
  scenario: string;
  /** wrk pod → nginx pod, and the nodes whose workers ran. */
  path: string;
  nodes: string[];
  /** What made the traffic: `wrk -c 50`, or `tcpreplay 200k pps × 12` (live-replay.ts). */
  load: string;
  /** Connections that may have a request in flight at the stop (wrk -c; the recording's -c × repetitions for a replay). */
  connections: number;
  /** The load's wall time (wrk or tcpreplay): the window the rates are over. */
  seconds: number;
  /** Counter deltas from just before wrk to after the drain, summed over workers. */
  counters: WorkerCounters;
  capturedPerSecond: number;
  processedPerSecond: number;
  /** utime+stime of the worker processes over the same window. */
  workerCpuSeconds: number;
  /** Of one core. */
  workerCpuPercent: number;
  usPerCapturedPacket: number;
  usPerProcessedPacket: number;
  /** Busy share of each CPU over the window (all processes, softirq included), from /proc/stat. */
  cpuBusyPercent: Record<string, number>;
  /** The client side's counts: wrk's own, or the recording's wrk counts × repetitions for a replay. */
  wrk: { sent: number; completed: number; reported: number; non2xx: number; socketErrors: string };
  entries: EntryTally;
  checks: { noDrops: boolean; rate: boolean; entries: boolean };
  problems: string[];
  pass: boolean;
}

/**
 * Every request wrk wrote must be one HTTP entry; at wrk's stop up to one
 * request per connection is in flight (written, response not read by wrk),
 * so complete entries may exceed wrk's completed count by at most
 * `connections`, and those not answered show as no-response.
 */
export function checkRow(r: Omit<LiveRow, 'checks' | 'problems' | 'pass'>): LiveRow {
  const problems: string[] = [];
  const t = r.entries;
  const w = r.wrk;
  const noDrops = r.counters.kernelDrops === 0;
  if (!noDrops) problems.push(`${r.counters.kernelDrops} kernel drops`);
  const rate = r.processedPerSecond >= LIVE_MIN_PACKETS_PER_SECOND;
  if (!rate) problems.push(`${Math.round(r.processedPerSecond)} packets/s < ${LIVE_MIN_PACKETS_PER_SECOND}`);
  const entryProblems: string[] = [];
  if (t.httpRequests !== w.sent) entryProblems.push(`HTTP requests ${t.httpRequests} != wrk written ${w.sent}`);
  if (t.httpComplete < w.completed) entryProblems.push(`complete ${t.httpComplete} < wrk completed ${w.completed}`);
  if (t.httpComplete - w.completed > r.connections) entryProblems.push(`complete exceeds wrk completed by ${t.httpComplete - w.completed} (> ${r.connections} in flight)`);
  if (t.total !== t.http) entryProblems.push(`${t.total - t.http} non-HTTP entries`);
  if (r.counters.untargeted !== 0) entryProblems.push(`${r.counters.untargeted} untargeted packets reached user space`);
  problems.push(...entryProblems);
  const checks = { noDrops, rate, entries: entryProblems.length === 0 };
  return { ...r, checks, problems, pass: noDrops && rate && checks.entries };
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');

export function formatLiveTable(rows: readonly LiveRow[]): string {
  const head = ['row', 'load', 'secs', 'captured/s', 'processed/s', 'duplicate', 'untargeted', 'drops', 'worker CPU', 'µs/captured', 'µs/processed', 'entries', 'wrk written', 'wrk completed', 'drops 0', '≥100k/s', 'entries'];
  const body = rows.map((r) => [
    r.scenario, r.load, r.seconds.toFixed(1), int(r.capturedPerSecond), int(r.processedPerSecond),
    int(r.counters.duplicate), int(r.counters.untargeted), int(r.counters.kernelDrops), `${r.workerCpuPercent.toFixed(0)}%`,
    r.usPerCapturedPacket.toFixed(2), r.usPerProcessedPacket.toFixed(2), int(r.entries.httpRequests), int(r.wrk.sent), int(r.wrk.completed),
    verdict(r.checks.noDrops), verdict(r.checks.rate), verdict(r.checks.entries),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 1 && i <= 13 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
