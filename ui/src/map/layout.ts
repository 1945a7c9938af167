/**
 * The service map's layout: deterministic, no layout library.
 *
 *   1. Rank: each node's longest path from a source (a node nobody calls),
 *      after cycles are broken by a depth-first search in name order. Ranks
 *      are columns, so callers sit left of their callees.
 *   2. Lanes: one horizontal lane per namespace (nodes without one share
 *      the "external" lane, placed last), spanning the columns its nodes
 *      use. Lanes are ordered by the mean rank of their nodes, then name.
 *   3. Rows: in each lane and column, nodes are stacked by name, then once
 *      more by the mean height of their neighbours (fewer crossings).
 *
 * Gaps between columns are empty in every lane, which is where edge labels
 * go (`labelGapX`). A node that calls itself gets room on its right for the
 * loop and its label, and a lane with an end of a cycle-closing (back) edge
 * room below for its dip, inside the lane.
 */

export const NODE_WIDTH = 172;
export const NODE_HEIGHT = 44;
/** Between columns: room for an edge label. */
export const COLUMN_GAP = 196;
export const ROW_GAP = 20;
export const LANE_PAD = 14;
export const LANE_HEADER = 26;
export const LANE_GAP = 26;
/** Right of a node that calls itself: the loop and its label. */
export const SELF_LOOP_SPACE = 196;
/** Below the nodes of a lane that an edge closing a cycle leaves or enters: its dip and label. */
export const BACK_EDGE_SPACE = 64;
/** The lane of nodes without a namespace. */
export const EXTERNAL_LANE = 'external';

export interface LayoutNode { id: string; namespace: string | null }
export interface LayoutEdge { source: string; target: string }

export interface Point { x: number; y: number }
export interface Lane { id: string; label: string; external: boolean; x: number; y: number; width: number; height: number; nodes: number }

export interface Layout {
  /** Top-left corner of each node. */
  nodes: Map<string, Point & { rank: number }>;
  lanes: Lane[];
  /** Columns in use (max rank + 1). */
  columns: number;
  width: number;
  height: number;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Left x of a column. */
export const columnX = (rank: number): number => LANE_PAD + rank * (NODE_WIDTH + COLUMN_GAP);

/** Centre x of the gap right of column `rank`. */
export const gapCenterX = (rank: number): number => columnX(rank) + NODE_WIDTH + COLUMN_GAP / 2;

/**
 * Where a forward edge's label goes: the middle gap between its columns
 * (nearer the caller when the span is even), never over a column of nodes.
 */
export function labelGapX(sourceRank: number, targetRank: number): number {
  return gapCenterX(sourceRank + Math.floor((targetRank - sourceRank - 1) / 2));
}

/** Longest path from a source, cycles broken by DFS back edges (in name order); self loops ignored. */
export function rankNodes(ids: readonly string[], edges: readonly LayoutEdge[]): Map<string, number> {
  const sorted = [...new Set(ids)].sort(cmp);
  const out = new Map<string, string[]>(sorted.map((id) => [id, []]));
  const indeg = new Map<string, number>(sorted.map((id) => [id, 0]));
  for (const e of edges) {
    if (e.source === e.target || !out.has(e.source) || !out.has(e.target)) continue;
    out.get(e.source)!.push(e.target);
    indeg.set(e.target, indeg.get(e.target)! + 1);
  }
  for (const l of out.values()) l.sort(cmp);
  // Depth-first from the sources first, then from whatever is left (pure cycles), in name order.
  const state = new Map<string, 1 | 2>();
  const dag = new Map<string, string[]>(sorted.map((id) => [id, []]));
  const visit = (root: string): void => {
    const stack: Array<{ id: string; i: number }> = [{ id: root, i: 0 }];
    state.set(root, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = out.get(top.id)![top.i++];
      if (next === undefined) { state.set(top.id, 2); stack.pop(); continue; }
      const s = state.get(next);
      if (s === 1) continue; // back edge: breaks a cycle
      dag.get(top.id)!.push(next);
      if (s === undefined) { state.set(next, 1); stack.push({ id: next, i: 0 }); }
    }
  };
  for (const id of sorted) if (indeg.get(id) === 0 && !state.has(id)) visit(id);
  for (const id of sorted) if (!state.has(id)) visit(id);
  // Longest path over the DAG, in topological order (Kahn, name order).
  const din = new Map<string, number>(sorted.map((id) => [id, 0]));
  for (const l of dag.values()) for (const t of l) din.set(t, din.get(t)! + 1);
  const rank = new Map<string, number>(sorted.map((id) => [id, 0]));
  const queue = sorted.filter((id) => din.get(id) === 0);
  for (let q = 0; q < queue.length; q++) {
    const id = queue[q]!;
    for (const t of dag.get(id)!) {
      rank.set(t, Math.max(rank.get(t)!, rank.get(id)! + 1));
      din.set(t, din.get(t)! - 1);
      if (din.get(t) === 0) queue.push(t);
    }
  }
  return rank;
}

export function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Layout {
  const ids = nodes.map((n) => n.id);
  const rank = rankNodes(ids, edges);
  const selfLoop = new Set(edges.filter((e) => e.source === e.target).map((e) => e.source));
  const backEnds = new Set(edges.filter((e) => e.source !== e.target && (rank.get(e.target) ?? 0) <= (rank.get(e.source) ?? 0)).flatMap((e) => [e.source, e.target]));
  const neighbours = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (e.source === e.target) continue;
    neighbours.get(e.source)?.push(e.target);
    neighbours.get(e.target)?.push(e.source);
  }

