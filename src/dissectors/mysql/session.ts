/**
 * The binding of packets to entries for one connection: the login phases
 * (greeting → handshake response → authentication exchanges → OK/ERR), then
 * commands answered in order. Commands wait in a FIFO (MAX_PENDING); the
 * head one collects server packets until its answer is complete.
 *
 * Result sets are read without relying on CLIENT_DEPRECATE_EOF being known
 * (a capture may start after the handshake): the 5-byte EOF after column
 * definitions is told apart from the OK that ends rows with that capability
 * (at least 7 bytes), and a row never starts with 0xfe unless it is 16 MiB.
 *
 * Anomalies (ctx.weird): mysql_unsolicited_packet, mysql_unexpected_client_packet,
 * mysql_malformed_<what>, mysql_pending_limit, mysql_statement_limit,
 * mysql_sequence_mismatch, mysql_payload_truncated, mysql_partial_packet_at_end,
 * mysql_resync_dropped, mysql_gap_partial_packet.
 */
import type { EntryFlag } from '../../entries/types.js';
import type { ConnectionContext } from '../types.js';
import * as C from './codes.js';
import { addFlag, buildMysqlEntry, emitMysql, type MysqlRequest, type MysqlResponse } from './entry.js';
import type { MysqlPacket } from './framer.js';
import {
  isEof, parseBinaryRow, parseColumnDef, parseEof, parseErr, parseExecute, parseGreeting, parseHandshakeResponse,
  parseOk, parsePrepareOk, parseTextRow, queryTextOffset, type ColumnDef, type ParamType,
} from './parser.js';
import { cstring, lenenc, text, u32 } from './wire.js';

/** Commands waiting for an answer; beyond it the oldest is emitted without one. */
export const MAX_PENDING = 64;
/** Prepared statements remembered per connection (oldest forgotten first). */
export const MAX_STATEMENTS = 256;
/** Column names (and definitions, for binary rows) kept per result set. */
export const MAX_COLUMNS_KEPT = 256;
/** Rows kept as a sample per command. */
export const MAX_SAMPLE_ROWS = 10;

type Phase = 'greeting' | 'login' | 'auth' | 'command' | 'opaque';
type RState = 'first' | 'columns' | 'afterColumns' | 'rows' | 'prepParams' | 'prepColumns' | 'prepEof' | 'infile' | 'fieldList' | 'done';

interface Statement { query: string; params: number; types: ParamType[] | null }

interface Active {
  cmd: number;
  request: MysqlRequest;
  ts: number;
  flags: EntryFlag[];
  response: MysqlResponse | null;
  state: RState;
  left: number;
  defs: ColumnDef[];
  binary: boolean;
  /** Sequence id the next server packet should carry. */
  seq: number;
  /** COM_STMT_PREPARE: columns to read after the parameters, and the id. */
  prepColumns: number;
  afterEof: RState;
}

export class MysqlSession {
  private phase: Phase = 'greeting';
  private serverCaps: number | null = null;
  private clientCaps: number | null = null;
  private readonly queue: Active[] = [];
  private handshake: Active | null = null;
  private readonly statements = new Map<number, Statement>();
  /** Capabilities unknown and a prepare answer ended: one trailing EOF may follow. */
  private strayEof = false;
  lastServerTs = 0;

  constructor(private readonly ctx: ConnectionContext) {}

  /** Both sides agreed on the capability; null when the handshake was not seen. */
  private agreed(flag: number): boolean | null {
    if (this.clientCaps === null) return null;
    return (this.clientCaps & flag) !== 0 && (this.serverCaps === null || (this.serverCaps & flag) !== 0);
  }

  private get caps(): number {
    return this.clientCaps ?? C.CLIENT_PROTOCOL_41;
  }

  /** Has the connection become opaque (TLS, binlog stream)? */
  get opaque(): boolean {
    return this.phase === 'opaque';
  }

  /** The server framer may resume after a gap: only at an answer to a command sent after it. */
  serverCanResync(): boolean {
    return this.queue.length > 0 && this.queue[0].response === null;
  }

