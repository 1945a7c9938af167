/**
 * The map's graph and layout as React Flow nodes and edges.
 *
 *   - Lanes are background nodes (z-index -1, below the edges).
 *   - Workloads are fixed-size nodes at their layout position, with their
 *     handles given up front (see workloadHandles).
 *   - Each edge carries its shape and its label's place: labels go in a gap
 *     between columns, on the edge, then are packed so none overlaps
 *     (labels.ts); `anchor` is the point on the edge a moved label points to.
 *
 * Nothing here is draggable, selectable or focusable through React Flow: the
 * nodes' and labels' own buttons take the keyboard.
 */
import { Position, type Edge, type Node, type NodeHandle } from '@xyflow/react';
import { SELF_LOOP_REACH, backEdge, forwardEdge, pointAtX, selfLoop, type EdgeGeometry } from './edge-path.js';
import { type MapEdge, type MapGraph, type MapNode, type Tone, edgeWidth, errorTone } from './graph.js';
import { placeLabels, type LabelBox } from './labels.js';
import { NODE_HEIGHT, NODE_WIDTH, gapCenterX, labelGapX, layoutGraph, type Layout, type Point } from './layout.js';

/** Edge label size (px at zoom 1); map.css gives `.map-edge-label` the same. */
export const EDGE_LABEL_WIDTH = 156;
export const EDGE_LABEL_HEIGHT = 42;

export interface WorkloadData extends Record<string, unknown> { node: MapNode; tone: Tone }
export interface LaneData extends Record<string, unknown> { label: string; external: boolean; nodes: number }
export type EdgeKind = 'forward' | 'back' | 'self';
export interface TrafficData extends Record<string, unknown> {
  edge: MapEdge;
  kind: EdgeKind;
  tone: Tone;
  width: number;
  /** The label's top-left corner. */
  label: Point;
  /** Where on the edge the label belongs. */
  anchor: Point;
}

export type WorkloadFlowNode = Node<WorkloadData, 'workload'>;
export type LaneFlowNode = Node<LaneData, 'lane'>;
export type MapFlowNode = WorkloadFlowNode | LaneFlowNode;
export type TrafficFlowEdge = Edge<TrafficData, 'traffic'>;

/** Handle ids on a workload node. */
export const HANDLE = { in: 'in', out: 'out', backIn: 'back-in', backOut: 'back-out' } as const;
type HandleId = (typeof HANDLE)[keyof typeof HANDLE];

export const nodeId = (name: string): string => `n:${name}`;

/** Handles are HANDLE_SIZE squares centred on the node's border (React Flow's CSS); the bottom ones at 30% and 70% of the width. */
export const HANDLE_SIZE = 6;
export const BACK_OUT_AT = 0.3;
export const BACK_IN_AT = 0.7;

/**
 * The handles' boxes, given up front so edges can be drawn before React
 * Flow measures the DOM (server rendering, and each live update, which hands
 * it new node objects: without these it would re-measure and the edges would
 * blink). They match what it measures.
 */
function workloadHandles(): NodeHandle[] {
  const h = HANDLE_SIZE, half = HANDLE_SIZE / 2;
  return [
    { id: HANDLE.in, type: 'target', position: Position.Left, x: -half, y: NODE_HEIGHT / 2 - half, width: h, height: h },
    { id: HANDLE.out, type: 'source', position: Position.Right, x: NODE_WIDTH - half, y: NODE_HEIGHT / 2 - half, width: h, height: h },
    { id: HANDLE.backIn, type: 'target', position: Position.Bottom, x: NODE_WIDTH * BACK_IN_AT - half, y: NODE_HEIGHT - half, width: h, height: h },
    { id: HANDLE.backOut, type: 'source', position: Position.Bottom, x: NODE_WIDTH * BACK_OUT_AT - half, y: NODE_HEIGHT - half, width: h, height: h },
  ];
}

/** Where an edge attaches: the handle's outer side, as React Flow computes it (getHandlePosition). */
export function handlePoint(node: Point, id: HandleId): Point {
  const half = HANDLE_SIZE / 2;
  switch (id) {
    case HANDLE.in: return { x: node.x - half, y: node.y + NODE_HEIGHT / 2 };
    case HANDLE.out: return { x: node.x + NODE_WIDTH + half, y: node.y + NODE_HEIGHT / 2 };
    case HANDLE.backIn: return { x: node.x + NODE_WIDTH * BACK_IN_AT, y: node.y + NODE_HEIGHT + half };
    case HANDLE.backOut: return { x: node.x + NODE_WIDTH * BACK_OUT_AT, y: node.y + NODE_HEIGHT + half };
  }
}