  // Lanes and their columns.
  const laneOf = (n: LayoutNode): string => n.namespace ?? `\u0000${EXTERNAL_LANE}`;
  const byLane = new Map<string, LayoutNode[]>();
  for (const n of [...nodes].sort((a, b) => cmp(a.id, b.id))) {
    const k = laneOf(n);
    const l = byLane.get(k);
    if (l === undefined) byLane.set(k, [n]); else l.push(n);
  }
  const meanRank = (l: LayoutNode[]): number => l.reduce((s, n) => s + rank.get(n.id)!, 0) / l.length;
  const laneKeys = [...byLane.keys()].sort((a, b) => {
    const ea = a.startsWith('\u0000') ? 1 : 0, eb = b.startsWith('\u0000') ? 1 : 0;
    return ea - eb || meanRank(byLane.get(a)!) - meanRank(byLane.get(b)!) || cmp(a, b);
  });
  /** lane → column → node ids, top to bottom. */
  const stacks = new Map<string, Map<number, string[]>>();
  for (const k of laneKeys) {
    const cols = new Map<number, string[]>();
    for (const n of byLane.get(k)!) {
      const r = rank.get(n.id)!;
      const c = cols.get(r);
      if (c === undefined) cols.set(r, [n.id]); else c.push(n.id);
    }
    stacks.set(k, cols);
  }

  const place = (): { pos: Map<string, Point & { rank: number }>; lanes: Lane[]; height: number } => {
    const pos = new Map<string, Point & { rank: number }>();
    const lanes: Lane[] = [];
    let y = LANE_PAD;
    for (const k of laneKeys) {
      const cols = stacks.get(k)!;
      const rows = Math.max(...[...cols.values()].map((c) => c.length));
      let minX = Infinity, maxX = -Infinity;
      for (const [r, col] of cols) {
        col.forEach((id, i) => {
          const x = columnX(r);
          pos.set(id, { x, y: y + LANE_HEADER + i * (NODE_HEIGHT + ROW_GAP), rank: r });
          minX = Math.min(minX, x - LANE_PAD);
          maxX = Math.max(maxX, x + NODE_WIDTH + LANE_PAD + (selfLoop.has(id) ? SELF_LOOP_SPACE : 0));
        });
      }
      const dip = byLane.get(k)!.some((n) => backEnds.has(n.id)) ? BACK_EDGE_SPACE : 0;
      const height = LANE_HEADER + rows * (NODE_HEIGHT + ROW_GAP) - ROW_GAP + LANE_PAD + dip;
      const external = k.startsWith('\u0000');
      lanes.push({ id: k, label: external ? EXTERNAL_LANE : k, external, x: minX, y, width: maxX - minX, height, nodes: byLane.get(k)!.length });
      y += height + LANE_GAP;
    }
    return { pos, lanes, height: y - LANE_GAP + LANE_PAD };
  };

  // Second pass: order each column by the mean height of its neighbours in the first placement.
  const first = place().pos;
  const centre = (id: string): number => first.get(id)!.y;
  for (const cols of stacks.values()) {
    for (const [r, col] of cols) {
      const key = new Map(col.map((id) => {
        const ns = neighbours.get(id)!;
        return [id, ns.length === 0 ? Infinity : ns.reduce((s, n) => s + centre(n), 0) / ns.length];
      }));
      cols.set(r, [...col].sort((a, b) => (key.get(a)! - key.get(b)!) || cmp(a, b)));
    }
  }
  const { pos, lanes, height } = place();
  const columns = nodes.length === 0 ? 0 : Math.max(...[...rank.values()]) + 1;
  const width = lanes.reduce((m, l) => Math.max(m, l.x + l.width), 0) + LANE_PAD;
  return { nodes: pos, lanes, columns, width, height: nodes.length === 0 ? 0 : height };
}
