/**
 * The live traffic list. Stored entries matching the filter load first,
 * then the live stream appends; the list is virtualized (only visible rows
 * are in the DOM), follows the newest entry only while the user is at the
 * bottom, and keeps what they read in place when old rows are evicted.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Entry } from '../../../src/entries/types.js';
import { ApiError, fetchEntries } from '../api.js';
import { EntryBuffer } from './entry-buffer.js';
import { LiveStream, streamUrl, type StreamStatus } from './live-stream.js';
import { badgeLabel, formatBytes, formatMs, formatTime, rowOf } from '../entries/row.js';

export const ROW_HEIGHT = 26;
/** Stored entries loaded when the filter changes (one API page). */
export const FIRST_PAGE = 500;

export interface TrafficCounters { received: number; shown: number; skipped: number; evicted: number; pending: number }

/** Rows are memoized: a batch re-renders only the rows whose entry, place or selection changed. */
const EntryRow = memo(function EntryRow(props: { e: Entry; selected: boolean; index: number; onSelect: (id: string) => void }): JSX.Element {
  const r = rowOf(props.e);
  return (
    <div role="option" aria-selected={props.selected} id={`row-${props.index}`} data-testid="entry-row" data-id={props.e.id}
      className={`trow${props.selected ? ' selected' : ''}${r.error ? ' error' : ''}`} onClick={() => props.onSelect(props.e.id)}>
      <span className="c-time mono">{formatTime(r.time)}</span>
      <span className="c-proto"><span className={`badge p-${r.protocol}`} title={r.protocol}>{badgeLabel(r.protocol)}</span></span>
      <span className="c-method mono">{r.method}</span>
      <span className="c-target mono" title={r.target}>{r.target}</span>
      <span className={`c-status mono ${r.error ? 'err-text' : 'ok-text'}`}>{r.status}</span>
      <span className="c-ends" title={`${r.src} → ${r.dst}`}>{r.src} <span className="muted">→</span> {r.dst}</span>
      <span className="c-elapsed mono">{formatMs(r.elapsed)}</span>
      <span className="c-size mono">{formatBytes(r.size)}</span>
    </div>
  );
});

