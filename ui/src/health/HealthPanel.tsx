/**
 * Targeting and health: every worker's state (/api/workers, polled every
 * 2 s) — connection, packet counters, amplification, targets and kernel
 * filters, the rules in force — and the editor of the targeting rules.
 */
import { useEffect, useState } from 'react';
import { fmtInt } from '../stats/format.js';
import { usePoll } from '../stats/use-poll.js';
import { amplification, sumCounters } from './amplification.js';
import { fetchWorkers, type WorkerRecord } from './api.js';
import { RulesEditor } from './RulesEditor.js';
import { WorkerCard } from './WorkerCard.js';
import { WorkersTable } from './WorkersTable.js';

export function HealthPanel(): JSX.Element {
  const poll = usePoll(fetchWorkers, 'workers');
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => { setNow(Date.now()); }, [poll.data, poll.error]);
  return <HealthView workers={poll.data} error={poll.error} now={now} />;
}

export interface HealthViewProps {
  workers: WorkerRecord[] | null;
  error: string | null;
  /** "Last seen" is relative to this (ms since the epoch). */
  now: number;
  /** For tests: the rules editor's starting point instead of GET /api/rules. */
  rulesEditor?: JSX.Element;
}

/** What the panel shows for one answer, without the fetching: rendered by tests too. */
export function HealthView(props: HealthViewProps): JSX.Element {
  const { workers, error, now } = props;
  const list = workers ?? [];
  const up = list.filter((w) => w.connected).length;
  const totals = sumCounters(list.map((w) => w.state?.counters));
  const amp = amplification(totals);
  return (
    <section className="health-panel" data-testid="health-panel" aria-label="Targeting and health">
      <div className="health-toolbar">
        <span className="health-heading">Workers</span>
        {workers !== null ? (
          <>
            <span><b className={up === list.length ? 'ok-text' : 'warn-text'}>{up}</b> of <b>{list.length}</b> connected</span>
            <span className="muted">·</span>
            <span>{fmtInt(list.reduce((n, w) => n + (w.state?.targets.length ?? 0), 0))} targets</span>
            <span className="muted">·</span>
            <span>amplification <b className={amp.status === 'ok' ? 'ok-text' : amp.status === 'bad' ? 'err-text' : 'muted'}>{amp.text}</b></span>
            {totals.kernelDrops > 0 ? <span className="err-text">{fmtInt(totals.kernelDrops)} kernel drops</span> : null}
          </>
        ) : <span className="muted">{error === null ? 'Loading…' : ''}</span>}
      </div>
      {error !== null ? <div className="dash-error" role="alert"><b>Request failed:</b> {error}</div> : null}
      <div className="health-body">
        <section className="dash-card workers-card" aria-label="Workers and counters">
          <h3 className="card-title">Capture counters <span className="muted">· current run of each worker</span></h3>
          {workers === null ? <p className="dash-empty muted">{error === null ? 'Loading…' : 'No data'}</p>
            : list.length === 0 ? <p className="dash-empty">No worker has connected to this hub yet.</p>
              : <div className="table-scroll"><WorkersTable workers={list} now={now} /></div>}
          <p className="amp-help muted">
            Amplification = processed ÷ (captured − duplicate − untargeted): each targeted packet should be processed exactly once (1.00).
            Kernel drops are packets lost before podtap saw them.
          </p>
        </section>
        <div className="health-columns">
          {props.rulesEditor ?? <RulesEditor />}
          <div className="worker-cards">
            {list.map((w) => <WorkerCard key={w.node} w={w} now={now} />)}
          </div>
        </div>
      </div>
    </section>
  );
}
