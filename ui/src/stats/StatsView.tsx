/**
 * Live charts of the traffic matching the filter: requests per second, error
 * rate and latency percentiles over the window, one line per protocol or per
 * service (/api/timeseries), and a per-protocol summary (/api/stats). Both
 * are polled every 2 s.
 */
import { useMemo, useState } from 'react';
import { fetchStats, fetchTimeseries } from '../api.js';
import { fmtMs, fmtNumber, fmtWindow } from './format.js';
import { METRICS, SeriesColors, shapeSeries, type Metric } from './series.js';
import { SummaryTable } from './SummaryTable.js';
import { TimeChart, cssVar } from './TimeChart.js';
import { usePoll } from './use-poll.js';

export type GroupBy = 'protocol' | 'service';

const FORMAT: Record<Metric, (v: number) => string> = {
  rate: (v) => `${fmtNumber(v)}/s`,
  errorRate: (v) => `${fmtNumber(v)}%`,
  p50: fmtMs,
  p99: fmtMs,
};
const CHARTS: Metric[] = ['rate', 'errorRate', 'p50', 'p99'];

const rootTheme = (): { fg: string; muted: string } => ({
  fg: cssVar(document.documentElement, '--fg', '#e6edf3'),
  muted: cssVar(document.documentElement, '--muted', '#8b98a5'),
});

export function StatsView(props: { query: string; windowSec: number }): JSX.Element {
  const { query, windowSec } = props;
  const [by, setBy] = useState<GroupBy>('protocol');
  // The answer carries its grouping, so the old one (shown until the new one comes) keeps its colours.
  const poll = usePoll(async () => ({ by, ts: await fetchTimeseries(query, windowSec, by) }), JSON.stringify([query, windowSec, by]));
  const ts = { ...poll, data: poll.data?.ts ?? null };
  const shownBy = poll.data?.by ?? by;
  const st = usePoll(() => fetchStats(query, windowSec), JSON.stringify([query, windowSec]));
  // One colour map per grouping, shared by the four charts.
  const colors = useMemo(() => ({ protocol: new SeriesColors(rootTheme), service: new SeriesColors(rootTheme) }), []);
  const charts = useMemo(() => (poll.data === null ? null : CHARTS.map((m) => ({ metric: m, data: shapeSeries(poll.data!.ts, m) }))), [poll.data]);
  const noTraffic = ts.data !== null && ts.data.series.every((s) => s.count.every((c) => c === 0));
  const windowText = fmtWindow(windowSec);
  const empty = ts.data === null ? (ts.error === null ? 'Loading…' : 'No data') : noTraffic ? `no traffic in the last ${windowText} matching the filter` : null;
  const step = ts.data === null ? null : ts.data.stepMs / 1000;

  return (
    <section className="stats-view" data-testid="stats-view" aria-label="Statistics" aria-busy={ts.stale || st.stale}>
      <div className="stats-toolbar">
        <span className="stats-heading">Last {windowText}{step !== null ? <span className="muted"> · {fmtNumber(step)} s buckets</span> : null}</span>
        <span className="seg" role="group" aria-label="One line per">
          <span className="muted">One line per</span>
          {(['protocol', 'service'] as const).map((b) => (
            <button key={b} type="button" aria-pressed={by === b} data-testid={`stats-by-${b}`} onClick={() => setBy(b)}>{b}</button>
          ))}
        </span>
        {ts.data?.sampled === true || st.data?.sampled === true
          ? <span className="warn-text" title="The window holds more entries than the hub reads for statistics; the newest ones are counted.">sampled</span> : null}
        {by === 'service' ? <span className="muted">service = the destination’s name</span> : null}
        <span className="spacer" />
        {ts.stale && ts.data !== null ? <span className="muted" role="status">updating…</span> : null}
      </div>
      {ts.error !== null ? <div className="dash-error" role="alert"><b>Request failed:</b> {ts.error}</div> : null}
      {st.error !== null && st.error !== ts.error ? <div className="dash-error" role="alert"><b>Request failed:</b> {st.error}</div> : null}
      <div className="chart-grid">
        {CHARTS.map((m, i) => (
          <TimeChart
            key={m} title={METRICS[m].title} unit={METRICS[m].unit} format={FORMAT[m]} syncKey="podtap-stats"
            data={charts?.[i]!.data ?? { keys: [], data: [[]] }} colors={colors[shownBy]} empty={empty}
          />
        ))}
      </div>
      <section className="dash-card summary-card" aria-label="Per protocol">
        <h3 className="card-title">Per protocol <span className="muted">· last {windowText}</span></h3>
        {st.data !== null
          ? Object.keys(st.data.protocols).length > 0
            ? <SummaryTable stats={st.data} />
            : <p className="dash-empty">no traffic in the last {windowText} matching the filter</p>
          : <p className="dash-empty muted">{st.error === null ? 'Loading…' : 'No data'}</p>}
      </section>
    </section>
  );
}