export function TrafficView(props: { query: string; cap: number; selectedId: string | null; onSelect: (id: string | null) => void; onFilterError: (e: { column: number; message: string } | null) => void }): JSX.Element {
  const buffer = useRef(new EntryBuffer(props.cap));
  const pending = useRef<Entry[]>([]);
  const [, setVersion] = useState(0);
  const [paused, setPaused] = useState(false);
  const pausedRef = useRef(false);
  const [status, setStatus] = useState<StreamStatus>({ state: 'connecting' });
  const [skipped, setSkipped] = useState(0);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [older, setOlder] = useState<number | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const evictedRows = useRef(0);

  const virt = useVirtualizer({ count: buffer.current.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 15 });

  const ingest = useCallback((batch: Entry[]) => {
    evictedRows.current += buffer.current.append(batch);
    setVersion(buffer.current.version);
  }, []);

  useEffect(() => {
    const b = buffer.current;
    b.cap = props.cap;
    b.clear();
    pending.current = [];
    setSkipped(0);
    setLoadError(null);
    follow.current = true;
    let stale = false;
    const s = new LiveStream(streamUrl(window.location, props.query), {
      onEntries: (entries, skip) => {
        if (skip > 0) setSkipped((n) => n + skip);
        if (pausedRef.current) {
          pending.current.push(...entries);
          if (pending.current.length > b.cap) pending.current.splice(0, pending.current.length - b.cap);
          setVersion((v) => v + 1);
          return;
        }
        ingest(entries);
      },
      onStatus: (st) => {
        setStatus(st);
        props.onFilterError(st.state === 'refused' ? { column: st.column ?? 1, message: st.error } : null);
      },
    });
    fetchEntries(props.query, FIRST_PAGE).then(
      (page) => { if (!stale) { b.prependOlder(page.entries); setOlder(page.entries.length === FIRST_PAGE ? page.next : null); setVersion(b.version); } },
      (err: unknown) => { if (!stale) setLoadError(err instanceof ApiError ? err.message : String(err)); },
    );
    return () => { stale = true; s.close(); };
  }, [props.query, props.cap, ingest]);

  // Keep the reader's place: follow the bottom, or shift by the rows evicted above.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    if (follow.current) el.scrollTop = el.scrollHeight;
    else if (evictedRows.current > 0) el.scrollTop = Math.max(0, el.scrollTop - evictedRows.current * ROW_HEIGHT);
    evictedRows.current = 0;
  });

  const onScroll = (): void => {
    const el = scroller.current;
    if (el === null) return;
    follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
  };

  const togglePause = (): void => {
    const next = !pausedRef.current;
    pausedRef.current = next;
    setPaused(next);
    if (!next && pending.current.length > 0) {
      const p = pending.current;
      pending.current = [];
      ingest(p);
    }
  };

  const loadOlder = (): void => {
    if (older === null) return;
    fetchEntries(props.query, FIRST_PAGE, older).then((page) => {
      const el = scroller.current;
      const before = el?.scrollHeight ?? 0;
      buffer.current.prependOlder(page.entries);
      setOlder(page.entries.length === FIRST_PAGE ? page.next : null);
      setVersion(buffer.current.version);
      requestAnimationFrame(() => { if (el !== null) el.scrollTop += el.scrollHeight - before; });
    }, (err: unknown) => setLoadError(err instanceof ApiError ? err.message : String(err)));
  };

  const b = buffer.current;
  const selectedIndex = props.selectedId === null ? -1 : b.all().findIndex((e) => e.id === props.selectedId);
  const onKey = (ev: KeyboardEvent<HTMLDivElement>): void => {
    const move = ev.key === 'ArrowDown' ? 1 : ev.key === 'ArrowUp' ? -1 : ev.key === 'PageDown' ? 20 : ev.key === 'PageUp' ? -20 : 0;
    if (move !== 0 && b.length > 0) {
      ev.preventDefault();
      const i = Math.max(0, Math.min(b.length - 1, (selectedIndex < 0 ? b.length : selectedIndex) + move));
      props.onSelect(b.at(i)!.id);
      follow.current = i === b.length - 1;
      virt.scrollToIndex(i, { align: 'auto' });
    } else if (ev.key === 'Home' || ev.key === 'End') {
      ev.preventDefault();
      const i = ev.key === 'Home' ? 0 : b.length - 1;
      if (i >= 0) { props.onSelect(b.at(i)!.id); virt.scrollToIndex(i); follow.current = ev.key === 'End'; }
    } else if (ev.key === 'Escape') props.onSelect(null);
  };

  const counters: TrafficCounters = { received: b.received + skipped, shown: b.length, skipped, evicted: b.evicted, pending: pending.current.length };
  return (
    <section className="traffic" data-testid="traffic-view" aria-label="Traffic">
      <div className="traffic-bar">
        <button type="button" onClick={togglePause} aria-pressed={paused} data-testid="pause">{paused ? 'Resume' : 'Pause'}</button>
        <span className={`stream-state s-${status.state}`} data-testid="stream-state">
          {status.state === 'live' ? (paused ? 'paused' : 'live') : status.state === 'connecting' ? 'connecting…' : status.state === 'down' ? `reconnecting in ${Math.round(status.retryInMs / 100) / 10} s (${status.reason})` : 'filter refused'}
        </span>
        <span className="counters mono" data-testid="counters" data-received={counters.received} data-shown={counters.shown}>
          received <b>{counters.received.toLocaleString('en')}</b> · shown <b>{counters.shown.toLocaleString('en')}</b>
          {counters.pending > 0 ? <> · waiting <b>{counters.pending.toLocaleString('en')}</b></> : null}
          {counters.skipped > 0 ? <> · <span className="warn-text" title="the hub skipped these because the page read too slowly">skipped {counters.skipped.toLocaleString('en')}</span></> : null}
        </span>
        {older !== null ? <button type="button" onClick={loadOlder}>Load older</button> : null}
      </div>
      {b.evicted > 0 ? <div className="note warn-text" data-testid="evicted-note">{b.evicted.toLocaleString('en')} older entries left this view to keep it within {b.cap.toLocaleString('en')} rows (set ?cap= in the URL to change); they are still stored in the hub.</div> : null}
      {loadError !== null ? <div className="note err-text">{loadError}</div> : null}
      <div className="thead" aria-hidden="true">
        <span className="c-time">time</span><span className="c-proto">proto</span><span className="c-method">method</span><span className="c-target">target</span>
        <span className="c-status">status</span><span className="c-ends">source → destination</span><span className="c-elapsed">elapsed</span><span className="c-size">size</span>
      </div>
      <div className="tbody" ref={scroller} onScroll={onScroll} tabIndex={0} role="listbox" aria-label="Entries (arrow keys select, Enter opens)"
        aria-activedescendant={selectedIndex >= 0 ? `row-${selectedIndex}` : undefined} onKeyDown={onKey} data-testid="entry-list">
        {b.length === 0 ? <div className="empty muted">{status.state === 'refused' ? 'the filter was refused' : 'waiting for traffic that matches the filter…'}</div> : null}
        <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
          {virt.getVirtualItems().map((v) => {
            const e = b.at(v.index);
            if (e === undefined) return null;
            return (
              <div key={e.id} style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${v.start}px)` }}>
                <EntryRow e={e} index={v.index} selected={e.id === props.selectedId} onSelect={props.onSelect} />
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
