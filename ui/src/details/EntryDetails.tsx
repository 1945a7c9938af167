/**
 * One entry in full: request and response side by side (headers, query,
 * body by content type, trailers), timing, the connection, redaction
 * markers, the fields that matter for its protocol, and the actions: copy
 * as curl, download the entry as HAR and its connection as pcapng.
 * Everything from traffic is rendered as text (React escapes it).
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { Endpoint, Entry, HttpRequest, HttpResponse } from '../../../src/entries/types.js';
import { ApiError, connectionFilter, entryFilter, fetchEntry, harUrl, pcapngUrl } from '../api.js';
import { formatMs, formatTime, rowOf } from '../entries/row.js';
import { curlCommand } from './curl.js';
import { BodyPanel } from './BodyPanel.js';
import { JsonTree } from './JsonTree.js';
import { filterPath, isRedacted } from './path.js';
import { ProtocolFields } from './ProtocolFields.js';

export type OnPick = (field: string, value: string | number | boolean | null) => void;

function Pickable(props: { field: string; value: string | number | boolean | null; onPick: OnPick; children?: ReactNode }): JSX.Element {
  return <button type="button" className="pick" title={`Filter: ${props.field}`} onClick={() => props.onPick(props.field, props.value)}>{props.children ?? String(props.value)}</button>;
}

function EndpointTable(props: { label: string; side: 'src' | 'dst'; p: Endpoint; onPick: OnPick }): JSX.Element {
  const p = props.p;
  const rows: Array<[string, string | number | undefined]> = [
    ['name', p.name], ['namespace', p.namespace], ['pod', p.pod], ['service', p.service], ['node', p.node], ['ip', p.ip], ['port', p.port], ['dns', p.dns],
  ];
  return (
    <table className="kv endpoint">
      <caption>{props.label}</caption>
      <tbody>
        {rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => (
          <tr key={k}><th>{k}</th><td className="mono"><Pickable field={`${props.side}.${k}`} value={v!} onPick={props.onPick} /></td></tr>
        ))}
        {p.labels !== undefined ? <tr><th>labels</th><td className="mono">{Object.entries(p.labels).map(([k, v]) => `${k}=${v}`).join(', ')}</td></tr> : null}
      </tbody>
    </table>
  );
}

function HeaderTable(props: { title: string; headers: Record<string, string> | undefined; keys: string[]; redacted: string[] | undefined; onPick: OnPick }): JSX.Element | null {
  const h = props.headers;
  if (h === undefined || Object.keys(h).length === 0) return null;
  return (
    <details open className="section">
      <summary>{props.title} <span className="muted">({Object.keys(h).length})</span></summary>
      <table className="kv"><tbody>
        {Object.entries(h).map(([k, v]) => {
          const masked = isRedacted(props.redacted, [...props.keys, k]);
          return (
            <tr key={k} className={masked ? 'redacted' : ''}>
              <th className="mono">{k}</th>
              <td className="mono"><Pickable field={filterPath([...props.keys, k])} value={v} onPick={props.onPick} />{masked ? <span className="redacted-mark" title="masked by the hub before storage">redacted</span> : null}</td>
            </tr>
          );
        })}
      </tbody></table>
    </details>
  );
}

function HttpSide(props: { side: 'request' | 'response'; msg: (HttpRequest | HttpResponse) | null; entry: Entry; onPick: OnPick }): JSX.Element {
  const m = props.msg;
  if (m === null) return <div className="side"><h4>{props.side}</h4><div className="muted">{props.side === 'response' ? 'no response seen' : 'no request seen'}</div></div>;
  const first = 'method' in m ? `${m.method} ${m.path} ${m.httpVersion}` : `${m.httpVersion} ${m.status} ${m.statusText}`;
  return (
    <div className="side" data-testid={`${props.side}-side`}>
      <h4>{props.side}</h4>
      <div className="first-line mono">{first}</div>
      {'query' in m ? <HeaderTable title="Query parameters" headers={m.query} keys={['request', 'query']} redacted={props.entry.redacted} onPick={props.onPick} /> : null}
      <HeaderTable title="Headers" headers={m.headers} keys={[props.side, 'headers']} redacted={props.entry.redacted} onPick={props.onPick} />
      <details open className="section">
        <summary>Body</summary>
        <BodyPanel body={m.body} keys={[props.side, 'body']} onPick={(keys, v) => props.onPick(filterPath(keys), v)} />
      </details>
      <HeaderTable title="Trailers" headers={m.trailers} keys={[props.side, 'trailers']} redacted={props.entry.redacted} onPick={props.onPick} />
    </div>
  );
}

async function copy(text: string): Promise<boolean> {
  try { await navigator.clipboard.writeText(text); return true; } catch { return false; }
}

export function EntryView(props: { entry: Entry; onPick: OnPick }): JSX.Element {
  const e = props.entry;
  const row = rowOf(e);
  const [copied, setCopied] = useState<string | null>(null);
  const isHttp = (e.protocol === 'http' || e.protocol === 'http2' || e.protocol === 'grpc');
  const curl = (e.protocol === 'http' || e.protocol === 'http2') && e.request !== null ? curlCommand(e.request, e.dst) : null;
  return (
    <div className="entry-view" data-testid="entry-details">
      <div className="entry-head">
        <span className={`badge p-${e.protocol}`}>{e.protocol}</span>
        <span className="mono head-summary">{row.method} {row.target}</span>
        <span className={row.error ? 'err-text' : 'ok-text'}>{row.status}</span>
      </div>
      <div className="entry-actions">
        {curl !== null ? <button type="button" onClick={() => { void copy(curl).then((ok) => setCopied(ok ? 'curl command copied' : curl)); }}>Copy as curl</button> : null}
        {isHttp ? <a className="button" href={harUrl(entryFilter(e.id))} download={`${e.id}.har`}>Download HAR</a> : null}
        <a className="button" href={pcapngUrl(connectionFilter(e.connectionId))} download={`${e.connectionId}.pcapng`}>Download pcapng (connection)</a>
        {copied !== null ? <pre className="copied mono" role="status">{copied}</pre> : null}
      </div>
      <table className="kv timing"><tbody>
        <tr><th>started</th><td className="mono">{new Date(e.timestamp).toISOString()} ({formatTime(e.timestamp)})</td><th>elapsed</th><td className="mono">{formatMs(e.elapsedTime) || '—'}</td></tr>
        <tr><th>transport</th><td className="mono">{e.transport}</td><th>connection</th><td className="mono"><Pickable field="connectionId" value={e.connectionId} onPick={props.onPick} /></td></tr>
        {e.flags.length > 0 ? <tr><th>flags</th><td colSpan={3} className="mono warn-text">{e.flags.join(', ')}</td></tr> : null}
        {e.redacted !== undefined && e.redacted.length > 0 ? <tr><th>redacted</th><td colSpan={3} className="mono">{e.redacted.join(', ')}</td></tr> : null}
      </tbody></table>
      <div className="endpoints">
        <EndpointTable label="source (client)" side="src" p={e.src} onPick={props.onPick} />
        <EndpointTable label="destination (server)" side="dst" p={e.dst} onPick={props.onPick} />
      </div>
      <ProtocolFields entry={e} onPick={props.onPick} />
      {isHttp ? (
        <div className="sides">
          <HttpSide side="request" msg={e.request as HttpRequest | null} entry={e} onPick={props.onPick} />
          <HttpSide side="response" msg={e.response as HttpResponse | null} entry={e} onPick={props.onPick} />
        </div>
      ) : (
        <div className="sides">
          <div className="side" data-testid="request-side"><h4>request</h4><JsonTree value={(e as { request?: unknown }).request ?? null} keys={['request']} openDepth={3} onPick={(k, v) => props.onPick(filterPath(k), v)} /></div>
          <div className="side" data-testid="response-side"><h4>response</h4><JsonTree value={(e as { response?: unknown }).response ?? null} keys={['response']} openDepth={3} onPick={(k, v) => props.onPick(filterPath(k), v)} /></div>
        </div>
      )}
    </div>
  );
}

/** Loads the full entry (list rows have no body text) and shows it. */
export function EntryDetails(props: { id: string; onPick: OnPick; onClose: () => void }): JSX.Element {
  const [state, setState] = useState<{ entry: Entry } | { error: string } | null>(null);
  useEffect(() => {
    let stale = false;
    setState(null);
    fetchEntry(props.id).then((entry) => { if (!stale) setState({ entry }); }, (err: unknown) => { if (!stale) setState({ error: err instanceof ApiError ? err.message : String(err) }); });
    return () => { stale = true; };
  }, [props.id]);
  return (
    <aside className="details-pane" aria-label="Entry details">
      <div className="details-bar"><span className="muted mono">{props.id}</span><button type="button" onClick={props.onClose} aria-label="Close details (Escape)">Close</button></div>
      {state === null ? <div className="muted pad">loading…</div> : 'error' in state ? <div className="err-text pad">{state.error}</div> : <EntryView entry={state.entry} onPick={props.onPick} />}
    </aside>
  );
}
