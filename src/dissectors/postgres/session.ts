/**
 * Binding of messages to exchanges for one connection. The server answers
 * the client's messages strictly in order, so exchanges wait in one FIFO
 * queue and each server message applies to the oldest unfinished one.
 *
 * 1. Untagged client messages: StartupMessage opens a 'startup' exchange
 *    (authentication, ParameterStatus, BackendKeyData, up to ReadyForQuery);
 *    SSLRequest/GSSENCRequest open one answered by a single byte ('S'/'G':
 *    the rest is encrypted and parsing stops; 'N': go on); CancelRequest is
 *    an entry by itself (the server never answers it on this connection).
 * 2. Query ('Q') is one exchange up to ReadyForQuery, whatever it runs.
 * 3. Extended protocol: Parse/Bind/Describe open a cycle exchange; Execute
 *    makes it an 'execute' exchange complete at CommandComplete,
 *    EmptyQueryResponse, PortalSuspended or ErrorResponse; a Sync marks the
 *    last exchange of the cycle as also waiting for ReadyForQuery (a cycle
 *    without Execute becomes a 'prepare' exchange). ReadyForQuery completes
 *    every exchange up to the cycle's end: those the server skipped after an
 *    error end there with no result.
 * 4. A server message with nothing waiting opens a 'no-request' exchange
 *    (the capture began mid-way); a lone ReadyForQuery or async message is dropped.
 *
 * Limits: MAX_PENDING_EXCHANGES, MAX_PREPARED_STATEMENTS, MAX_SAMPLE_ROWS,
 * MAX_VALUES, MAX_VALUE_BYTES, MAX_NOTICES, MAX_COLUMNS, MAX_PARAMETERS
 * (startup and server parameters); each hit is a `postgres_*_limit` weird.
 */
import type { ConnectionContext } from '../types.js';
import type { Entry } from '../../entries/types.js';
import {
  addFlag, buildPostgresEntry, newResponse, type PgExchange, type PostgresNotice, type PostgresRequest,
} from './entry.js';
import {
  AUTH_NAMES, bindMessage, CANCEL_REQUEST, Cursor, dataRow, GSSENC_REQUEST, nameValues, noticeFields, parseMessage,
  protocolVersion, rowDescription, SSL_REQUEST, tagCount,
} from './parser.js';
import { BARE_BYTE, UNTAGGED, type PgMessage } from './reader.js';

export const MAX_PENDING_EXCHANGES = 1024;
export const MAX_PREPARED_STATEMENTS = 256;
export const MAX_SAMPLE_ROWS = 10;
/** Values kept per sampled row and per Bind. */
export const MAX_VALUES = 64;
export const MAX_VALUE_BYTES = 256;
export const MAX_NOTICES = 16;
export const MAX_COLUMNS = 256;
export const MAX_PARAMETERS = 64;
/** Notice/error fields and names are cut at this many bytes. */
const MAX_FIELD_BYTES = 4096;

const Q = 0x51, P = 0x50, B = 0x42, D = 0x44, E = 0x45, S = 0x53, C = 0x43, X = 0x58, F = 0x46;
const COPY_DATA = 0x64, COPY_DONE = 0x63, COPY_FAIL = 0x66, PASSWORD = 0x70, FLUSH = 0x48;

type EndsOn = 'result' | 'ready' | 'byte';

interface Pending extends PgExchange {
  endsOn: EndsOn;
  /** Execute exchange followed by the cycle's Sync: also waits for ReadyForQuery. */
  syncAfter: boolean;
  /** Not an entry (a bare Sync): only keeps ReadyForQuery in step. */
  hidden: boolean;
  resultDone: boolean;
  dataRows: number;
  tagRows: number;
  tags: string[];
}

const TX_STATUS: Record<number, string> = { 0x49: 'idle', 0x54: 'transaction', 0x45: 'failed' };

