/**
 * `GET /api/stats`: counts, rates, latency percentiles and error rates per
 * protocol and per src → dst pair (the service map's edges), over a window.
 */
import type { Entry, Endpoint } from '../entries/types.js';
import { describeEntry } from '../dissectors/describe.js';

export interface Aggregate {
  count: number;
  /** Entries per second over the window. */
  rate: number;
  errors: number;
  errorRate: number;
  /** Elapsed time percentiles (ms) of the entries that have a response. */
  p50: number;
  p90: number;
  p99: number;
}

export interface PairStats extends Aggregate {
  src: string;
  dst: string;
  srcNamespace?: string;
  dstNamespace?: string;
  protocol: string;
}

export interface Stats {
  windowMs: number;
  total: number;
  /** True when the window held more entries than were read (`sampled` of them, newest first). */
  sampled: boolean;
  protocols: Record<string, Aggregate>;
  pairs: PairStats[];
}

/** An entry is an error when its exchange failed: HTTP 5xx, a DNS rcode other than NOERROR, an error reply of another protocol, or no response. */
export function isError(e: Entry): boolean {
  if (e.flags.includes('no-response')) return true;
  if (e.protocol === 'http') return e.response !== null && e.response.status >= 500;
  if (e.protocol === 'dns') return e.response !== null && e.response.rcode !== 0;
  return describeEntry(e).error;
}

/** The service-map name of an endpoint: its workload name when known, else its address. */
export function endpointName(p: Endpoint): string {
  return p.name ?? p.pod ?? p.ip;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

class Acc {
  count = 0;
  errors = 0;
  readonly elapsed: number[] = [];
  add(e: Entry): void {
    this.count++;
    if (isError(e)) this.errors++;
    if (e.response !== null) this.elapsed.push(e.elapsedTime);
  }
  done(windowMs: number): Aggregate {
    const s = this.elapsed.sort((a, b) => a - b);
    return {
      count: this.count, rate: windowMs > 0 ? this.count / (windowMs / 1000) : 0,
      errors: this.errors, errorRate: this.count === 0 ? 0 : this.errors / this.count,
      p50: percentile(s, 0.5), p90: percentile(s, 0.9), p99: percentile(s, 0.99),
    };
  }
}

export function computeStats(entries: Iterable<Entry>, windowMs: number, sampled: boolean): Stats {
  const protocols = new Map<string, Acc>();
  const pairs = new Map<string, { acc: Acc; src: Endpoint; dst: Endpoint; protocol: string }>();
  let total = 0;
  for (const e of entries) {
    total++;
    let p = protocols.get(e.protocol);
    if (p === undefined) { p = new Acc(); protocols.set(e.protocol, p); }
    p.add(e);
    const key = `${e.protocol}\u0000${endpointName(e.src)}\u0000${endpointName(e.dst)}`;
    let pair = pairs.get(key);
    if (pair === undefined) { pair = { acc: new Acc(), src: e.src, dst: e.dst, protocol: e.protocol }; pairs.set(key, pair); }
    pair.acc.add(e);
  }
  return {
    windowMs, total, sampled,
    protocols: Object.fromEntries([...protocols].map(([k, a]) => [k, a.done(windowMs)])),
    pairs: [...pairs.values()].map((x) => ({
      src: endpointName(x.src), dst: endpointName(x.dst), protocol: x.protocol,
      ...(x.src.namespace === undefined ? {} : { srcNamespace: x.src.namespace }),
      ...(x.dst.namespace === undefined ? {} : { dstNamespace: x.dst.namespace }),
      ...x.acc.done(windowMs),
    })).sort((a, b) => b.count - a.count),
  };
}
