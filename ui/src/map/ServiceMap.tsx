/**
 * The service map: workloads as nodes in namespace lanes, traffic as edges,
 * from /api/stats polled every 2 s. Clicking (or Enter on) an edge or a node
 * hands a filter for its traffic to `onFilter`.
 *
 * Live updates replace the nodes and edges but never the viewport: React
 * Flow fits the view once, when the graph first appears, and the user's pan
 * and zoom stay after that.
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import { Background, BackgroundVariant, Controls, ReactFlow, type EdgeMouseHandler, type ReactFlowInstance } from '@xyflow/react';
import { fetchStats, type Stats } from '../api.js';
import { fmtInt, fmtWindow } from '../stats/format.js';
import { usePoll } from '../stats/use-poll.js';
import { EdgeList } from './EdgeList.js';
import { buildFlow, type MapFlowNode, type TrafficFlowEdge } from './flow.js';
import { EDGE_ERR_ERROR_RATE, EDGE_WARN_ERROR_RATE, buildGraph, edgeFilter, nodeFilter } from './graph.js';
import { EDGE_TYPES, MapActions, NODE_TYPES, type MapActionHandlers } from './map-elements.js';

/** The first fit never zooms in further than this (a map of two nodes stays readable, not huge). */
const FIT_MAX_ZOOM = 1.25;

export interface ServiceMapProps { query: string; windowSec: number; onFilter: (filter: string) => void }

export function ServiceMap(props: ServiceMapProps): JSX.Element {
  const { query, windowSec } = props;
  const poll = usePoll(() => fetchStats(query, windowSec), JSON.stringify([query, windowSec]));
  return <ServiceMapView stats={poll.data} error={poll.error} loading={poll.stale} query={query} windowSec={windowSec} onFilter={props.onFilter} />;
}

export interface ServiceMapViewProps extends ServiceMapProps {
  stats: Stats | null;
  /** The hub's error text of the last call. */
  error: string | null;
  /** The data shown is not (yet) the answer for this query and window. */
  loading: boolean;
  /** Show the connections table beside the graph (default: on wide screens). */
  listOpen?: boolean;
}

/** What the map shows for one answer, without the fetching: rendered by tests too. */
export function ServiceMapView(props: ServiceMapViewProps): JSX.Element {
  const { stats, error, loading, query, windowSec, onFilter } = props;
  const [listOpen, setListOpen] = useState<boolean>(() => props.listOpen ?? (typeof window !== 'undefined' && window.innerWidth >= 1600));
  const graph = useMemo(() => (stats === null ? null : buildGraph(stats.pairs)), [stats]);
  const flow = useMemo(() => (graph === null || graph.edges.length === 0 ? null : buildFlow(graph)), [graph]);
  const actions = useMemo<MapActionHandlers>(() => ({
    node: (name) => onFilter(nodeFilter(name)),
    edge: (src, dst) => onFilter(edgeFilter({ src, dst })),
  }), [onFilter]);
  // Fit once, when the graph first appears, to everything drawn (labels too); later updates keep the user's viewport.
  const bounds = flow?.bounds;
  const boundsRef = useRef(bounds);
  boundsRef.current = bounds;
  const onInit = useCallback((rf: ReactFlowInstance<MapFlowNode, TrafficFlowEdge>) => {
    const b = boundsRef.current;
    if (b !== undefined && b.width > 0) void rf.fitBounds(b, { padding: 0.06 }).then(() => { if (rf.getZoom() > FIT_MAX_ZOOM) void rf.zoomTo(FIT_MAX_ZOOM); });
  }, []);
  const onEdgeClick = useCallback<EdgeMouseHandler<TrafficFlowEdge>>((_ev, edge) => {
    if (edge.data !== undefined) actions.edge(edge.data.edge.src, edge.data.edge.dst);
  }, [actions]);

  const windowText = fmtWindow(windowSec);
  return (
    <section className="svc-map" data-testid="service-map" aria-label="Service map" aria-busy={loading}>
      <div className="map-toolbar">
        {graph !== null ? (
          <span className="map-summary">
            <b>{graph.nodes.length}</b> workloads · <b>{graph.edges.length}</b> connections · <b>{fmtInt(stats?.total)}</b> entries in the last {windowText}
          </span>
        ) : <span className="map-summary muted">{error === null ? 'Loading…' : ''}</span>}
        {stats?.sampled === true ? <span className="warn-text" title="The window holds more entries than the hub reads for statistics; the newest ones are counted.">sampled</span> : null}
        {loading && stats !== null ? <span className="muted" role="status">updating…</span> : null}
        <span className="spacer" />
        <span className="map-legend" aria-label="Legend">
          <span className="swatch tone-ok" aria-hidden="true" /> &lt;{EDGE_WARN_ERROR_RATE * 100}% errors
          <span className="swatch tone-warn" aria-hidden="true" /> ≥{EDGE_WARN_ERROR_RATE * 100}%
          <span className="swatch tone-err" aria-hidden="true" /> ≥{EDGE_ERR_ERROR_RATE * 100}%
          <span className="muted"> · width: req/s</span>
        </span>
        <button type="button" aria-pressed={listOpen} onClick={() => setListOpen(!listOpen)} disabled={graph === null || graph.edges.length === 0}>
          Connections table
        </button>
      </div>
      {error !== null ? <div className="dash-error" role="alert"><b>Request failed:</b> {error}</div> : null}
      <div className="map-body">
        <div className="map-canvas">
          {flow !== null ? (
            <MapActions.Provider value={actions}>
              <ReactFlow
                nodes={flow.nodes} edges={flow.edges} nodeTypes={NODE_TYPES} edgeTypes={EDGE_TYPES}
                onEdgeClick={onEdgeClick} onInit={onInit}
                minZoom={0.1} maxZoom={2.5}
                nodesDraggable={false} nodesConnectable={false} elementsSelectable={false} nodesFocusable={false} edgesFocusable={false}
                zoomOnDoubleClick={false}
                aria-label="Service map graph"
              >
                <Background variant={BackgroundVariant.Dots} gap={24} size={1} />
                <Controls showInteractive={false} position="bottom-left" />
              </ReactFlow>
            </MapActions.Provider>
          ) : graph !== null ? (
            <div className="dash-empty">
              <p>no traffic in the last {windowText} matching the filter</p>
              {query.trim() !== '' ? <p className="muted">Filter: <code>{query}</code></p> : <p className="muted">Entries appear here as the workers capture traffic.</p>}
            </div>
          ) : error === null ? <div className="dash-empty muted">Loading the service map…</div> : null}
        </div>
        {listOpen && graph !== null && graph.edges.length > 0 ? <EdgeList edges={graph.edges} onEdge={actions.edge} /> : null}
      </div>
    </section>
  );
}
