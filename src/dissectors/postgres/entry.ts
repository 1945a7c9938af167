/**
 * The PostgreSQL entry shape and how an exchange becomes one. One entry per
 * query cycle: a startup (with its authentication), an SSL/GSS encryption
 * request, a simple Query, an extended-protocol Execute (or a Parse/Describe
 * cycle without one), a FunctionCall, or a CancelRequest.
 */
import type { EntryBase, EntryFlag } from '../../entries/types.js';
import type { ConnectionContext } from '../types.js';
import { elapsedMs } from '../../entries/time.js';

export type PostgresRequestType = 'startup' | 'ssl' | 'gssenc' | 'cancel' | 'query' | 'execute' | 'prepare' | 'function-call';

export interface PostgresStartup {
  /** "3.0". */
  protocolVersion: string;
  user: string;
  database: string;
  applicationName: string;
  /** Every startup parameter as sent (user and database included). */
  parameters: Record<string, string>;
}

export interface PostgresCopy {
  /** CopyData messages. */
  messages: number;
  /** Bytes of data in them. */
  bytes: number;
}

export interface PostgresRequest {
  type: PostgresRequestType;
  /** SQL text: the Query, or the Parse of the executed statement; "" when none. */
  query: string;
  /** Prepared statement name for extended queries ("" = unnamed); absent otherwise. */
  statement?: string;
  /** Bind parameter values: text as sent, binary as `\x` hex, NULL as null; bounded. */
  parameters?: Array<string | null>;
  startup?: PostgresStartup;
  /** CancelRequest: the backend it targets. */
  cancel?: { processId: number };
  /** COPY FROM STDIN: data the client sent. */
  copyIn?: PostgresCopy;
}

export interface PostgresNotice {
  /** Non-localized severity when sent (ERROR, FATAL, PANIC, WARNING, NOTICE, …). */
  severity: string;
  /** SQLSTATE, e.g. "42601". */
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  position?: string;
}

export interface PostgresResponse {
  /** CommandComplete tag(s): "SELECT 3", "INSERT 0 1"; several joined by "; "; "" when none. */
  commandTag: string;
  /** Rows: the count in the tag(s), else DataRow messages seen. */
  rows: number;
  /** Column names from RowDescription (bounded). */
  columns: string[];
  /** The first rows, values rendered as text (bounded). */
  sample: Array<Array<string | null>>;
  /** ErrorResponse, if any. */
  error: PostgresNotice | null;
  /** NoticeResponse messages during the cycle (bounded). */
  notices: PostgresNotice[];
  /** From ReadyForQuery: "idle", "transaction", "failed"; "" when none came. */
  transactionStatus: string;
  /** COPY TO STDOUT: data the server sent. */
  copyOut?: PostgresCopy;
  /** SSL/GSS request: the one-byte answer. */
  encryption?: 'accepted' | 'refused';
  /** Startup: authentication methods asked, in order ("md5", "sasl", …, "ok"). */
  authentication?: string[];
  /** Startup: AuthenticationOk arrived. */
  authenticated?: boolean;
  /** Startup: ParameterStatus values reported (bounded). */
  serverParameters?: Record<string, string>;
  /** Startup: BackendKeyData process id. */
  processId?: number;
}

export interface PostgresEntry extends EntryBase {
  protocol: 'postgres';
  transport: 'tcp';
  request: PostgresRequest | null;
  response: PostgresResponse | null;
}

/** One exchange while it is being filled. */
export interface PgExchange {
  request: PostgresRequest | null;
  response: PostgresResponse | null;
  flags: EntryFlag[];
  startTs: number;
  endTs: number;
  /** Server messages still expected before the exchange is complete. */
  done: boolean;
  /** Result-format codes from the last RowDescription (for DataRow rendering). */
  formats: number[];
}

export function newResponse(): PostgresResponse {
  return { commandTag: '', rows: 0, columns: [], sample: [], error: null, notices: [], transactionStatus: '' };
}

export function addFlag(flags: EntryFlag[], f: EntryFlag): void {
  if (!flags.includes(f)) flags.push(f);
}

export function buildPostgresEntry(ctx: ConnectionContext, ex: PgExchange): PostgresEntry {
  return {
    id: ctx.nextEntryId(),
    protocol: 'postgres',
    transport: 'tcp',
    timestamp: ex.startTs,
    elapsedTime: ex.request !== null && ex.response !== null ? elapsedMs(ex.startTs, ex.endTs) : 0,
    src: ctx.client,
    dst: ctx.server,
    connectionId: ctx.id,
    flags: ex.flags,
    request: ex.request,
    response: ex.response,
  };
}
