/**
 * The soak's report: one JSON document (everything, samples included) and
 * the tables printed from it.
 */
import { leaked, RSS_GROWTH_GOAL_PCT, type ProcessSummary } from './analysis.js';
import type { PodEvent } from './churn.js';
import type { Ledger } from './ledger.js';
import type { LogNote } from './log-notes.js';
import { KIND_LABELS } from './request-ids.js';
import type { ProcSample } from './sampler.js';

export interface HubRestart {
  /** Seconds since the load started. */
  at: number;
  /** From SIGTERM to the new hub serving. */
  downMs: number;
  /** From SIGTERM until every worker was connected to the new hub (null: not within the wait). */
  reconnectedMs: number | null;
  /** Per node: entries the worker held unacknowledged when it lost the hub (its log line), resent to the new hub. */
  heldAtLoss: Record<string, number>;
}

/** One hub process: what it stored, and the entries it got again (resent after a reconnect) and dropped as already stored. */
export interface HubInstance {
  instance: number;
  pid: number;
  stored: number;
  duplicatesDropped: number;
  retentionDeleted: number;
}

export interface WorkerCounters {
  node: string;
  captured: number;
  processed: number;
  duplicate: number;
  untargeted: number;
  kernelDrops: number;
  uplinkDropped: number;
  uplinkBuffered: number;
  /** The memory guard (worker /metrics): checks over 90% of --memory-cap, buffered bytes given up, connections closed early. */
  memoryShed: number;
  memoryShedBytes: number;
  memoryShedConnections: number;
}

export interface SoakReport {
  startedAt: string;
  options: Record<string, unknown>;
  machine: { cpus: number; node: string; kernel: string; loadAverageStart: number[]; loadAverageEnd: number[] };
  /** When the load started (t = 0), ms since the epoch; every `t` and `at` is seconds from here. */
  loadStartMs: number;
  /** Seconds of load (from the baseline sample to the end of the churn). */
  loadSeconds: number;
  setupSeconds: number;
  postgresStandIn: boolean;
  hubRestarts: HubRestart[];
  /** Counters of each hub process, read just before it stopped (retention deletes must be 0 for the ledger to hold). */
  hubInstances: HubInstance[];
  churn: { pods: number; captureWaitTimeouts: number; skippedTicks: number; failures: string[]; events: PodEvent[] };
  clients: { reports: number; sent: number; answered: number; failures: string[] };
  ledger: Ledger;
  workers: WorkerCounters[];
  /** Log lines of known kinds, counted per process (log-notes.ts). */
  logNotes: LogNote[];
  processes: ProcessSummary[];
  goals: { noneLost: boolean; noneDoubled: boolean; rssGrowthUnderGoal: boolean; noFdLeak: boolean; noThreadLeak: boolean; noTimerLeak: boolean };
  samples: ProcSample[];
}

export function goalsOf(r: Pick<SoakReport, 'ledger' | 'processes'>): SoakReport['goals'] {
  const lost = r.ledger.kinds.reduce((n, k) => n + k.lost.length, 0);
  const doubled = r.ledger.kinds.reduce((n, k) => n + k.doubled.length, 0) + r.ledger.duplicateEntryIds.length;
  return {
    noneLost: lost === 0,
    noneDoubled: doubled === 0,
    rssGrowthUnderGoal: r.processes.every((p) => p.rss.pct < RSS_GROWTH_GOAL_PCT),
    noFdLeak: !r.processes.some((p) => leaked(p.fds) || leaked(p.rings)),
    noThreadLeak: !r.processes.some((p) => leaked(p.threads)),
    noTimerLeak: !r.processes.some((p) => leaked(p.timers) || leaked(p.resources)),
  };
}

