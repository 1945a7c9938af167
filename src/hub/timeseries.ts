/**
 * `GET /api/timeseries`: counts, rates, errors and latency percentiles per
 * time bucket, one series per protocol or per destination service.
 *
 *   1. `timeseriesParams` checks `window`, `step` and `by` (a
 *      TimeseriesParamError names what is wrong: the route answers 400).
 *   2. Buckets are aligned to multiples of the step, so a chart polled again
 *      keeps its buckets; the last one is the current one, still filling.
 *   3. `computeTimeseries` reads the entries once (the same rows as
 *      /api/stats) and keeps the MAX_SERIES biggest keys; the rest are summed
 *      into `other`. A `total` series comes first.
 */
import type { Entry } from '../entries/types.js';
import { endpointName, isError } from './stats.js';

export const TIMESERIES_DEFAULT_WINDOW_S = 300;
export const TIMESERIES_MAX_WINDOW_S = 86_400;
/** Buckets when no step is given (window / this). */
export const TIMESERIES_DEFAULT_BUCKETS = 60;
/** A step that would make more buckets is raised to window / this. */
export const TIMESERIES_MAX_BUCKETS = 360;
/** Keyed series at most, `other` included (`total` comes on top). */
export const TIMESERIES_MAX_SERIES = 20;
export const TIMESERIES_GROUPS = ['protocol', 'service'] as const;
export type TimeseriesGroup = (typeof TIMESERIES_GROUPS)[number];

export interface TimeseriesParams { windowMs: number; stepMs: number; by: TimeseriesGroup }

export interface Series {
  key: string;
  count: number[];
  /** Entries per second. */
  rate: number[];
  errors: number[];
  /** errors / count, 0 for an empty bucket. */
  errorRate: number[];
  /** Elapsed time (ms) of the bucket's entries that have a response; null when none has. */
  p50: Array<number | null>;
  p99: Array<number | null>;
}

export interface Timeseries {
  windowMs: number;
  stepMs: number;
  /** ms since the epoch at which bucket 0 starts. */
  start: number;
  buckets: number;
  sampled: boolean;
  series: Series[];
}

/** A bad `window`, `step` or `by`. */
export class TimeseriesParamError extends Error {
  override readonly name = 'TimeseriesParamError';
}

function seconds(v: unknown, name: string, dflt: number | undefined): number | undefined {
  if (v === undefined || v === '') return dflt;
  if (typeof v !== 'string' || !/^\d{1,6}$/.test(v) || Number(v) < 1) throw new TimeseriesParamError(`${name} must be a whole number of seconds, at least 1`);
  return Number(v);
}

export function timeseriesParams(q: { window?: unknown; step?: unknown; by?: unknown }): TimeseriesParams {
  const windowS = seconds(q.window, 'window', TIMESERIES_DEFAULT_WINDOW_S)!;
  if (windowS > TIMESERIES_MAX_WINDOW_S) throw new TimeseriesParamError(`window must be at most ${TIMESERIES_MAX_WINDOW_S} seconds (one day)`);
  const stepS = seconds(q.step, 'step', undefined);
  if (stepS !== undefined && stepS > windowS) throw new TimeseriesParamError(`step (${stepS} s) must not be longer than window (${windowS} s)`);
  const by = q.by === undefined || q.by === '' ? 'protocol' : q.by;
  if (typeof by !== 'string' || !(TIMESERIES_GROUPS as readonly string[]).includes(by)) {
    throw new TimeseriesParamError(`by must be one of ${TIMESERIES_GROUPS.join(', ')}`);
  }
  const windowMs = windowS * 1000;
  const wanted = stepS !== undefined ? stepS * 1000 : Math.ceil(windowMs / TIMESERIES_DEFAULT_BUCKETS);
  const stepMs = Math.max(1000, wanted, Math.ceil(windowMs / TIMESERIES_MAX_BUCKETS));
  return { windowMs, stepMs, by: by as TimeseriesGroup };
}

/** Bucket 0's start and the bucket count for a window ending now. */
export function bucketRange(p: TimeseriesParams, now: number): { start: number; buckets: number } {
  const buckets = Math.ceil(p.windowMs / p.stepMs);
  return { start: Math.floor(now / p.stepMs) * p.stepMs - (buckets - 1) * p.stepMs, buckets };
}

class Acc {
  readonly count: number[];
  readonly errors: number[];
  readonly elapsed: number[][];
  total = 0;
  constructor(readonly key: string, n: number) {
    this.count = new Array<number>(n).fill(0);
    this.errors = new Array<number>(n).fill(0);
    this.elapsed = Array.from({ length: n }, () => []);
  }
  add(i: number, error: boolean, elapsed: number | null): void {
    this.count[i]!++;
    this.total++;
    if (error) this.errors[i]!++;
    if (elapsed !== null) this.elapsed[i]!.push(elapsed);
  }
  merge(o: Acc): void {
    for (let i = 0; i < this.count.length; i++) {
      this.count[i]! += o.count[i]!;
      this.errors[i]! += o.errors[i]!;
      for (const x of o.elapsed[i]!) this.elapsed[i]!.push(x);
    }
    this.total += o.total;
  }
  done(stepMs: number): Series {
    const pct = (q: number) => this.elapsed.map((l) => percentile(l, q));
    for (const l of this.elapsed) l.sort((a, b) => a - b);
    return {
      key: this.key, count: this.count, rate: this.count.map((c) => c / (stepMs / 1000)),
      errors: this.errors, errorRate: this.count.map((c, i) => (c === 0 ? 0 : this.errors[i]! / c)),
      p50: pct(0.5), p99: pct(0.99),
    };
  }
}

/** Nearest-rank percentile of sorted values (as /api/stats), null for none. */
function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function computeTimeseries(entries: Iterable<Entry>, p: TimeseriesParams, now: number, sampled: boolean): Timeseries {
  const { start, buckets } = bucketRange(p, now);
  const total = new Acc('total', buckets);
  const byKey = new Map<string, Acc>();
  for (const e of entries) {
    const i = Math.floor((e.timestamp - start) / p.stepMs);
    if (i < 0 || i >= buckets) continue; // before the window, or ahead of the hub's clock
    const key = p.by === 'protocol' ? e.protocol : endpointName(e.dst);
    let acc = byKey.get(key);
    if (acc === undefined) { acc = new Acc(key, buckets); byKey.set(key, acc); }
    const error = isError(e), elapsed = e.response !== null ? e.elapsedTime : null;
    acc.add(i, error, elapsed);
    total.add(i, error, elapsed);
  }
  const sorted = [...byKey.values()].sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  let kept = sorted;
  if (sorted.length > TIMESERIES_MAX_SERIES) {
    kept = sorted.slice(0, TIMESERIES_MAX_SERIES - 1);
    const other = new Acc('other', buckets);
    for (const a of sorted.slice(TIMESERIES_MAX_SERIES - 1)) other.merge(a);
    kept.push(other);
  }
  // Stable sort: `total` (the sum, never smaller) stays first; `other` goes where its count puts it.
  const series = [total, ...kept].sort((a, b) => b.total - a.total).map((a) => a.done(p.stepMs));
  return { windowMs: p.windowMs, stepMs: p.stepMs, start, buckets, sampled, series };
}
