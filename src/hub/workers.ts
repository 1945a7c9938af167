/**
 * What the hub knows of its workers: one record per node, fed by the
 * ingest stream (hello, batches, state). Counters of a node's earlier runs
 * (a restarted worker starts from 0) are kept as a base, so the sums the
 * hub exports never go backwards.
 */
import type { WorkerCounters, WorkerState } from './protocol.js';

export interface WorkerRecord {
  node: string;
  runId: string;
  version: string;
  connected: boolean;
  connectedAt: number;
  lastSeen: number;
  /** Batches and entries received on this run (resends included). */
  batches: number;
  entries: number;
  state: WorkerState | null;
}

const COUNTER_KEYS = ['captured', 'processed', 'duplicate', 'untargeted', 'kernelDrops', 'uplinkDropped'] as const;
export type SummedCounter = (typeof COUNTER_KEYS)[number];

export class WorkerRegistry {
  private readonly records = new Map<string, WorkerRecord>();
  /** Per node: counters of runs that ended. */
  private readonly base = new Map<string, { counters: Record<SummedCounter, number>; entries: Record<string, number> }>();

  constructor(private readonly now: () => number = Date.now) {}

  hello(node: string, runId: string, version: string): WorkerRecord {
    const old = this.records.get(node);
    if (old !== undefined && old.runId !== runId && old.state !== null) this.retire(node, old.state.counters);
    const rec: WorkerRecord = old !== undefined && old.runId === runId
      ? { ...old, connected: true, connectedAt: this.now(), lastSeen: this.now() }
      : { node, runId, version, connected: true, connectedAt: this.now(), lastSeen: this.now(), batches: 0, entries: 0, state: null };
    this.records.set(node, rec);
    return rec;
  }

  private retire(node: string, c: WorkerCounters): void {
    const b = this.base.get(node) ?? { counters: { captured: 0, processed: 0, duplicate: 0, untargeted: 0, kernelDrops: 0, uplinkDropped: 0 }, entries: {} };
    for (const k of COUNTER_KEYS) b.counters[k] += c[k];
    for (const [p, n] of Object.entries(c.entries)) b.entries[p] = (b.entries[p] ?? 0) + n;
    this.base.set(node, b);
  }

  batch(node: string, entries: number): void {
    const r = this.records.get(node);
    if (r === undefined) return;
    r.batches++;
    r.entries += entries;
    r.lastSeen = this.now();
  }

  state(node: string, s: WorkerState): void {
    const r = this.records.get(node);
    if (r === undefined) return;
    r.state = s;
    r.lastSeen = this.now();
  }

  disconnected(node: string, runId: string): void {
    const r = this.records.get(node);
    if (r !== undefined && r.runId === runId) r.connected = false;
  }

  list(): WorkerRecord[] {
    return [...this.records.values()].sort((a, b) => a.node.localeCompare(b.node));
  }

  /** Per node, a counter summed over all its runs. */
  summed(key: SummedCounter): Array<[string, number]> {
    const nodes = new Set([...this.records.keys(), ...this.base.keys()]);
    return [...nodes].map((n) => [n, (this.base.get(n)?.counters[key] ?? 0) + (this.records.get(n)?.state?.counters[key] ?? 0)]);
  }

  /** Per node and protocol, entries produced over all runs. */
  summedEntries(): Array<[string, string, number]> {
    const out: Array<[string, string, number]> = [];
    const nodes = new Set([...this.records.keys(), ...this.base.keys()]);
    for (const n of nodes) {
      const sum: Record<string, number> = { ...(this.base.get(n)?.entries ?? {}) };
      for (const [p, v] of Object.entries(this.records.get(n)?.state?.counters.entries ?? {})) sum[p] = (sum[p] ?? 0) + v;
      for (const [p, v] of Object.entries(sum)) out.push([n, p, v]);
    }
    return out;
  }
}