  clientPacket(pkt: MysqlPacket): void {
    if (pkt.truncated) this.ctx.weird('mysql_payload_truncated');
    const p = pkt.payload;
    if (this.phase === 'opaque') return;
    if ((this.phase === 'login' || this.phase === 'greeting') && pkt.seq === 1) return this.loginRequest(pkt);
    if (pkt.seq === 0 && p.length > 0) {
      if (this.phase === 'auth' && this.handshake !== null) this.finishHandshake(['no-response']);
      this.phase = 'command';
      return this.command(pkt);
    }
    const head = this.queue[0];
    if (this.phase === 'auth') return; // authentication data (scrambles, public key requests)
    if (head !== undefined && head.state === 'infile') {
      head.request.infileBytes = (head.request.infileBytes ?? 0) + pkt.length;
      head.seq = pkt.seq + 1;
      return;
    }
    if (head !== undefined && head.cmd === C.COM_CHANGE_USER) return; // authentication data
    this.ctx.weird('mysql_unexpected_client_packet');
  }

  serverPacket(pkt: MysqlPacket, ts: number): void {
    if (pkt.truncated) this.ctx.weird('mysql_payload_truncated');
    this.lastServerTs = ts;
    const p = pkt.payload;
    switch (this.phase) {
      case 'opaque': return;
      case 'greeting': case 'login': return this.greeting(p, ts);
      case 'auth': return this.authAnswer(p, ts);
      default: break;
    }
    const a = this.queue[0];
    if (a === undefined) {
      if (this.strayEof && isEof(p)) { this.strayEof = false; return; }
      if (p.length > 0 && p[0] === 0xff) {
        // An error nobody asked for (timeouts, shutdown) or the answer to a command we did not see.
        emitMysql(this.ctx, buildMysqlEntry(this.ctx, null, null, this.errResponse(p), ts, ['no-request']));
        return;
      }
      this.ctx.weird('mysql_unsolicited_packet');
      return;
    }
    if (a.state === 'first' && a.response === null && this.strayEof && isEof(p)) { this.strayEof = false; return; }
    this.strayEof = false;
    if (pkt.seq !== (a.seq & 0xff) && a.cmd !== C.COM_CHANGE_USER) this.ctx.weird('mysql_sequence_mismatch'); // CHANGE_USER: client auth packets count too
    a.seq = pkt.seq + 1;
    if (pkt.truncated) addFlag(a.flags, 'truncated');
    this.answer(a, p, pkt.length, ts);
    if (a.state === 'done') this.finish(a, ts);
  }

  private greeting(p: Uint8Array, ts: number): void {
    if (p.length > 0 && p[0] === 0xff) {
      // Refused before the handshake (host not allowed, too many connections).
      emitMysql(this.ctx, buildMysqlEntry(this.ctx, { command: 'HANDSHAKE' }, ts, this.errResponse(p), ts, []));
      this.phase = 'command';
      return;
    }
    const g = parseGreeting(p);
    if (g === null) { this.ctx.weird(this.phase === 'greeting' ? 'mysql_unsolicited_packet' : 'mysql_malformed_greeting'); return; }
    this.serverCaps = g.capabilities;
    this.handshake = this.active(-1, { command: 'HANDSHAKE', serverVersion: g.serverVersion, ...(g.authPlugin ? { authPlugin: g.authPlugin } : {}) }, ts);
    this.phase = 'login';
  }

  private loginRequest(pkt: MysqlPacket): void {
    const r = parseHandshakeResponse(pkt.payload);
    if (r.malformed && this.handshake === null) { this.ctx.weird('mysql_unexpected_client_packet'); return; } // no greeting seen: not a login
    if (r.malformed) this.ctx.weird('mysql_malformed_handshake_response');
    this.clientCaps = r.capabilities;
    const hs = this.handshake ?? this.active(-1, { command: 'HANDSHAKE' }, pkt.startTs);
    this.handshake = hs;
    if (r.malformed) addFlag(hs.flags, 'violation');
    if (r.sslRequest) {
      hs.request.tls = true;
      this.finishHandshake(['tunnel']);
      this.phase = 'opaque';
      return;
    }
    hs.request.user = r.user;
    if (r.database !== null) hs.request.database = r.database;
    if (r.authPlugin) hs.request.authPlugin = r.authPlugin;
    hs.seq = pkt.seq + 1;
    this.phase = 'auth';
  }

  private authAnswer(p: Uint8Array, ts: number): void {
    const hs = this.handshake;
    if (hs === null || p.length === 0) { this.ctx.weird('mysql_unsolicited_packet'); return; }
    if (p[0] === 0x00) {
      hs.response = this.okResponse(p);
    } else if (p[0] === 0xff) {
      hs.response = this.errResponse(p);
    } else {
      if (p[0] === 0xfe) {
        const plugin = cstring(p, 1).value;
        if (plugin) hs.request.authPlugin = plugin;
      }
      return; // auth switch (0xfe) or more data (0x01): the exchange goes on
    }
    this.lastServerTs = ts;
    this.finishHandshake([]);
    this.phase = 'command';
  }

