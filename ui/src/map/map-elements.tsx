/**
 * The map's custom React Flow elements: a namespace lane, a workload node
 * and a traffic edge. Nodes and edge labels are real buttons (keyboard,
 * Enter, focus ring); what a click does comes from `MapActions`.
 */
import { createContext, useContext } from 'react';
import { BaseEdge, EdgeLabelRenderer, Handle, Position, type EdgeProps, type NodeProps } from '@xyflow/react';
import { fmtMs, fmtPct, fmtRate } from '../stats/format.js';
import { BACK_IN_AT, BACK_OUT_AT, EDGE_LABEL_HEIGHT, EDGE_LABEL_WIDTH, HANDLE, edgeGeometry, type LaneFlowNode, type TrafficFlowEdge, type WorkloadFlowNode } from './flow.js';
import type { MapEdge } from './graph.js';

export interface MapActionHandlers {
  node(name: string): void;
  edge(src: string, dst: string): void;
}

export const MapActions = createContext<MapActionHandlers>({ node: () => {}, edge: () => {} });

/** "http, grpc" → "HTTP, gRPC"-style short names for labels. */
const PROTOCOL_LABEL: Record<string, string> = { http: 'HTTP', http2: 'HTTP/2', grpc: 'gRPC', dns: 'DNS', redis: 'Redis', postgres: 'Postgres', mysql: 'MySQL', kafka: 'Kafka', amqp: 'AMQP', mqtt: 'MQTT', mongodb: 'MongoDB', websocket: 'WebSocket', tls: 'TLS', icmp: 'ICMP', nats: 'NATS' };
export const protocolLabel = (p: string): string => PROTOCOL_LABEL[p] ?? p;

/** The edge's numbers in one sentence, for screen readers and tooltips. */
export function describeEdge(e: MapEdge): string {
  const lat = e.p50 === null ? 'no latency (no responses)' : `${e.approx ? 'about ' : ''}p50 ${fmtMs(e.p50)}, p99 ${fmtMs(e.p99)}`;
  return `${e.src} to ${e.dst}: ${fmtRate(e.rate)} requests, ${fmtPct(e.errorRate)} errors, ${lat}, ${e.protocols.map(protocolLabel).join(', ')}`;
}

/** "4.46 ms" → "4.46ms": labels are narrow. */
const tight = (s: string): string => s.replace(' ', '');

export function LaneNode({ data }: NodeProps<LaneFlowNode>): JSX.Element {
  return (
    <div className={`map-lane${data.external ? ' external' : ''}`}>
      <div className="map-lane-label">
        <span className="map-lane-kind">{data.external ? 'outside the cluster' : 'namespace'}</span>
        <span className="map-lane-name">{data.label}</span>
      </div>
    </div>
  );
}

export function WorkloadNode({ data }: NodeProps<WorkloadFlowNode>): JSX.Element {
  const actions = useContext(MapActions);
  const n = data.node;
  const serves = n.inCount > 0;
  const errRate = serves ? n.inErrors / n.inCount : 0;
  const meta = serves ? `${fmtRate(n.inRate)} in · ${fmtPct(errRate)} err` : `${fmtRate(n.outRate)} out`;
  return (
    <>
      <Handle type="target" position={Position.Left} id={HANDLE.in} isConnectable={false} className="map-handle" />
      <Handle type="source" position={Position.Right} id={HANDLE.out} isConnectable={false} className="map-handle" />
      <Handle type="target" position={Position.Bottom} id={HANDLE.backIn} isConnectable={false} className="map-handle" style={{ left: `${BACK_IN_AT * 100}%` }} />
      <Handle type="source" position={Position.Bottom} id={HANDLE.backOut} isConnectable={false} className="map-handle" style={{ left: `${BACK_OUT_AT * 100}%` }} />
      <button
        type="button" className={`map-node tone-${data.tone} nodrag nopan`} data-testid="map-node" data-name={n.name}
        title={`${n.name}${n.namespace === null ? '' : ` (${n.namespace})`} — click to list its traffic`}
        aria-label={`${n.name}${n.namespace === null ? ', outside the cluster' : `, namespace ${n.namespace}`}: ${meta}. Show its traffic`}
        onClick={() => actions.node(n.name)}
      >
        <span className="map-node-name">{n.name}</span>
        <span className="map-node-meta">{meta}</span>
      </button>
    </>
  );
}

export function TrafficEdge(props: EdgeProps<TrafficFlowEdge>): JSX.Element | null {
  const actions = useContext(MapActions);
  const d = props.data;
  if (d === undefined) return null;
  const g = edgeGeometry(d.kind, { x: props.sourceX, y: props.sourceY }, { x: props.targetX, y: props.targetY });
  const e = d.edge;
  // A label moved off its edge (to make room for others) points back to it.
  const lx = Math.min(Math.max(d.anchor.x, d.label.x), d.label.x + EDGE_LABEL_WIDTH);
  const ly = Math.min(Math.max(d.anchor.y, d.label.y), d.label.y + EDGE_LABEL_HEIGHT);
  const leader = Math.hypot(lx - d.anchor.x, ly - d.anchor.y) > 3;
  return (
    <>
      <BaseEdge id={props.id} path={g.d} interactionWidth={props.interactionWidth} className={`map-edge-path tone-${d.tone}`} style={{ strokeWidth: d.kind === 'self' ? Math.min(d.width, 3) : d.width }} />
      <path d={g.arrow} className={`map-edge-arrow tone-${d.tone}`} />
      {leader ? <path d={`M${d.anchor.x},${d.anchor.y} L${lx},${ly}`} className={`map-edge-leader tone-${d.tone}`} /> : null}
      {leader ? <circle cx={d.anchor.x} cy={d.anchor.y} r={2.5} className={`map-edge-arrow tone-${d.tone}`} /> : null}
      <EdgeLabelRenderer>
        <button
          type="button" className={`map-edge-label tone-${d.tone} nodrag nopan`} data-testid="map-edge" data-src={e.src} data-dst={e.dst}
          style={{ transform: `translate(${d.label.x}px, ${d.label.y}px)` }}
          title={`${describeEdge(e)} — click to list this traffic`} aria-label={`${describeEdge(e)}. Show this traffic`}
          onClick={() => actions.edge(e.src, e.dst)}
        >
          <span className="l1"><b>{fmtRate(e.rate)}</b> · <span className={`err tone-${d.tone}`}>{fmtPct(e.errorRate)} err</span></span>
          <span className="l2">{e.p50 === null ? 'no responses' : `${e.approx ? '≈' : ''}p50 ${tight(fmtMs(e.p50))} · p99 ${tight(fmtMs(e.p99))}`}</span>
          <span className="l3">{e.protocols.map(protocolLabel).join(', ')}</span>
        </button>
      </EdgeLabelRenderer>
    </>
  );
}

export const NODE_TYPES = { workload: WorkloadNode, lane: LaneNode };
export const EDGE_TYPES = { traffic: TrafficEdge };
