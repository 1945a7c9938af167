/**
 * /api/stats pairs → the service map's graph, and the filters a click on it
 * sets.
 *
 * Names: the hub names each end of a pair `name ?? pod ?? ip`
 * (`endpointName`, src/hub/stats.ts) and aggregates pairs by that name alone,
 * so the map does the same: one node per name, one edge per src → dst name
 * pair (all protocols of that pair folded into it), and the filters select by
 * name the same way, so clicking an edge lists exactly the entries the edge
 * counts.
 */
import type { PairStats } from '../../../src/hub/stats.js';
import { quote } from '../api.js';

export type { PairStats };

export interface MapEdge {
  /** Unique per src → dst pair. */
  id: string;
  src: string;
  dst: string;
  count: number;
  /** Requests per second over the window, all protocols. */
  rate: number;
  errors: number;
  errorRate: number;
  /** ms; null when no entry of the pair has a response. */
  p50: number | null;
  p99: number | null;
  /** True when several protocols were folded: p50 is their count-weighted mean, p99 their maximum. */
  approx: boolean;
  /** Protocols of the pair, busiest first. */
  protocols: string[];
}

export interface MapNode {
  name: string;
  /** null: no namespace (outside the cluster, or not known). */
  namespace: string | null;
  /** Traffic the node serves (edges into it). */
  inRate: number;
  inCount: number;
  inErrors: number;
  /** Traffic the node sends. */
  outRate: number;
}

export interface MapGraph {
  nodes: MapNode[];
  edges: MapEdge[];
}

/** Error rates from which an edge is drawn as degraded / failing (Kiali's idea, its thresholds loosened). */
export const EDGE_WARN_ERROR_RATE = 0.001;
export const EDGE_ERR_ERROR_RATE = 0.05;
/** Edge stroke widths (px at zoom 1), thinnest to busiest. */
export const EDGE_MIN_WIDTH = 1.5;
export const EDGE_MAX_WIDTH = 6;

export type Tone = 'ok' | 'warn' | 'err';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A percentile the hub reports as 0 because no entry had a response (every entry then counted as an error) is no latency at all. */
function latencyKnown(p: PairStats): boolean {
  return !(p.errors === p.count && p.p50 === 0 && p.p99 === 0);
}

export function edgeId(src: string, dst: string): string {
  return `e${JSON.stringify([src, dst])}`;
}

/** Folds the hub's per-protocol pairs into one edge per src → dst and one node per name. */
export function buildGraph(pairs: readonly PairStats[]): MapGraph {
  const byPair = new Map<string, PairStats[]>();
  for (const p of pairs) {
    const k = edgeId(p.src, p.dst);
    const list = byPair.get(k);
    if (list === undefined) byPair.set(k, [p]); else list.push(p);
  }
  const edges: MapEdge[] = [];
  for (const [id, list] of byPair) {
    const sorted = [...list].sort((a, b) => b.count - a.count || cmp(a.protocol, b.protocol));
    const count = sum(sorted, (p) => p.count);
    const errors = sum(sorted, (p) => p.errors);
    const timed = sorted.filter(latencyKnown);
    const timedCount = sum(timed, (p) => p.count);
    edges.push({
      id, src: sorted[0]!.src, dst: sorted[0]!.dst, count, errors,
      rate: sum(sorted, (p) => p.rate),
      errorRate: count === 0 ? 0 : errors / count,
      p50: timed.length === 0 ? null : timedCount > 0 ? sum(timed, (p) => p.p50 * p.count) / timedCount : timed[0]!.p50,
      p99: timed.length === 0 ? null : Math.max(...timed.map((p) => p.p99)),
      approx: timed.length > 1,
      protocols: sorted.map((p) => p.protocol),
    });
  }
  edges.sort((a, b) => b.rate - a.rate || cmp(a.src, b.src) || cmp(a.dst, b.dst));

  // A name's namespace: the one its busiest traffic reports; a known namespace wins over none.
  const nsVotes = new Map<string, Map<string | null, number>>();
  const vote = (name: string, ns: string | undefined, n: number): void => {
    let m = nsVotes.get(name);
    if (m === undefined) { m = new Map(); nsVotes.set(name, m); }
    const k = ns === undefined || ns === '' ? null : ns;
    m.set(k, (m.get(k) ?? 0) + n);
  };
  for (const p of pairs) { vote(p.src, p.srcNamespace, p.count); vote(p.dst, p.dstNamespace, p.count); }
  const nodes: MapNode[] = [...nsVotes.keys()].sort(cmp).map((name) => {
    const votes = [...nsVotes.get(name)!].sort((a, b) => (a[0] === null ? 1 : 0) - (b[0] === null ? 1 : 0) || b[1] - a[1] || cmp(a[0] ?? '', b[0] ?? ''));
    const into = edges.filter((e) => e.dst === name);
    return {
      name, namespace: votes[0]![0],
      inRate: sum(into, (e) => e.rate), inCount: sum(into, (e) => e.count), inErrors: sum(into, (e) => e.errors),
      outRate: sum(edges.filter((e) => e.src === name), (e) => e.rate),
    };
  });
  return { nodes, edges };
}

function sum<T>(list: readonly T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of list) s += f(x);
  return s;
}

/**
 * The end the hub names `name` (`name ?? pod ?? ip`), exactly:
 *
 *   (src.name == "x" || !(src.name != null) && (src.pod == "x" || !(src.pod != null) && src.ip == "x"))
 *
 * `!(f != null)` is "f is missing or null", as `??` reads it, so an address
 * that is sometimes a named pod (IP reuse, names learned late) selects only
 * the entries the map counted under the address. (`&&` binds tighter than `||`.)
 */
export function endpointCondition(side: 'src' | 'dst', name: string): string {
  const q = quote(name);
  return `(${side}.name == ${q} || !(${side}.name != null) && (${side}.pod == ${q} || !(${side}.pod != null) && ${side}.ip == ${q}))`;
}

/** The traffic of one edge: from the end named `src` to the end named `dst`, every protocol. */
export function edgeFilter(pair: { src: string; dst: string }): string {
  return `${endpointCondition('src', pair.src)} && ${endpointCondition('dst', pair.dst)}`;
}

/** The traffic from or to one node. */
export function nodeFilter(name: string): string {
  return `${endpointCondition('src', name)} || ${endpointCondition('dst', name)}`;
}

export function errorTone(errorRate: number): Tone {
  if (errorRate >= EDGE_ERR_ERROR_RATE) return 'err';
  if (errorRate >= EDGE_WARN_ERROR_RATE) return 'warn';
  return 'ok';
}

/** Stroke width by rate, on a log scale up to the busiest edge of the map. */
export function edgeWidth(rate: number, maxRate: number): number {
  if (!(maxRate > 0) || !(rate > 0)) return EDGE_MIN_WIDTH;
  const f = Math.min(1, Math.log1p(rate) / Math.log1p(maxRate));
  return Math.round((EDGE_MIN_WIDTH + f * (EDGE_MAX_WIDTH - EDGE_MIN_WIDTH)) * 10) / 10;
}
