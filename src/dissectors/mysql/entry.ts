/**
 * The MySQL entry model and the policy of what an entry shows: one client
 * command (or the connection handshake) and the server's answer to it.
 */
import type { Entry, EntryBase, EntryFlag } from '../../entries/types.js';
import type { ConnectionContext } from '../types.js';
import { elapsedMs } from '../../entries/time.js';

export interface MysqlRequest {
  /** `COM_QUERY`, `COM_STMT_EXECUTE`, ... or `HANDSHAKE` for the login. */
  command: string;
  /** SQL text: COM_QUERY, COM_STMT_PREPARE, and COM_STMT_EXECUTE (recalled from the prepare). */
  query?: string;
  /** Bytes of the SQL text on the wire, when `query` was cut at the cap. */
  querySize?: number;
  /** COM_STMT_PREPARE (from the answer), COM_STMT_EXECUTE, COM_STMT_CLOSE, ... */
  statementId?: number;
  /** COM_STMT_EXECUTE parameters as text (null for NULL); absent when they could not be decoded. */
  params?: Array<string | null>;
  /** HANDSHAKE: the user; COM_CHANGE_USER too. */
  user?: string;
  /** HANDSHAKE (connect-with-db) and COM_INIT_DB: the database. */
  database?: string;
  /** HANDSHAKE: the server's version string from its greeting. */
  serverVersion?: string;
  /** HANDSHAKE: authentication plugin (last one after any switch). */
  authPlugin?: string;
  /** HANDSHAKE: the client asked for TLS (SSLRequest); the rest of the connection is encrypted. */
  tls?: boolean;
  /** COM_FIELD_LIST: the table. */
  table?: string;
  /** LOCAL INFILE: bytes of file content the client sent. */
  infileBytes?: number;
}

export type MysqlStatus = 'OK' | 'ERR' | 'RESULTSET' | 'EOF' | 'PREPARED' | 'TEXT';

export interface MysqlResponse {
  status: MysqlStatus;
  /** OK (and the OK that ends a result set). */
  affectedRows?: number;
  lastInsertId?: number;
  warnings?: number;
  /** Server status flags of the last OK/EOF. */
  statusFlags?: number;
  /** OK: human-readable info (e.g. "Rows matched: 1 Changed: 1"). */
  info?: string;
  /** ERR. */
  errorCode?: number;
  sqlState?: string;
  error?: string;
  /** Result set: column count and names (names kept up to MAX_COLUMNS_KEPT). */
  columnCount?: number;
  columns?: string[];
  /** Rows of all result sets of the command. */
  rowCount?: number;
  /** The first MAX_SAMPLE_ROWS rows as text (null for NULL); values cut at 256 characters. */
  rows?: Array<Array<string | null>>;
  /** Result sets when the server sent more than one (multi-statements, CALL). */
  resultSets?: number;
  /** COM_STMT_PREPARE: the statement's parameter count. */
  paramCount?: number;
  /** The server asked for a LOCAL INFILE: the file name it asked for. */
  localInfile?: string;
  /** COM_STATISTICS: the text answer. */
  text?: string;
}

export interface MysqlEntry extends EntryBase {
  protocol: 'mysql';
  transport: 'tcp';
  request: MysqlRequest | null;
  response: MysqlResponse | null;
}

/** A request waiting for (or receiving) its answer. */
export interface Pending {
  request: MysqlRequest;
  ts: number;
  flags: EntryFlag[];
}

export function addFlag(flags: EntryFlag[], flag: EntryFlag): void {
  if (!flags.includes(flag)) flags.push(flag);
}

export function buildMysqlEntry(
  ctx: ConnectionContext, request: MysqlRequest | null, requestTs: number | null,
  response: MysqlResponse | null, responseTs: number | null, flags: EntryFlag[],
): MysqlEntry {
  const timestamp = requestTs ?? responseTs ?? 0;
  return {
    id: ctx.nextEntryId(),
    protocol: 'mysql',
    transport: 'tcp',
    timestamp,
    elapsedTime: requestTs !== null && responseTs !== null ? elapsedMs(requestTs, responseTs) : 0,
    src: ctx.client,
    dst: ctx.server,
    connectionId: ctx.id,
    flags,
    request,
    response,
  };
}

/**
 * Hand an entry to the pipeline. The cast stands until `MysqlEntry` joins the
 * `Entry` union in src/entries/types.ts (a shared file, merged separately).
 */
export function emitMysql(ctx: ConnectionContext, entry: MysqlEntry): void {
  ctx.emit(entry);
}
