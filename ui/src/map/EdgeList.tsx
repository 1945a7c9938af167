/**
 * The map's edges as a table beside the graph: the same numbers, sorted by
 * rate, each row a button that filters the traffic to that pair. It is the
 * map for the keyboard and screen readers, and for graphs too big to read.
 */
import { fmtMs, fmtPct, fmtRate } from '../stats/format.js';
import { errorTone, type MapEdge } from './graph.js';
import { describeEdge, protocolLabel } from './map-elements.js';

export function EdgeList(props: { edges: readonly MapEdge[]; onEdge: (src: string, dst: string) => void }): JSX.Element {
  return (
    <aside className="map-edge-list" aria-label="Connections">
      <table className="dash-table">
        <caption>Connections <span className="muted">({props.edges.length})</span></caption>
        <thead>
          <tr>
            <th scope="col">From → to</th>
            <th scope="col" className="num">req/s</th>
            <th scope="col" className="num">err</th>
            <th scope="col" className="num">p50</th>
            <th scope="col" className="num">p99</th>
          </tr>
        </thead>
        <tbody>
          {props.edges.map((e) => (
            <tr key={e.id}>
              <td className="pair">
                <button type="button" className="link-row" data-testid="map-edge-row" data-src={e.src} data-dst={e.dst}
                  aria-label={`${describeEdge(e)}. Show this traffic`} title={describeEdge(e)} onClick={() => props.onEdge(e.src, e.dst)}>
                  <span className="ends">{e.src} → {e.dst}</span>
                  <span className="protos">{e.protocols.map(protocolLabel).join(', ')}</span>
                </button>
              </td>
              <td className="num">{fmtRate(e.rate).replace('/s', '')}</td>
              <td className={`num ${errorTone(e.errorRate)}-text`}>{fmtPct(e.errorRate)}</td>
              <td className="num">{e.approx && e.p50 !== null ? '≈' : ''}{fmtMs(e.p50)}</td>
              <td className="num">{fmtMs(e.p99)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