export class PgSession {
  /** Set when TLS or GSS encryption was accepted: nothing more can be read. */
  encrypted = false;
  private readonly queue: Pending[] = [];
  /** The extended-protocol exchange being built (pushed, not executed yet). */
  private open: Pending | null = null;
  /** The last exchange of the current extended cycle (for Sync). */
  private lastInCycle: Pending | null = null;
  private readonly statements = new Map<string, string>();
  /** Portal name → statement name. */
  private readonly portals = new Map<string, { statement: string; parameters: Array<string | null> }>();
  /** The next exchange opened gets 'gap' (client bytes were lost). */
  private clientGap = false;
  private serverMessages = 0;

  constructor(private readonly ctx: ConnectionContext) {}

  /**
   * Is the server byte at `data[off]` a bare SSL/GSS answer? Yes when a
   * request waits for one; also when nothing came from the server yet and it
   * is 'N'/'S'/'G' not followed by a length's 0 high byte (the capture began
   * after the client's request).
   */
  wantsByte(data: Uint8Array, off: number): boolean {
    const h = this.head();
    if (h !== undefined) return h.endsOn === 'byte';
    if (this.serverMessages > 0) return false;
    const b = data[off];
    return (b === 0x4e || b === 0x53 || b === 0x47) && (off + 1 >= data.length || data[off + 1] !== 0);
  }

  // --- client side ---------------------------------------------------------

  client(m: PgMessage): void {
    switch (m.type) {
      case UNTAGGED: this.untagged(m); break;
      case Q: this.push(m, { type: 'query', query: this.text(m) }, 'ready'); this.closeCycle(); break;
      case P: this.parse(m); break;
      case B: this.bind(m); break;
      case D: this.describe(m); break;
      case C: this.closeStatement(m); break;
      case E: this.execute(m); break;
      case S: this.sync(m); break;
      case F: this.push(m, { type: 'function-call', query: '' }, 'ready'); break;
      case COPY_DATA: this.copyIn(m.length); break;
      case COPY_DONE: case COPY_FAIL: case FLUSH: case X: case PASSWORD: break;
      default: this.ctx.weird('postgres_unknown_client_message'); break;
    }
  }

