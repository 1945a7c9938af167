/**
 * MongoDB entries: a command (OP_MSG, OP_QUERY or a legacy op) and the
 * reply whose responseTo names it. A request sent with moreToCome (an
 * unacknowledged write) and the legacy writes have no reply: entries
 * without a response. Replies of an exhaust cursor (moreToCome from the
 * server) each make an entry carrying the request they continue.
 */
import type { EntryBase, EntryFlag } from '../../entries/types.js';
import { elapsedMs } from '../../entries/time.js';
import type { ConnectionContext } from '../types.js';
import type { BsonDocument, BsonValue } from './bson.js';
import { type Message, OP_DELETE, OP_GET_MORE, OP_INSERT, OP_KILL_CURSORS, OP_NAMES, OP_QUERY, OP_UPDATE, type Sequence } from './wire.js';

export type { BsonDocument, BsonValue } from './bson.js';
export type MongodbSequence = Sequence;

export interface MongodbRequest {
  /** "OP_MSG", "OP_QUERY", … (the original opcode when compressed). */
  opCode: string;
  requestId: number;
  /** Bytes on the wire, header included. */
  size: number;
  /** First key of the command document ("find", "insert", "hello", …); "" when unknown. */
  command: string;
  /** `$db`, or the database part of OP_QUERY's collection name; "" when unknown. */
  database: string;
  /** Value of the command key when it is a string (find, insert, update, delete, aggregate, count, …), getMore's `collection`; "" otherwise. */
  collection: string;
  /** OP_MSG flagBits / OP_QUERY flags by name. */
  flags: string[];
  /** "zlib", "snappy", "zstd", "noop" when sent in OP_COMPRESSED. */
  compressor?: string;
  /** The command document (OP_MSG kind 0 section, OP_QUERY query); null when not decoded. */
  body: BsonDocument | null;
  /** OP_MSG kind 1 sections (e.g. "documents" of insert, "updates", "deletes"). */
  sequences: MongodbSequence[];
  /** Some documents or values were cut by a limit. */
  truncated: boolean;
}

export interface MongodbResponse {
  opCode: string;
  requestId: number;
  responseTo: number;
  size: number;
  flags: string[];
  compressor?: string;
  /** `ok` of the reply document (1 or 0); null when absent or not decoded. */
  ok: number | null;
  errmsg?: string;
  code?: number;
  codeName?: string;
  /** Documents inserted / matched / deleted (write commands). */
  n?: number;
  nModified?: number;
  /** Number of writeErrors. */
  writeErrors?: number;
  /** Cursor id of a find/aggregate/getMore reply, or OP_REPLY's; 0 when exhausted. */
  cursorId?: number | string;
  /** Documents in cursor.firstBatch / cursor.nextBatch (or OP_REPLY numberReturned). */
  batchSize?: number;
  body: BsonDocument | null;
  sequences: MongodbSequence[];
  truncated: boolean;
}

export interface MongodbEntry extends EntryBase {
  protocol: 'mongodb';
  transport: 'tcp';
  request: MongodbRequest | null;
  response: MongodbResponse | null;
}

export interface MongodbExchange {
  ts: number;
  endTs: number;
  request: MongodbRequest | null;
  response: MongodbResponse | null;
  flags: EntryFlag[];
  ready: boolean;
}

export function addFlag(flags: EntryFlag[], flag: EntryFlag): void {
  if (!flags.includes(flag)) flags.push(flag);
}

/** Keys whose values are credentials: replaced before the entry is built. */
const SECRET_KEYS = new Set(['payload', 'pwd', 'key', 'password', 'saslSupportedMechs']);
const AUTH_COMMANDS = new Set(['saslStart', 'saslContinue', 'authenticate', 'createUser', 'updateUser', 'speculativeAuthenticate']);
const LEGACY_COMMANDS: Readonly<Record<number, string>> = { [OP_UPDATE]: 'update', [OP_INSERT]: 'insert', [OP_GET_MORE]: 'getMore', [OP_DELETE]: 'delete', [OP_KILL_CURSORS]: 'killCursors' };

function scrub(doc: BsonDocument, depth = 0): void {
  for (const k of Object.keys(doc)) {
    if (SECRET_KEYS.has(k)) doc[k] = '[redacted]';
    else if (AUTH_COMMANDS.has(k) && depth < 2 && typeof doc[k] === 'object' && doc[k] !== null && !Array.isArray(doc[k])) scrub(doc[k] as BsonDocument, depth + 1);
  }
}

const num = (v: BsonValue | undefined): number | undefined => (typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : undefined);
const isDoc = (v: BsonValue | undefined): v is BsonDocument => typeof v === 'object' && v !== null && !Array.isArray(v);