  private finishHandshake(flags: EntryFlag[]): void {
    const hs = this.handshake;
    if (hs === null) return;
    this.handshake = null;
    for (const f of flags) addFlag(hs.flags, f);
    emitMysql(this.ctx, buildMysqlEntry(this.ctx, hs.request, hs.ts, hs.response, hs.response !== null ? this.lastServerTs : null, hs.flags));
  }

  private active(cmd: number, request: MysqlRequest, ts: number): Active {
    return { cmd, request, ts, flags: [], response: null, state: 'first', left: 0, defs: [], binary: false, seq: 1, prepColumns: 0, afterEof: 'done' };
  }

  private command(pkt: MysqlPacket): void {
    const p = pkt.payload;
    const cmd = p[0];
    const request: MysqlRequest = { command: C.commandName(cmd) };
    const maxQuery = this.ctx.options.maxBodyBytes;
    const sqlFrom = (off: number): void => {
      const end = Math.min(p.length, off + maxQuery);
      request.query = text(p, off, end);
      if (end < p.length || pkt.truncated) request.querySize = pkt.length - off;
    };
    const a = this.active(cmd, request, pkt.startTs);
    if (pkt.truncated) addFlag(a.flags, 'truncated');
    switch (cmd) {
      case C.COM_QUERY: {
        const off = queryTextOffset(p, this.agreed(C.CLIENT_QUERY_ATTRIBUTES) === true);
        if (off === -1) { this.ctx.weird('mysql_malformed_query_attributes'); addFlag(a.flags, 'violation'); sqlFrom(1); } else sqlFrom(off);
        break;
      }
      case C.COM_STMT_PREPARE: sqlFrom(1); break;
      case C.COM_INIT_DB: request.database = text(p, 1, p.length); break;
      case C.COM_FIELD_LIST: request.table = cstring(p, 1).value; break;
      case C.COM_CHANGE_USER: request.user = cstring(p, 1).value; break;
      case C.COM_STMT_EXECUTE: this.execute(p, request, a); break;
      default:
        if (p.length >= 5 && (cmd === C.COM_STMT_CLOSE || cmd === 0x1a || cmd === C.COM_STMT_FETCH || cmd === C.COM_STMT_SEND_LONG_DATA)) {
          request.statementId = u32(p, 1);
          if (cmd === C.COM_STMT_CLOSE) this.statements.delete(request.statementId);
        }
    }
    if (C.hasNoResponse(cmd)) {
      emitMysql(this.ctx, buildMysqlEntry(this.ctx, request, a.ts, null, null, a.flags));
      return;
    }
    if (this.queue.length >= MAX_PENDING) {
      this.ctx.weird('mysql_pending_limit');
      const old = this.queue.shift()!;
      this.finish(old, old.ts, 'no-response');
    }
    this.queue.push(a);
    if (cmd === C.COM_BINLOG_DUMP || cmd === C.COM_BINLOG_DUMP_GTID) {
      // Replication: the server streams events from here on; not dissected.
      this.queue.pop();
      emitMysql(this.ctx, buildMysqlEntry(this.ctx, request, a.ts, null, null, ['tunnel']));
      this.phase = 'opaque';
    }
  }

  private execute(p: Uint8Array, request: MysqlRequest, a: Active): void {
    if (p.length < 5) { this.ctx.weird('mysql_malformed_execute'); addFlag(a.flags, 'violation'); return; }
    request.statementId = u32(p, 1);
    const st = this.statements.get(request.statementId);
    if (st !== undefined) request.query = st.query;
    const ex = parseExecute(p, st?.params ?? null, st?.types ?? null);
    if (ex.params !== null) request.params = ex.params;
    if (st !== undefined && ex.types !== null) st.types = ex.types;
    a.binary = true;
  }

