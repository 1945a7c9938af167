/** Per protocol, over the window (/api/stats): count, rate, errors, latency percentiles. */
import type { Stats } from '../api.js';
import { errorTone } from '../map/graph.js';
import { NONE, fmtInt, fmtMs, fmtNumber, fmtPct } from './format.js';

export function SummaryTable(props: { stats: Stats }): JSX.Element {
  const rows = Object.entries(props.stats.protocols).sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1));
  const count = rows.reduce((s, [, a]) => s + a.count, 0);
  const errors = rows.reduce((s, [, a]) => s + a.errors, 0);
  const rate = rows.reduce((s, [, a]) => s + a.rate, 0);
  return (
    <table className="dash-table summary-table" data-testid="stats-summary">
      <thead>
        <tr>
          <th scope="col">Protocol</th>
          <th scope="col" className="num">Entries</th>
          <th scope="col" className="num">Rate <span className="unit">req/s</span></th>
          <th scope="col" className="num">Errors</th>
          <th scope="col" className="num">Error rate</th>
          <th scope="col" className="num">p50</th>
          <th scope="col" className="num">p90</th>
          <th scope="col" className="num">p99</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([p, a]) => (
          <tr key={p}>
            <th scope="row"><span className={`badge p-${p}`}>{p}</span></th>
            <td className="num">{fmtInt(a.count)}</td>
            <td className="num">{fmtNumber(a.rate)}</td>
            <td className="num">{fmtInt(a.errors)}</td>
            <td className={`num ${errorTone(a.errorRate)}-text`}>{fmtPct(a.errorRate)}</td>
            <td className="num">{ms(a.count, a.errors, a.p50)}</td>
            <td className="num">{ms(a.count, a.errors, a.p90)}</td>
            <td className="num">{ms(a.count, a.errors, a.p99)}</td>
          </tr>
        ))}
      </tbody>
      {rows.length > 1 ? (
        <tfoot>
          <tr>
            <th scope="row">all</th>
            <td className="num">{fmtInt(count)}</td>
            <td className="num">{fmtNumber(rate)}</td>
            <td className="num">{fmtInt(errors)}</td>
            <td className={`num ${errorTone(count === 0 ? 0 : errors / count)}-text`}>{fmtPct(count === 0 ? 0 : errors / count)}</td>
            <td className="num muted" colSpan={3} title="Percentiles of different protocols do not add up">per protocol</td>
          </tr>
        </tfoot>
      ) : null}
    </table>
  );
}

/** The hub reports 0 ms when no entry had a response (all of them are then errors): that is no latency. */
function ms(count: number, errors: number, v: number): string {
  return count > 0 && errors === count && v === 0 ? NONE : fmtMs(v);
}
