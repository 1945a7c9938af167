/** One worker in detail: identity, what it captures (targets, kernel filters), the rules it follows, its output. */
import { fmtAgo, fmtInt } from '../stats/format.js';
import type { WorkerRecord } from './api.js';
import { describeRules } from './rules-form.js';
import { WorkerStatus } from './WorkersTable.js';

export function WorkerCard(props: { w: WorkerRecord; now: number }): JSX.Element {
  const { w, now } = props;
  const s = w.state;
  const entries = Object.entries(s?.counters.entries ?? {}).sort((a, b) => b[1] - a[1]);
  return (
    <article className="dash-card worker-card" id={`worker-${encodeURIComponent(w.node)}`} data-testid="worker-card" data-node={w.node} aria-label={`Worker ${w.node}`}>
      <header className="worker-head">
        <h3>{w.node}</h3>
        <WorkerStatus w={w} now={now} />
        <span className="spacer" />
        <span className="muted" title={new Date(w.lastSeen).toLocaleString()}>seen {fmtAgo(w.lastSeen, now)}</span>
      </header>
      <dl className="worker-facts">
        <div><dt>Version</dt><dd>{w.version === '' ? '—' : w.version}</dd></div>
        <div><dt>Run</dt><dd className="mono">{w.runId}</dd></div>
        <div><dt>Connected</dt><dd title={new Date(w.connectedAt).toLocaleString()}>{fmtAgo(w.connectedAt, now)}</dd></div>
        <div><dt>Received</dt><dd>{fmtInt(w.entries)} entries in {fmtInt(w.batches)} batches</dd></div>
        {s !== null ? <div><dt>Uplink buffer</dt><dd>{fmtInt(s.counters.uplinkBuffered)} entries</dd></div> : null}
      </dl>
      {s === null ? <p className="muted pad-s">No state received yet (workers send it every 2 s).</p> : (
        <>
          <section aria-label="Rules in force">
            <h4>Rules in force</h4>
            <p className="rules-line">
              <code>{s.rules === '' ? '(none reported)' : s.rules}</code>
              {s.targetRules !== undefined && describeRules(s.targetRules) !== s.rules ? <span className="muted"> — {describeRules(s.targetRules)}</span> : null}
            </p>
          </section>
          <section aria-label="Targets">
            <h4>Targets <span className="muted">({s.targets.length})</span></h4>
            {s.targets.length === 0 ? <p className="muted pad-s">No targeted pod on this node.</p> : (
              <table className="dash-table targets-table">
                <thead>
                  <tr><th scope="col">Pod</th><th scope="col">Interface</th><th scope="col" className="num">BPF instr.</th><th scope="col">Kernel filter</th></tr>
                </thead>
                <tbody>
                  {s.targets.map((t) => (
                    <tr key={`${t.pod}\u0000${t.iface}`}>
                      <th scope="row" className="pod">{t.pod}</th>
                      <td className="mono">{t.iface}</td>
                      <td className="num">{fmtInt(t.bpfInstructions)}</td>
                      <td className="filter-cell">
                        <details>
                          <summary>{t.filter.length > 48 ? `${t.filter.slice(0, 48)}…` : t.filter === '' ? '(none)' : t.filter}</summary>
                          <pre className="bpf-filter">{t.filter}</pre>
                        </details>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          {entries.length > 0 ? (
            <section aria-label="Entries per protocol">
              <h4>Entries</h4>
              <ul className="proto-counts">
                {entries.map(([p, n]) => <li key={p}><span className={`badge p-${p}`}>{p}</span> {fmtInt(n)}</li>)}
              </ul>
            </section>
          ) : null}
        </>
      )}
    </article>
  );
}
