/**
 * /api/timeseries → what a uPlot chart takes: x in seconds (uPlot's time
 * scale), one y array per series, gaps as null (uPlot breaks the line there).
 *
 * Bucket i of the answer starts at `start + i * stepMs`. A bucket without
 * entries has no error rate (the hub sends 0: shown as a gap, not as "0%
 * errors") and no latency (the hub sends null).
 */
import type uPlot from 'uplot';
import type { Series, Timeseries } from '../api.js';

export type Metric = 'rate' | 'errorRate' | 'p50' | 'p99';

export interface MetricInfo { title: string; unit: string }
export const METRICS: Record<Metric, MetricInfo> = {
  rate: { title: 'Requests per second', unit: 'req/s' },
  errorRate: { title: 'Error rate', unit: '%' },
  p50: { title: 'Latency p50', unit: 'ms' },
  p99: { title: 'Latency p99', unit: 'ms' },
};

/** The series the hub adds on top: the sum of all, and the keys beyond its series limit. */
export const TOTAL_KEY = 'total';
export const OTHER_KEY = 'other';

export interface ChartData {
  /** Series keys, in the order of data[1..]. */
  keys: string[];
  data: uPlot.AlignedData;
}

/** Bucket start times in seconds. */
export function timeAxis(ts: Timeseries): number[] {
  return Array.from({ length: Math.max(0, ts.buckets) }, (_, i) => (ts.start + i * ts.stepMs) / 1000);
}

/** One metric of one series as y values, `n` long (a short array is padded with gaps). */
export function seriesValues(s: Series, metric: Metric, n: number): Array<number | null> {
  const out: Array<number | null> = new Array<number | null>(n).fill(null);
  for (let i = 0; i < n; i++) {
    const count = s.count[i];
    switch (metric) {
      case 'rate': out[i] = num(s.rate[i]); break;
      case 'errorRate': { const r = num(s.errorRate[i]); out[i] = count === undefined || count === 0 || r === null ? null : r * 100; break; }
      case 'p50': out[i] = num(s.p50[i]); break;
      case 'p99': out[i] = num(s.p99[i]); break;
    }
  }
  return out;
}

const num = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The chart data of one metric; `withTotal` keeps the hub's `total` series (first). */
export function shapeSeries(ts: Timeseries, metric: Metric, withTotal = true): ChartData {
  const x = timeAxis(ts);
  const list = ts.series.filter((s) => withTotal || s.key !== TOTAL_KEY);
  return { keys: list.map((s) => s.key), data: [x, ...list.map((s) => seriesValues(s, metric, x.length))] };
}

/**
 * Line colours that read on both themes: each has at least 3:1 contrast with
 * the dark and the light panel (tested). No pure red: red means errors.
 */
export const SERIES_PALETTE = ['#3b82f6', '#d9690b', '#15965a', '#8b5cf6', '#e0457b', '#0891b2', '#a87400', '#5f8a00', '#7b8794', '#c2410c'] as const;

export interface SeriesStyle { stroke: string; dash?: number[]; width: number }

/**
 * A stable colour per series key for the life of a view: a key keeps its
 * colour while others come and go, in every chart. Past the palette, colours
 * repeat dashed. `total` and `other` take the theme's fg and muted colours.
 */
export class SeriesColors {
  private readonly assigned = new Map<string, number>();

  constructor(private readonly theme: () => { fg: string; muted: string }) {}

  style(key: string): SeriesStyle {
    if (key === TOTAL_KEY) return { stroke: this.theme().fg, dash: [6, 4], width: 1.5 };
    if (key === OTHER_KEY) return { stroke: this.theme().muted, dash: [2, 3], width: 1.25 };
    let i = this.assigned.get(key);
    if (i === undefined) { i = this.assigned.size; this.assigned.set(key, i); }
    const stroke = SERIES_PALETTE[i % SERIES_PALETTE.length]!;
    return i < SERIES_PALETTE.length ? { stroke, width: 1.5 } : { stroke, dash: [8, 3, 2, 3], width: 1.5 };
  }
}

/** WCAG contrast ratio of two #rrggbb colours. */
export function contrast(a: string, b: string): number {
  const lum = (hex: string): number => {
    const n = parseInt(hex.slice(1), 16);
    const ch = (c: number): number => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * ch((n >> 16) & 255) + 0.7152 * ch((n >> 8) & 255) + 0.0722 * ch(n & 255);
  };
  const x = lum(a), y = lum(b);
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