  private untagged(m: PgMessage): void {
    const c = new Cursor(m.body);
    const code = c.int32();
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      this.push(m, { type: code === SSL_REQUEST ? 'ssl' : 'gssenc', query: '' }, 'byte');
    } else if (code === CANCEL_REQUEST) {
      const processId = c.int32();
      const ex = this.newExchange(m, { type: 'cancel', query: '', cancel: { processId } }, 'ready');
      ex.response = null;
      this.emit(ex);
    } else if (code >>> 16 === 3) {
      const { pairs, dropped } = nameValues(c, MAX_PARAMETERS, MAX_FIELD_BYTES);
      if (dropped > 0) this.ctx.weird('postgres_parameter_limit');
      this.push(m, {
        type: 'startup', query: '',
        startup: {
          protocolVersion: protocolVersion(code), user: pairs.user ?? '', database: pairs.database ?? pairs.user ?? '',
          applicationName: pairs.application_name ?? '', parameters: pairs,
        },
      }, 'ready');
    } else {
      this.ctx.weird('postgres_unknown_startup_code');
    }
  }

  private text(m: PgMessage): string {
    const max = this.ctx.options.maxBodyBytes;
    const end = m.body.indexOf(0);
    const stop = end < 0 ? m.body.length : end;
    if (m.truncated || end < 0 || stop > max) this.ctx.weird('postgres_query_truncated');
    return new Cursor(m.body.subarray(0, Math.min(stop, max))).cstring();
  }

  /** The open cycle exchange, created on the first extended message after a Sync or Execute. */
  private cycle(m: PgMessage): Pending {
    if (this.open === null) {
      this.open = this.push(m, { type: 'prepare', query: '' }, 'result');
      this.lastInCycle = this.open;
    }
    return this.open;
  }

  private parse(m: PgMessage): void {
    const ex = this.cycle(m);
    const p = parseMessage(m.body, this.ctx.options.maxBodyBytes);
    if (m.truncated || p.queryBytes > this.ctx.options.maxBodyBytes) this.ctx.weird('postgres_query_truncated');
    if (!this.statements.has(p.statement) && this.statements.size >= MAX_PREPARED_STATEMENTS) {
      this.ctx.weird('postgres_statement_limit');
      this.statements.delete(this.statements.keys().next().value as string); // forget the oldest
    }
    this.statements.set(p.statement, p.query);
    ex.request!.query = p.query;
    ex.request!.statement = p.statement;
  }

  private bind(m: PgMessage): void {
    const ex = this.cycle(m);
    const b = bindMessage(m.body, MAX_VALUES, MAX_VALUE_BYTES);
    if (b.count > MAX_VALUES) this.ctx.weird('postgres_values_limit');
    if (!this.portals.has(b.portal) && this.portals.size >= MAX_PREPARED_STATEMENTS) {
      this.ctx.weird('postgres_portal_limit');
      this.portals.delete(this.portals.keys().next().value as string);
    }
    this.portals.set(b.portal, { statement: b.statement, parameters: b.parameters });
    ex.request!.statement = b.statement;
    ex.request!.query = this.statements.get(b.statement) ?? ex.request!.query;
    ex.request!.parameters = b.parameters;
  }

  private describe(m: PgMessage): void {
    const req = this.cycle(m).request!;
    const c = new Cursor(m.body);
    const what = c.byte();
    const name = c.cstring(1024);
    const stmt = what === S ? name : this.portals.get(name)?.statement;
    if (req.query === '' && stmt !== undefined) {
      req.query = this.statements.get(stmt) ?? '';
      req.statement = stmt;
    }
  }

  private closeStatement(m: PgMessage): void {
    this.cycle(m);
    const c = new Cursor(m.body);
    const what = c.byte();
    const name = c.cstring(1024);
    if (what === S) this.statements.delete(name);
    else this.portals.delete(name);
  }

  private execute(m: PgMessage): void {
    const ex = this.cycle(m);
    const portal = new Cursor(m.body).cstring(1024);
    const bound = this.portals.get(portal);
    const req = ex.request!;
    req.type = 'execute';
    if (bound !== undefined) {
      req.statement = bound.statement;
      req.parameters = bound.parameters;
      const q = this.statements.get(bound.statement);
      if (q !== undefined) req.query = q;
    }
    if (req.query === '') this.ctx.weird('postgres_unknown_statement');
    req.statement ??= '';
    req.parameters ??= [];
    this.open = null; // the next extended message starts another exchange of this cycle
  }

  private sync(m: PgMessage): void {
    const last = this.lastInCycle;
    if (this.open !== null) {
      // A cycle without Execute: Parse/Describe/Close only, answered up to ReadyForQuery.
      this.open.endsOn = 'ready';
      this.open.request!.statement ??= '';
    } else if (last !== null && !last.syncAfter && this.queue.includes(last)) {
      last.syncAfter = true;
    } else {
      const ex = this.push(m, { type: 'prepare', query: '' }, 'ready');
      ex.hidden = true;
    }
    this.closeCycle();
  }

  private closeCycle(): void {
    this.open = null;
    this.lastInCycle = null;
  }

  private copyIn(bytes: number): void {
    // CopyData follows the server's CopyInResponse: it belongs to the newest exchange waiting.
    const ex = this.queue[this.queue.length - 1];
    if (ex === undefined || ex.request === null) { this.ctx.weird('postgres_unpaired_copy_data'); return; }
    const c = (ex.request.copyIn ??= { messages: 0, bytes: 0 });
    c.messages++;
    c.bytes += bytes;
  }

  private newExchange(m: PgMessage, request: PostgresRequest, endsOn: EndsOn): Pending {
    const ex: Pending = {
      request, response: newResponse(), flags: [], startTs: m.startTs, endTs: m.endTs, done: false, formats: [],
      endsOn, syncAfter: false, hidden: false, resultDone: false, dataRows: 0, tagRows: -1, tags: [],
    };
    if (this.clientGap) { ex.flags.push('gap'); this.clientGap = false; }
    if (m.truncated) addFlag(ex.flags, 'truncated');
    return ex;
  }

  private push(m: PgMessage, request: PostgresRequest, endsOn: EndsOn): Pending {
    const ex = this.newExchange(m, request, endsOn);
    this.queue.push(ex);
    if (this.queue.length > MAX_PENDING_EXCHANGES) {
      this.ctx.weird('postgres_pending_limit');
      const old = this.queue.shift()!;
      addFlag(old.flags, 'no-response');
      this.finish(old);
    }
    return ex;
  }

  // --- server side ---------------------------------------------------------

  private head(): Pending | undefined {
    return this.queue[0];
  }

  server(m: PgMessage): void {
    const t = m.type;
    this.serverMessages++;
    if (t === BARE_BYTE) { this.encryptionAnswer(m); return; }
    // Asynchronous messages may come at any time (ParameterStatus after SET, notifications).
    if (t === 0x41) return; // NotificationResponse
    let ex = this.head();
    if (ex === undefined) {
      if (t === 0x5a || t === 0x53 || t === 0x4e) { this.ctx.weird('postgres_unpaired_server_message'); return; }
      ex = this.newExchange(m, { type: 'query', query: '' }, 'ready');
      ex.request = null;
      ex.flags.push('no-request');
      this.queue.push(ex);
    }
    ex.endTs = m.endTs;
    const r = ex.response!;
    switch (t) {
      case 0x52: this.auth(ex, m.body); break; // R
      case 0x53: { // S: ParameterStatus
        if (ex.request?.type !== 'startup') break;
        const c = new Cursor(m.body);
        const name = c.cstring(MAX_FIELD_BYTES);
        const value = c.cstring(MAX_FIELD_BYTES);
        const sp = (r.serverParameters ??= {});
        if (Object.keys(sp).length < MAX_PARAMETERS) sp[name] = value;
        else this.ctx.weird('postgres_parameter_limit');
        break;
      }
      case 0x4b: r.processId = new Cursor(m.body).int32(); break; // K: BackendKeyData
      case 0x54: { // T: RowDescription
        const d = rowDescription(m.body, MAX_COLUMNS, MAX_FIELD_BYTES);
        if (d.count > MAX_COLUMNS) this.ctx.weird('postgres_columns_limit');
        r.columns = d.names;
        ex.formats = d.formats;
        break;
      }
      case 0x44: // D: DataRow
        ex.dataRows++;
        if (r.sample.length < MAX_SAMPLE_ROWS) r.sample.push(dataRow(m.body, ex.formats, MAX_VALUES, MAX_VALUE_BYTES));
        break;
      case 0x43: this.commandComplete(ex, new Cursor(m.body).cstring(MAX_FIELD_BYTES)); break; // C
      case 0x49: case 0x73: this.result(ex); break; // I: EmptyQueryResponse, s: PortalSuspended
      case 0x45: this.error(ex, noticeFields(m.body, MAX_FIELD_BYTES)); break; // E
      case 0x4e: // N: NoticeResponse
        if (r.notices.length < MAX_NOTICES) r.notices.push(notice(noticeFields(m.body, MAX_FIELD_BYTES)));
        else this.ctx.weird('postgres_notices_limit');
        break;
      case 0x5a: this.ready(m.body[0] ?? 0); break; // Z
      case 0x48: case 0x57: r.copyOut ??= { messages: 0, bytes: 0 }; break; // H, W: CopyOut/CopyBoth
      case 0x64: { const c = (r.copyOut ??= { messages: 0, bytes: 0 }); c.messages++; c.bytes += m.length; break; } // d
      default: break; // 1 2 3 n t c G V v: nothing to record
    }
  }

  private auth(ex: Pending, body: Uint8Array): void {
    const code = new Cursor(body).int32();
    const r = ex.response!;
    (r.authentication ??= []).push(AUTH_NAMES[code] ?? `unknown-${code}`);
    if (code === 0) r.authenticated = true;
    else r.authenticated ??= false;
  }

  private encryptionAnswer(m: PgMessage): void {
    const ex = this.head();
    const b = m.body[0];
    if (ex === undefined || ex.endsOn !== 'byte') {
      // Mid-way: the request was not seen. Accepted means the rest is encrypted.
      if (b === 0x53 || b === 0x47) this.encrypted = true;
      return;
    }
    ex.endTs = m.endTs;
    ex.response!.encryption = b === 0x53 || b === 0x47 ? 'accepted' : 'refused';
    if (b !== 0x4e && b !== 0x53 && b !== 0x47) { this.ctx.weird('postgres_bad_encryption_answer'); addFlag(ex.flags, 'violation'); }
    if (ex.response!.encryption === 'accepted') this.encrypted = true;
    this.complete(ex);
  }

  private commandComplete(ex: Pending, tag: string): void {
    ex.tags.push(tag);
    const n = tagCount(tag);
    if (n >= 0) ex.tagRows = (ex.tagRows < 0 ? 0 : ex.tagRows) + n;
    this.result(ex);
  }

  /** A result ended: an Execute is complete unless it waits for ReadyForQuery too. */
  private result(ex: Pending): void {
    if (ex.endsOn !== 'result') return;
    ex.resultDone = true;
    if (!ex.syncAfter) this.complete(ex);
  }

  private error(ex: Pending, f: ReturnType<typeof noticeFields>): void {
    ex.response!.error = notice(f);
    if (ex.endsOn === 'result') this.result(ex);
    else if (ex.request?.type === 'startup' && (f.severity === 'FATAL' || f.severity === 'PANIC')) this.complete(ex);
  }

  /** ReadyForQuery: completes exchanges up to the end of the cycle it closes. */
  private ready(status: number): void {
    const txs = TX_STATUS[status] ?? '';
    const end = this.queue.findIndex((e) => e.endsOn === 'ready' || e.syncAfter);
    // No cycle end waiting (its Sync was lost): ReadyForQuery closes the oldest only.
    for (let n = end < 0 ? Math.min(1, this.queue.length) : end + 1; n > 0; n--) {
      const ex = this.queue[0];
      if (ex.response !== null) ex.response.transactionStatus = txs;
      this.complete(ex);
    }
  }

  private complete(ex: Pending): void {
    const i = this.queue.indexOf(ex);
    if (i >= 0) this.queue.splice(i, 1);
    this.finish(ex);
  }

  private finish(ex: Pending): void {
    if (ex.hidden) return;
    const r = ex.response;
    if (r !== null) {
      r.commandTag = ex.tags.join('; ');
      r.rows = ex.tagRows >= 0 ? ex.tagRows : ex.dataRows;
    }
    if (this.open === ex) this.open = null;
    if (this.lastInCycle === ex) this.lastInCycle = null;
    this.emit(ex);
  }

  private emit(ex: Pending): void {
    // Cast: PostgresEntry joins the Entry union when the shared types are merged.
    this.ctx.emit(buildPostgresEntry(this.ctx, ex));
  }

  // --- stream events -------------------------------------------------------

  clientLost(): void {
    this.clientGap = true;
  }

  serverLost(): void {
    const ex = this.head();
    if (ex !== undefined) addFlag(ex.flags, 'gap');
  }

  /** End of the connection: whatever waits is emitted ('no-response' when nothing came back). */
  close(): void {
    while (this.queue.length > 0) {
      const ex = this.queue.shift()!;
      const r = ex.response;
      const answered = r !== null && (r.commandTag !== '' || ex.tags.length > 0 || r.error !== null || ex.dataRows > 0
        || r.columns.length > 0 || r.authentication !== undefined || r.notices.length > 0 || r.copyOut !== undefined);
      if (!answered && ex.request !== null) {
        ex.response = null;
        addFlag(ex.flags, 'no-response');
      } else if (ex.request !== null && ex.request.type !== 'startup') {
        addFlag(ex.flags, 'truncated'); // the answer was cut short by the end of the connection
      }
      this.finish(ex);
    }
  }
}

function notice(f: ReturnType<typeof noticeFields>): PostgresNotice {
  const n: PostgresNotice = { severity: f.severity, code: f.code, message: f.message };
  if (f.detail !== undefined) n.detail = f.detail;
  if (f.hint !== undefined) n.hint = f.hint;
  if (f.position !== undefined) n.position = f.position;
  return n;
}