  /** One server packet of the answer to `a`. */
  private answer(a: Active, p: Uint8Array, length: number, ts: number): void {
    const b0 = p.length > 0 ? p[0] : -1;
    switch (a.state) {
      case 'first': {
        if (b0 === 0xff) { a.response = this.errResponse(p); a.state = 'done'; return; }
        if (a.cmd === C.COM_STMT_PREPARE && b0 === 0x00) return this.prepared(a, p);
        if (a.cmd === C.COM_FIELD_LIST) { a.response = { status: 'RESULTSET', columnCount: 0, columns: [] }; a.state = 'fieldList'; return this.answer(a, p, length, ts); }
        if (a.cmd === C.COM_STATISTICS) { a.response = { status: 'TEXT', text: text(p, 0, p.length) }; a.state = 'done'; return; }
        if (a.cmd === C.COM_CHANGE_USER && (b0 === 0xfe || b0 === 0x01)) return; // authentication goes on
        if (b0 === 0x00) {
          const ok = this.okResponse(p);
          this.merge(a, ok);
          a.state = (ok.statusFlags ?? 0) & C.SERVER_MORE_RESULTS_EXISTS ? 'first' : 'done';
          return;
        }
        if (b0 === 0xfe && p.length < 9) {
          const eof = parseEof(p);
          this.merge(a, { status: 'EOF', warnings: eof.warnings, statusFlags: eof.statusFlags });
          a.state = 'done';
          return;
        }
        if (b0 === 0xfb) {
          this.merge(a, { status: 'OK', localInfile: text(p, 1, p.length) });
          a.state = 'infile';
          return;
        }
        const n = lenenc(p, 0);
        if (n.value <= 0 || n.next !== p.length && n.next + 1 !== p.length) {
          this.ctx.weird('mysql_malformed_response');
          addFlag(a.flags, 'violation');
          a.state = 'done';
          return;
        }
        this.startResultSet(a, n.value);
        return;
      }
      case 'columns': case 'fieldList': {
        if (a.state === 'fieldList' && (b0 === 0xfe || b0 === 0xff)) {
          if (b0 === 0xff) a.response = this.errResponse(p);
          a.state = 'done';
          return;
        }
        const def = parseColumnDef(p);
        if (def === null) { this.ctx.weird('mysql_malformed_column'); addFlag(a.flags, 'violation'); }
        const r = a.response!;
        if (a.state === 'fieldList') r.columnCount = (r.columnCount ?? 0) + 1;
        if (a.defs.length < MAX_COLUMNS_KEPT) {
          a.defs.push(def ?? { name: '', type: C.T.VAR_STRING, unsigned: false });
          if ((r.resultSets ?? 1) === 1) r.columns!.push(def?.name ?? '');
        }
        if (a.state === 'columns' && --a.left === 0) a.state = 'afterColumns';
        return;
      }
      case 'afterColumns':
        a.state = 'rows';
        if (b0 === 0xfe && p.length <= 5 && this.agreed(C.CLIENT_DEPRECATE_EOF) !== true) return; // EOF closing the definitions
        return this.answer(a, p, length, ts);
      case 'rows': {
        const r = a.response!;
        if (b0 === 0xfe && length < 0xffffff) {
          const more = this.endRows(a, p);
          a.state = more ? 'first' : 'done';
          return;
        }
        if (b0 === 0xff) { Object.assign(r, this.errResponse(p)); a.state = 'done'; return; }
        r.rowCount = (r.rowCount ?? 0) + 1;
        if (r.rows!.length < MAX_SAMPLE_ROWS && (r.resultSets ?? 1) === 1) {
          const row = a.binary ? (a.defs.length === r.columnCount ? parseBinaryRow(p, a.defs) : null) : parseTextRow(p, r.columnCount ?? 0);
          if (row === null) this.ctx.weird('mysql_malformed_row');
          else r.rows!.push(row);
        }
        return;
      }
      case 'prepParams': case 'prepColumns': {
        if (isEof(p)) return; // an EOF closing the previous block when capabilities are unknown (a definition starts with "def")
        if (--a.left > 0) return;
        const next: RState = a.state === 'prepParams' && a.prepColumns > 0 ? 'prepColumns' : 'done';
        if (next === 'prepColumns') a.left = a.prepColumns;
        const eof = this.agreed(C.CLIENT_DEPRECATE_EOF);
        if (eof === false) { a.afterEof = next; a.state = 'prepEof'; return; }
        if (eof === null) this.strayEof = true; // capabilities unknown: an EOF may follow
        a.state = next;
        return;
      }
      case 'prepEof':
        if (!isEof(p)) { this.ctx.weird('mysql_malformed_response'); addFlag(a.flags, 'violation'); }
        a.state = a.afterEof;
        return;
      case 'infile':
        if (b0 === 0xff) Object.assign(a.response!, this.errResponse(p));
        else if (b0 === 0x00) Object.assign(a.response!, this.okResponse(p), { status: 'OK' });
        a.state = 'done';
        return;
      default:
        return;
    }
  }