/** An edge's shape from its two handle points. */
export function edgeGeometry(kind: EdgeKind, s: Point, t: Point): EdgeGeometry {
  return kind === 'self' ? selfLoop(s.x, s.y) : kind === 'back' ? backEdge(s.x, s.y, t.x, t.y) : forwardEdge(s.x, s.y, t.x, t.y);
}

export interface Flow {
  nodes: MapFlowNode[];
  edges: TrafficFlowEdge[];
  layout: Layout;
  /** Everything drawn: lanes, nodes and labels (for fitting the view). */
  bounds: { x: number; y: number; width: number; height: number };
}

export function buildFlow(graph: MapGraph): Flow {
  const layout = layoutGraph(graph.nodes.map((n) => ({ id: n.name, namespace: n.namespace })), graph.edges.map((e) => ({ source: e.src, target: e.dst })));
  const lanes: LaneFlowNode[] = layout.lanes.map((l) => ({
    id: `lane:${l.id}`, type: 'lane', position: { x: l.x, y: l.y }, width: l.width, height: l.height, measured: { width: l.width, height: l.height },
    data: { label: l.label, external: l.external, nodes: l.nodes },
    zIndex: -1, draggable: false, selectable: false, focusable: false, connectable: false,
  }));
  const workloads: WorkloadFlowNode[] = graph.nodes.map((n) => {
    const p = layout.nodes.get(n.name)!;
    return {
      id: nodeId(n.name), type: 'workload', position: { x: p.x, y: p.y }, width: NODE_WIDTH, height: NODE_HEIGHT,
      measured: { width: NODE_WIDTH, height: NODE_HEIGHT }, handles: workloadHandles(),
      data: { node: n, tone: errorTone(n.inCount === 0 ? 0 : n.inErrors / n.inCount) },
      draggable: false, selectable: false, focusable: false, connectable: false,
    };
  });

  // Shapes and wanted label spots.
  const maxRate = graph.edges.reduce((m, e) => Math.max(m, e.rate), 0);
  const W = EDGE_LABEL_WIDTH, H = EDGE_LABEL_HEIGHT;
  const shaped = graph.edges.map((e) => {
    const s = layout.nodes.get(e.src)!, t = layout.nodes.get(e.dst)!;
    const kind: EdgeKind = e.src === e.dst ? 'self' : t.rank > s.rank ? 'forward' : 'back';
    const sh: HandleId = kind === 'back' ? HANDLE.backOut : HANDLE.out;
    const th: HandleId = kind === 'back' ? HANDLE.backIn : HANDLE.in;
    const sp = handlePoint(s, sh), tp = handlePoint(t, th);
    const g = edgeGeometry(kind, sp, tp);
    let anchor: Point, box: LabelBox;
    if (kind === 'self') {
      anchor = { x: sp.x + SELF_LOOP_REACH, y: sp.y };
      box = { id: e.id, x: anchor.x + 6, y: anchor.y - H / 2, w: W, h: H };
    } else {
      // Forward: the gap midway along the edge. Back: the gap right of the callee's column.
      const gx = kind === 'forward' ? labelGapX(s.rank, t.rank) : gapCenterX(t.rank);
      const p = pointAtX(g.curve, gx) ?? [(sp.x + tp.x) / 2, (sp.y + tp.y) / 2];
      anchor = { x: p[0], y: p[1] };
      box = { id: e.id, x: anchor.x - W / 2, y: anchor.y - H / 2, w: W, h: H };
    }
    return { e, kind, sh, th, anchor, box };
  });
  const placed = placeLabels(shaped.map((x) => x.box));

  const edges: TrafficFlowEdge[] = shaped.map(({ e, kind, sh, th, anchor, box }) => ({
    id: e.id, type: 'traffic', source: nodeId(e.src), target: nodeId(e.dst), sourceHandle: sh, targetHandle: th,
    data: { edge: e, kind, tone: errorTone(e.errorRate), width: edgeWidth(e.rate, maxRate), label: placed.get(box.id)!, anchor },
    focusable: false, selectable: false, deletable: false, reconnectable: false, interactionWidth: 14,
  }));

  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const grow = (x: number, y: number, w: number, h: number): void => { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x + w); y1 = Math.max(y1, y + h); };
  for (const l of layout.lanes) grow(l.x, l.y, l.width, l.height);
  for (const d of edges) grow(d.data!.label.x, d.data!.label.y, W, H);
  const bounds = x0 === Infinity ? { x: 0, y: 0, width: 0, height: 0 } : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  return { nodes: [...lanes, ...workloads], edges, layout, bounds };
}
