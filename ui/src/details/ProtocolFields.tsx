/**
 * The fields that matter per protocol, above the full request/response:
 * gRPC status and decoded messages, SQL text and rows, the Redis command and
 * reply, Kafka topics and partitions, DNS questions and answers.
 */
import type { Entry } from '../../../src/entries/types.js';
import type { GrpcMessage, ProtoField } from '../../../src/dissectors/http2/types.js';
import type { OnPick } from './EntryDetails.js';

function Fact(props: { k: string; field?: string; v: string | number | null | undefined; onPick: OnPick; mono?: boolean }): JSX.Element | null {
  if (props.v === undefined || props.v === null || props.v === '') return null;
  const value = props.v;
  const field = props.field;
  return (
    <tr><th>{props.k}</th><td className={props.mono === false ? '' : 'mono'}>
      {field !== undefined ? <button type="button" className="pick" title={`Filter: ${field}`} onClick={() => props.onPick(field, value)}>{String(value)}</button> : String(value)}
    </td></tr>
  );
}

function Rows(props: { columns: string[]; rows: Array<Array<string | null>>; total?: number | undefined }): JSX.Element | null {
  if (props.columns.length === 0) return null;
  return (
    <div className="rows-table">
      <table className="grid mono" data-testid="result-rows">
        <thead><tr>{props.columns.map((c, i) => <th key={i}>{c}</th>)}</tr></thead>
        <tbody>{props.rows.map((r, i) => <tr key={i}>{r.map((c, j) => <td key={j}>{c === null ? <span className="muted">NULL</span> : c}</td>)}</tr>)}</tbody>
      </table>
      {props.total !== undefined && props.total > props.rows.length ? <div className="muted">showing {props.rows.length} of {props.total} rows</div> : null}
    </div>
  );
}

function ProtoTree(props: { fields: ProtoField[] }): JSX.Element {
  return (
    <ul className="proto-tree mono">
      {props.fields.map((f, i) => (
        <li key={i}><span className="j-key">{f.field}</span> <span className="muted">{f.kind}</span> {f.fields !== undefined ? <ProtoTree fields={f.fields} /> : <span className="j-str">{f.value}</span>}</li>
      ))}
    </ul>
  );
}

function Messages(props: { title: string; messages: GrpcMessage[]; count: number }): JSX.Element | null {
  if (props.count === 0) return null;
  return (
    <details open className="section" data-testid="grpc-messages">
      <summary>{props.title} <span className="muted">({props.count}{props.count > props.messages.length ? `, ${props.messages.length} kept` : ''})</span></summary>
      {props.messages.map((m, i) => (
        <div key={i} className="grpc-message">
          <div className="muted">#{i + 1} · {m.size} B{m.compressed ? ` · compressed${m.decodedFrom !== undefined ? ` (${m.decodedFrom})` : ''}` : ''}{m.truncated ? ' · truncated' : ''}</div>
          {m.fields !== null ? <ProtoTree fields={m.fields} /> : <pre className="body-text">{m.data}</pre>}
        </div>
      ))}
    </details>
  );
}