export function toRequest(m: Message): MongodbRequest {
  const body = m.body;
  // OP_QUERY may wrap the command: {$query: {...}, $readPreference: ...}.
  const cmdDoc = body !== null && isDoc(body.$query) ? body.$query : body !== null && isDoc(body.query) && m.opCode === OP_QUERY ? body.query : body;
  let command = cmdDoc !== null ? Object.keys(cmdDoc)[0] ?? '' : '';
  let database = body !== null && typeof body.$db === 'string' ? body.$db : '';
  let collection = '';
  const full = m.fullCollectionName;
  if (full !== undefined) {
    const dot = full.indexOf('.');
    if (database === '') database = dot < 0 ? full : full.slice(0, dot);
    const rest = dot < 0 ? '' : full.slice(dot + 1);
    if (m.opCode === OP_QUERY && rest !== '$cmd') { command = 'find'; collection = rest; }
    if (m.opCode in LEGACY_COMMANDS) { command = LEGACY_COMMANDS[m.opCode]; collection = rest; }
  }
  if (cmdDoc !== null && collection === '') {
    const v = cmdDoc[command];
    if (typeof v === 'string') collection = v;
    else if (command === 'getMore' && typeof cmdDoc.collection === 'string') collection = cmdDoc.collection;
  }
  if (body !== null && (AUTH_COMMANDS.has(command) || isDoc(body.speculativeAuthenticate))) scrub(body);
  const opCode = OP_NAMES[m.opCode] ?? `OP_${m.opCode}`;
  // Two literals, not a spread: the same key order, without the slow generic object copy.
  return m.compressor !== undefined
    ? { opCode, requestId: m.header.requestId, size: m.size, command, database, collection, flags: m.flags, compressor: m.compressor, body, sequences: m.sequences, truncated: m.truncated }
    : { opCode, requestId: m.header.requestId, size: m.size, command, database, collection, flags: m.flags, body, sequences: m.sequences, truncated: m.truncated };
}

export function toResponse(m: Message): MongodbResponse {
  const b = m.body;
  const opCode = OP_NAMES[m.opCode] ?? `OP_${m.opCode}`;
  const r: MongodbResponse = m.compressor !== undefined
    ? { opCode, requestId: m.header.requestId, responseTo: m.header.responseTo, size: m.size, flags: m.flags, compressor: m.compressor, ok: null, body: b, sequences: m.sequences, truncated: m.truncated }
    : { opCode, requestId: m.header.requestId, responseTo: m.header.responseTo, size: m.size, flags: m.flags, ok: null, body: b, sequences: m.sequences, truncated: m.truncated };
  if (b !== null) {
    r.ok = num(b.ok) ?? null;
    if (typeof b.errmsg === 'string') r.errmsg = b.errmsg;
    const code = num(b.code);
    if (code !== undefined) r.code = code;
    if (typeof b.codeName === 'string') r.codeName = b.codeName;
    const n = num(b.n);
    if (n !== undefined) r.n = n;
    const nm = num(b.nModified);
    if (nm !== undefined) r.nModified = nm;
    if (Array.isArray(b.writeErrors)) {
      r.writeErrors = b.writeErrors.length;
      const first = b.writeErrors[0];
      if (isDoc(first) && r.errmsg === undefined && typeof first.errmsg === 'string') r.errmsg = first.errmsg;
      if (isDoc(first) && r.code === undefined && typeof first.code === 'number') r.code = first.code;
    }
    if (isDoc(b.cursor)) {
      const c = b.cursor;
      if (typeof c.id === 'number' || typeof c.id === 'string') r.cursorId = c.id;
      const batch = Array.isArray(c.firstBatch) ? c.firstBatch : Array.isArray(c.nextBatch) ? c.nextBatch : undefined;
      if (batch !== undefined) r.batchSize = batch.length;
    }
  }
  if (m.cursorId !== undefined && r.cursorId === undefined) r.cursorId = m.cursorId;
  if (m.numberReturned !== undefined && r.batchSize === undefined && (b === null || b.ok === undefined)) r.batchSize = m.numberReturned;
  return r;
}

export function buildMongodbEntry(ctx: ConnectionContext, x: MongodbExchange): MongodbEntry {
  return {
    id: ctx.nextEntryId(),
    protocol: 'mongodb',
    transport: 'tcp',
    timestamp: x.ts,
    elapsedTime: x.request !== null && x.response !== null ? elapsedMs(x.ts, x.endTs) : 0,
    src: ctx.client,
    dst: ctx.server,
    connectionId: ctx.id,
    flags: x.flags,
    request: x.request,
    response: x.response,
  };
}
