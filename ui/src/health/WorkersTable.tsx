/** One row per worker (node) with its packet counters and amplification, and their totals. */
import { fmtAgo, fmtInt } from '../stats/format.js';
import { amplification, sumCounters, type CounterSet } from './amplification.js';
import type { WorkerRecord } from './api.js';

/** A connected worker silent for longer than this is shown as stale (it sends state every 2 s). */
export const STALE_AFTER_MS = 10_000;

export function AmplificationCell(props: { counters: CounterSet | null; testId: string }): JSX.Element {
  if (props.counters === null) return <td className="num muted" data-testid={props.testId} title="No state received yet">—</td>;
  const a = amplification(props.counters);
  const cls = a.status === 'ok' ? 'amp-ok' : a.status === 'bad' ? 'amp-bad' : 'muted';
  const title = a.status === 'none'
    ? 'No targeted packet yet'
    : `processed ${fmtInt(props.counters.processed)} ÷ unique targeted ${fmtInt(a.unique)} (captured − duplicate − untargeted); 1.00 = each targeted packet processed exactly once`;
  return <td className={`num amp ${cls}`} data-testid={props.testId} data-status={a.status} title={title}>{a.text}</td>;
}

export function WorkerStatus(props: { w: WorkerRecord; now: number }): JSX.Element {
  const { w, now } = props;
  if (!w.connected) return <span className="status status-down" title={`Disconnected; last seen ${new Date(w.lastSeen).toLocaleString()}`}>disconnected</span>;
  if (now - w.lastSeen > STALE_AFTER_MS) return <span className="status status-stale" title="Connected, but no state for a while">stale</span>;
  return <span className="status status-up">connected</span>;
}

const COLUMNS: Array<[string, string, string]> = [
  ['captured', 'Captured', 'Packets the kernel delivered'],
  ['duplicate', 'Duplicate', 'Owned by another capture point, or already processed'],
  ['untargeted', 'Untargeted', 'Neither end is a targeted pod'],
  ['processed', 'Processed', 'Handed to reassembly and dissection'],
  ['kernelDrops', 'Kernel drops', 'Dropped by the kernel before podtap read them'],
  ['uplinkDropped', 'Uplink dropped', 'Entries the uplink could not keep while the hub was away'],
];
type Col = 'captured' | 'duplicate' | 'untargeted' | 'processed' | 'kernelDrops' | 'uplinkDropped';

export function WorkersTable(props: { workers: readonly WorkerRecord[]; now: number }): JSX.Element {
  const { workers, now } = props;
  const totals = sumCounters(workers.map((w) => w.state?.counters));
  const withState = workers.some((w) => w.state !== null);
  const lossy = (k: Col, v: number): string => ((k === 'kernelDrops' || k === 'uplinkDropped') && v > 0 ? ' err-text' : '');
  return (
    <table className="dash-table workers-table" data-testid="workers-table">
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">Status</th>
          <th scope="col" className="num">Last seen</th>
          <th scope="col" className="num">Targets</th>
          {COLUMNS.map(([k, label, help]) => <th key={k} scope="col" className="num" title={help}>{label}</th>)}
          <th scope="col" className="num" title="processed ÷ (captured − duplicate − untargeted); 1.00 = exactly once">Amplification</th>
        </tr>
      </thead>
      <tbody>
        {workers.map((w) => {
          const c = w.state?.counters ?? null;
          return (
            <tr key={w.node} data-node={w.node}>
              <th scope="row"><a href={`#worker-${encodeURIComponent(w.node)}`}>{w.node}</a></th>
              <td><WorkerStatus w={w} now={now} /></td>
              <td className="num" title={new Date(w.lastSeen).toLocaleString()}>{fmtAgo(w.lastSeen, now)}</td>
              <td className="num">{w.state === null ? '—' : fmtInt(w.state.targets.length)}</td>
              {COLUMNS.map(([k]) => <td key={k} className={`num${c === null ? '' : lossy(k as Col, c[k as Col])}`}>{c === null ? '—' : fmtInt(c[k as Col])}</td>)}
              <AmplificationCell counters={c} testId="amplification" />
            </tr>
          );
        })}
      </tbody>
      {workers.length > 0 ? (
        <tfoot>
          <tr>
            <th scope="row">All nodes</th>
            <td>{workers.filter((w) => w.connected).length} / {workers.length} up</td>
            <td />
            <td className="num">{fmtInt(workers.reduce((n, w) => n + (w.state?.targets.length ?? 0), 0))}</td>
            {COLUMNS.map(([k]) => <td key={k} className={`num${lossy(k as Col, totals[k as Col])}`}>{fmtInt(totals[k as Col])}</td>)}
            <AmplificationCell counters={withState ? totals : null} testId="amplification-total" />
          </tr>
        </tfoot>
      ) : null}
    </table>
  );
}