/** Columns before `textColumns` are left-aligned, the rest (numbers) right-aligned. */
function table(head: string[], rows: string[][], textColumns = 1): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i < textColumns ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [line(head), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

const mib = (kib: number): string => (kib / 1024).toFixed(1);
const signed = (x: number, digits: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
const span = (c: { first: number; last: number; max: number } | null): string => (c === null ? 'n/a' : `${c.first} → ${c.last} (${c.max})`);
const mark = (ok: boolean): string => (ok ? 'met' : 'NOT MET');
const procName = (p: ProcessSummary): string => `${p.proc}${p.proc === 'hub' ? ` #${p.instance}` : ''}`;

export function formatReport(r: SoakReport): string {
  const out: string[] = [];
  const min = (r.loadSeconds / 60).toFixed(1);
  out.push(`podtap soak: ${min} min of load after ${r.setupSeconds.toFixed(0)} s of setup; ${r.churn.pods} client pods created and deleted; hub restarted ${r.hubRestarts.length} times; ${r.machine.cpus} CPUs, load average ${r.machine.loadAverageStart[0]?.toFixed(1)} → ${r.machine.loadAverageEnd[0]?.toFixed(1)}`);
  out.push('');
  const rows = r.ledger.kinds.map((k) => [KIND_LABELS[k.kind], String(k.answered), String(k.stored), String(k.lost.length), String(k.doubled.length), String(k.extra.length)]);
  const sum = (f: (k: Ledger['kinds'][number]) => number) => String(r.ledger.kinds.reduce((n, k) => n + f(k), 0));
  rows.push(['total', sum((k) => k.answered), sum((k) => k.stored), sum((k) => k.lost.length), sum((k) => k.doubled.length), sum((k) => k.extra.length)]);
  out.push(table(['requests (clients vs hub)', 'answered', 'stored', 'lost', 'doubled', 'extra'], rows));
  for (const k of r.ledger.kinds) {
    if (k.lost.length > 0) out.push(`  ${k.kind} lost: ${k.lost.slice(0, 12).join(' ')}${k.lost.length > 12 ? ' …' : ''}`);
    if (k.doubled.length > 0) out.push(`  ${k.kind} doubled: ${k.doubled.slice(0, 6).map((d) => `${d.rid} (${d.ids.join(', ')})`).join('; ')}${k.doubled.length > 6 ? ' …' : ''}`);
  }
  for (const c of r.ledger.lostContext.slice(0, 5)) {
    const near = (x: typeof c.previous): string => (x === null ? 'none' : `${x.rid} at ${((x.timestamp - r.loadStartMs) / 60_000).toFixed(2)} min on ${x.connectionId}${x.flags.length > 0 ? ` [${x.flags.join(',')}]` : ''}`);
    out.push(`  around ${c.rid}: before ${near(c.previous)}; after ${near(c.next)}`);
  }
  if (r.ledger.duplicateEntryIds.length > 0) out.push(`  entry ids stored twice: ${r.ledger.duplicateEntryIds.slice(0, 10).join(' ')}`);
  out.push('');
  out.push(table(
    ['process', 'pid', 'sampled (min)', 'RSS w/o rings: warm → end (MiB)', 'growth', 'slope KiB/min', 'VmRSS: warm → end, max (MiB)', 'growth', 'slope KiB/min'],
    r.processes.map((p) => [
      procName(p), String(p.pid), `${(p.from / 60).toFixed(1)}–${(p.to / 60).toFixed(1)}`,
      `${mib(p.rss.warmKiB)} @${(p.warmedAt / 60).toFixed(1)} → ${mib(p.rss.endKiB)}`, `${signed(p.rss.pct, 1)}%`, signed(p.rss.slopeKiBPerMin, 0),
      `${mib(p.vmRss.warmKiB)} → ${mib(p.vmRss.endKiB)}, ${mib(p.vmRss.maxKiB)}`, `${signed(p.vmRss.pct, 1)}%`, signed(p.vmRss.slopeKiBPerMin, 0),
    ]),
  ));
  out.push('');
  out.push(table(
    ['reference → last (max)', 'fds', 'capture rings', 'threads', 'timers', 'active resources'],
    r.processes.map((p) => [procName(p), span(p.fds), span(p.rings), span(p.threads), span(p.timers), span(p.resources)]),
  ));
  out.push('');
  if (r.hubRestarts.length > 0) {
    out.push(table(['hub restart at (min)', 'down (ms)', 'workers back (ms)', 'entries held by the workers, resent'],
      r.hubRestarts.map((h) => [(h.at / 60).toFixed(1), String(h.downMs), h.reconnectedMs === null ? 'no' : String(h.reconnectedMs),
        Object.entries(h.heldAtLoss).map(([n, k]) => `${n} ${k}`).join(', ')])));
    out.push('');
  }
  out.push(table(['hub process', 'pid', 'entries stored', 'resent entries dropped as stored', 'deleted by retention'],
    r.hubInstances.map((h) => [`hub #${h.instance}`, String(h.pid), String(h.stored), String(h.duplicatesDropped), String(h.retentionDeleted)])));
  out.push('');
  out.push(table(['worker', 'captured', 'processed', 'duplicate', 'untargeted', 'kernel drops', 'uplink dropped', 'memory sheds', 'bytes shed', 'conns closed'],
    r.workers.map((w) => [w.node, String(w.captured), String(w.processed), String(w.duplicate), String(w.untargeted), String(w.kernelDrops), String(w.uplinkDropped),
      String(w.memoryShed), String(w.memoryShedBytes), String(w.memoryShedConnections)])));
  out.push('');
  if (r.logNotes.length > 0) {
    out.push(table(['from the logs', 'what', 'count'], r.logNotes.map((n) => [n.proc, n.what, String(n.count)]), 2));
    out.push('');
  }
  const g = r.goals;
  out.push(`goals: 0 lost ${mark(g.noneLost)} · 0 doubled ${mark(g.noneDoubled)} · RSS (without capture rings) growth < ${RSS_GROWTH_GOAL_PCT}% after warm-up ${mark(g.rssGrowthUnderGoal)} · no fd/ring leak ${mark(g.noFdLeak)} · no thread leak ${mark(g.noThreadLeak)} · no timer/handle leak ${mark(g.noTimerLeak)}`);
  const notes: string[] = [];
  if (r.churn.captureWaitTimeouts > 0) notes.push(`${r.churn.captureWaitTimeouts} churn pods ran without their capture confirmed open`);
  if (r.churn.failures.length > 0) notes.push(`${r.churn.failures.length} churn pods failed (soak side): ${r.churn.failures.slice(0, 3).join('; ')}`);
  if (r.clients.failures.length > 0) notes.push(`client failures: ${r.clients.failures.slice(0, 3).join('; ')}`);
  const retained = r.hubInstances.reduce((n, h) => n + h.retentionDeleted, 0);
  if (retained > 0) notes.push(`the hub deleted ${retained} entries by retention: the ledger cannot hold`);
  if (r.postgresStandIn) notes.push('PostgreSQL ran as the demo\'s stand-in');
  if (r.churn.skippedTicks > 0) notes.push(`${r.churn.skippedTicks} churn ticks skipped (too many pods alive)`);
  for (const n of notes) out.push(`note: ${n}`);
  return out.join('\n');
}