export function ProtocolFields(props: { entry: Entry; onPick: OnPick }): JSX.Element | null {
  const e = props.entry;
  const pick = props.onPick;
  switch (e.protocol) {
    case 'grpc': {
      const req = e.request, res = e.response;
      return (
        <div className="proto-fields" data-testid="protocol-fields">
          <table className="kv"><tbody>
            <Fact k="service" field="request.grpcService" v={req?.grpcService} onPick={pick} />
            <Fact k="method" field="request.grpcMethod" v={req?.grpcMethod} onPick={pick} />
            <Fact k="grpc-status" field="response.grpcStatus" v={res?.grpcStatus === null || res === null ? undefined : `${res.grpcStatus} ${res.grpcStatusName}`} onPick={pick} />
            <Fact k="grpc-message" v={res?.grpcMessage} onPick={pick} />
            <Fact k="stream" field="streamId" v={e.streamId} onPick={pick} />
          </tbody></table>
          <div className="sides">
            <div className="side">{req !== null ? <Messages title="Request messages" messages={req.messages} count={req.messageCount} /> : null}</div>
            <div className="side">{res !== null ? <Messages title="Response messages" messages={res.messages} count={res.messageCount} /> : null}</div>
          </div>
        </div>
      );
    }
    case 'postgres': {
      const req = e.request, res = e.response;
      return (
        <div className="proto-fields" data-testid="protocol-fields">
          {req !== null && req.query !== '' ? <pre className="sql mono" data-testid="sql-text">{req.query}</pre> : null}
          <table className="kv"><tbody>
            <Fact k="type" field="request.type" v={req?.type} onPick={pick} />
            <Fact k="statement" v={req?.statement} onPick={pick} />
            <Fact k="parameters" v={req?.parameters?.map((p) => p ?? 'NULL').join(', ')} onPick={pick} />
            <Fact k="user / database" v={req?.startup !== undefined ? `${req.startup.user} / ${req.startup.database}` : undefined} onPick={pick} />
            <Fact k="command tag" field="response.commandTag" v={res?.commandTag} onPick={pick} />
            <Fact k="rows" v={res?.rows} onPick={pick} />
            <Fact k="error" field="response.error.code" v={res?.error !== null && res?.error !== undefined ? `${res.error.code} ${res.error.severity}: ${res.error.message}` : undefined} onPick={pick} />
          </tbody></table>
          {res !== null ? <Rows columns={res.columns} rows={res.sample} total={res.rows} /> : null}
        </div>
      );
    }
    case 'mysql': {
      const req = e.request, res = e.response;
      return (
        <div className="proto-fields" data-testid="protocol-fields">
          {req?.query !== undefined ? <pre className="sql mono" data-testid="sql-text">{req.query}</pre> : null}
          <table className="kv"><tbody>
            <Fact k="command" field="request.command" v={req?.command} onPick={pick} />
            <Fact k="user / database" v={req?.user !== undefined ? `${req.user} / ${req.database ?? ''}` : undefined} onPick={pick} />
            <Fact k="status" field="response.status" v={res?.status} onPick={pick} />
            <Fact k="affected rows" v={res?.affectedRows} onPick={pick} />
            <Fact k="error" v={res?.error !== undefined ? `${res.errorCode ?? ''} ${res.sqlState ?? ''} ${res.error}` : undefined} onPick={pick} />
          </tbody></table>
          {res?.columns !== undefined ? <Rows columns={res.columns} rows={res.rows ?? []} total={res.rowCount} /> : null}
        </div>
      );
    }
    case 'redis': {
      const req = e.request, res = e.response;
      return (
        <div className="proto-fields" data-testid="protocol-fields">
          {req !== null ? <pre className="sql mono" data-testid="redis-command">{[req.command, ...req.args].join(' ')}{req.argCount > req.args.length ? ` … (${req.argCount} args)` : ''}</pre> : null}
          <table className="kv"><tbody>
            <Fact k="command" field="request.command" v={req?.command} onPick={pick} />
            <Fact k="key" field="request.key" v={req?.key} onPick={pick} />
            <Fact k="reply type" field="response.type" v={res?.type} onPick={pick} />
            <Fact k="reply" v={res?.value} onPick={pick} />
            <Fact k="error" field="response.error" v={res?.error} onPick={pick} />
          </tbody></table>
        </div>
      );
    }
    case 'kafka': {
      const topics = e.request?.topics ?? e.response?.topics ?? [];
      return (
        <div className="proto-fields" data-testid="protocol-fields">
          <table className="kv"><tbody>
            <Fact k="api" field="apiName" v={`${e.apiName} v${e.request?.apiVersion ?? '?'}`} onPick={pick} />
            <Fact k="client id" field="request.clientId" v={e.request?.clientId} onPick={pick} />
            <Fact k="correlation id" v={e.request?.correlationId} onPick={pick} />
            <Fact k="error" field="response.errorName" v={e.response !== null && e.response.errorCode !== 0 ? e.response.errorName : undefined} onPick={pick} />
          </tbody></table>
          {topics.length > 0 ? (
            <table className="grid mono"><thead><tr><th>topic</th><th>partitions</th><th>records</th></tr></thead>
              <tbody>{topics.map((t, i) => (
                <tr key={i}><td>{t.name}</td><td>{t.partitions.map((p) => p.partition).join(', ')}</td><td>{t.partitions.reduce((n, p) => n + (p.records ?? 0), 0)}</td></tr>
              ))}</tbody></table>
          ) : null}
        </div>
      );
    }
    case 'dns': {
      const req = e.request, res = e.response;
      return (
        <div className="proto-fields" data-testid="protocol-fields">
          <table className="kv"><tbody>
            {(req?.questions ?? []).map((q, i) => <Fact key={i} k={`question ${i + 1}`} field={`request.questions[${i}].name`} v={q.name} onPick={pick} />)}
            <Fact k="type" field="request.questions[0].type" v={req?.questions[0]?.type} onPick={pick} />
            <Fact k="rcode" field="response.rcodeName" v={res?.rcodeName} onPick={pick} />
          </tbody></table>
          {res !== null && res.answers.length > 0 ? (
            <table className="grid mono"><thead><tr><th>name</th><th>type</th><th>ttl</th><th>data</th></tr></thead>
              <tbody>{res.answers.map((a, i) => <tr key={i}><td>{a.name}</td><td>{a.type}</td><td>{a.ttl}</td><td>{a.data}</td></tr>)}</tbody></table>
          ) : null}
        </div>
      );
    }
    default:
      return null;
  }
}