  private startResultSet(a: Active, columns: number): void {
    if (a.response === null || a.response.status !== 'RESULTSET') {
      a.response = { ...(a.response ?? {}), status: 'RESULTSET', columnCount: columns, columns: [], rowCount: 0, rows: [] };
    } else {
      a.response.resultSets = (a.response.resultSets ?? 1) + 1;
    }
    a.defs = [];
    a.left = columns;
    a.state = 'columns';
  }

  /** The EOF or OK after the rows; true when more result sets follow. */
  private endRows(a: Active, p: Uint8Array): boolean {
    const r = a.response!;
    const ok = p.length >= 7 ? parseOk(p, this.caps) : null;
    const statusFlags = ok !== null ? ok.statusFlags : parseEof(p).statusFlags;
    r.warnings = ok !== null ? ok.warnings : parseEof(p).warnings;
    r.statusFlags = statusFlags;
    return (statusFlags & C.SERVER_MORE_RESULTS_EXISTS) !== 0;
  }

  private prepared(a: Active, p: Uint8Array): void {
    const ok = parsePrepareOk(p);
    if (ok === null) { this.ctx.weird('mysql_malformed_prepare_ok'); addFlag(a.flags, 'violation'); a.state = 'done'; return; }
    a.request.statementId = ok.statementId;
    a.response = { status: 'PREPARED', columnCount: ok.columns, paramCount: ok.params, warnings: ok.warnings };
    if (this.statements.size >= MAX_STATEMENTS && !this.statements.has(ok.statementId)) {
      this.ctx.weird('mysql_statement_limit');
      this.statements.delete(this.statements.keys().next().value as number);
    }
    this.statements.set(ok.statementId, { query: a.request.query ?? '', params: ok.params, types: null });
    a.prepColumns = ok.columns;
    if (ok.params > 0) { a.state = 'prepParams'; a.left = ok.params; } else if (ok.columns > 0) { a.state = 'prepColumns'; a.left = ok.columns; } else a.state = 'done';
  }

  private merge(a: Active, r: MysqlResponse): void {
    // A multi-statement answer: keep the first result set, add up affected rows.
    if (a.response === null) { a.response = r; return; }
    a.response.resultSets = (a.response.resultSets ?? 1) + 1;
    if (r.affectedRows !== undefined) a.response.affectedRows = (a.response.affectedRows ?? 0) + r.affectedRows;
    if (r.statusFlags !== undefined) a.response.statusFlags = r.statusFlags;
  }

  private okResponse(p: Uint8Array): MysqlResponse {
    const ok = parseOk(p, this.caps);
    if (ok.malformed) this.ctx.weird('mysql_malformed_ok');
    const r: MysqlResponse = { status: 'OK', affectedRows: ok.affectedRows, lastInsertId: ok.lastInsertId, warnings: ok.warnings, statusFlags: ok.statusFlags };
    if (ok.info) r.info = ok.info;
    return r;
  }

  private errResponse(p: Uint8Array): MysqlResponse {
    const e = parseErr(p);
    return { status: 'ERR', errorCode: e.code, sqlState: e.sqlState, error: e.message };
  }

  private finish(a: Active, ts: number, flag?: EntryFlag): void {
    const i = this.queue.indexOf(a);
    if (i !== -1) this.queue.splice(i, 1);
    if (flag !== undefined) addFlag(a.flags, flag);
    if (a.response !== null && a.state !== 'done') addFlag(a.flags, 'truncated');
    if (a.response === null && flag === undefined && a.state !== 'done') addFlag(a.flags, 'no-response');
    emitMysql(this.ctx, buildMysqlEntry(this.ctx, a.request, a.ts, a.response, a.response !== null ? ts : null, a.flags));
  }

  /** Server bytes were lost: what is pending gets what it has, flagged. */
  serverGap(): void {
    for (const a of this.queue.splice(0)) {
      addFlag(a.flags, 'gap');
      this.finish(a, this.lastServerTs, a.response === null ? 'no-response' : undefined);
    }
    if (this.handshake !== null) { addFlag(this.handshake.flags, 'gap'); this.finishHandshake([]); this.phase = 'command'; }
  }

  clientGap(): void {
    if (this.queue.length > 0) addFlag(this.queue[this.queue.length - 1].flags, 'gap');
  }

  /** End of the connection: everything pending is emitted. */
  close(): void {
    if (this.handshake !== null) this.finishHandshake(this.handshake.response === null ? ['no-response'] : []);
    for (const a of this.queue.splice(0)) this.finish(a, this.lastServerTs);
  }
}
