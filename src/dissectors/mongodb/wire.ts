/**
 * MongoDB wire protocol grammar: the 16-byte message header and the bodies
 * of OP_MSG, OP_QUERY, OP_REPLY, OP_COMPRESSED and the legacy write ops
 * (mongodb.com/docs/manual/reference/mongodb-wire-protocol/). Works on a
 * view of one message (possibly only its first bytes, see framer.ts) and
 * never throws; decoded documents are copies (bson.ts).
 */
import { constants, inflateSync } from 'node:zlib';
import { inflateShort, sharedInflater, ZLIB_DEFLATE } from '../../util/inflate.js';
import { type BsonBudget, type BsonDocument, documentSize, int64At, newBudget, readDocument } from './bson.js';

export const HEADER_BYTES = 16;
/** The server's default maxMessageSizeBytes: a longer message is not MongoDB. */
export const MAX_MESSAGE_BYTES = 48_000_000;
/** Largest decompressed body inflated; a larger one is kept undecoded. */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;
/** Documents decoded per OP_MSG sequence or OP_REPLY; the rest are only counted. */
export const MAX_DOCUMENTS_KEPT = 100;

export const OP_REPLY = 1, OP_UPDATE = 2001, OP_INSERT = 2002, OP_QUERY = 2004, OP_GET_MORE = 2005;
export const OP_DELETE = 2006, OP_KILL_CURSORS = 2007, OP_COMPRESSED = 2012, OP_MSG = 2013;

export const OP_NAMES: Readonly<Record<number, string>> = {
  [OP_REPLY]: 'OP_REPLY', [OP_UPDATE]: 'OP_UPDATE', [OP_INSERT]: 'OP_INSERT', [OP_QUERY]: 'OP_QUERY', [OP_GET_MORE]: 'OP_GET_MORE',
  [OP_DELETE]: 'OP_DELETE', [OP_KILL_CURSORS]: 'OP_KILL_CURSORS', [OP_COMPRESSED]: 'OP_COMPRESSED', [OP_MSG]: 'OP_MSG',
};
const COMPRESSORS = ['noop', 'snappy', 'zlib', 'zstd'];

/** OP_MSG flagBits. */
export const MSG_CHECKSUM_PRESENT = 1, MSG_MORE_TO_COME = 2, MSG_EXHAUST_ALLOWED = 1 << 16;
const MSG_FLAG_NAMES: Array<[number, string]> = [[MSG_CHECKSUM_PRESENT, 'checksumPresent'], [MSG_MORE_TO_COME, 'moreToCome'], [MSG_EXHAUST_ALLOWED, 'exhaustAllowed']];
const QUERY_FLAG_NAMES = ['', 'tailableCursor', 'secondaryOk', 'oplogReplay', 'noCursorTimeout', 'awaitData', 'exhaust', 'partial'];
const REPLY_FLAG_NAMES = ['cursorNotFound', 'queryFailure', 'shardConfigStale', 'awaitCapable'];

export interface Header { length: number; requestId: number; responseTo: number; opCode: number }

const i32 = (b: Uint8Array, p: number): number => b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);

/** The header at `p`; the caller has checked that 16 bytes are there. */
export function readHeader(b: Uint8Array, p: number): Header {
  return { length: i32(b, p), requestId: i32(b, p + 4), responseTo: i32(b, p + 8), opCode: i32(b, p + 12) };
}

/** Bytes `plausibleAt` needs before it answers. */
export const PLAUSIBLE_BYTES = 25;

/**
 * Does a message start at `p`? Length in range, an opcode this side sends,
 * responseTo zero from a client and non-zero from a server, and the first
 * body bytes fit the opcode. Reads nothing at or past `end`.
 */
export function plausibleAt(b: Uint8Array, p: number, end: number, fromClient: boolean): 'yes' | 'no' | 'more' {
  if (end - p < HEADER_BYTES) return 'more';
  const h = readHeader(b, p);
  if (h.length < 21 || h.length > MAX_MESSAGE_BYTES) return 'no';
  if (fromClient ? h.responseTo !== 0 : h.responseTo === 0) return 'no';
  const op = h.opCode;
  if (fromClient ? op !== OP_MSG && op !== OP_QUERY && op !== OP_COMPRESSED : op !== OP_MSG && op !== OP_REPLY && op !== OP_COMPRESSED) return 'no';
  if (end - p < PLAUSIBLE_BYTES) return 'more';
  const w = i32(b, p + 16);
  if (op === OP_MSG) return (w & ~0x10003) === 0 && b[p + 20] <= 1 ? 'yes' : 'no';
  if (op === OP_REPLY) return (w & ~0xf) === 0 && h.length >= 36 ? 'yes' : 'no';
  if (op === OP_QUERY) return (w & ~0xfe) === 0 && b[p + 20] >= 0x21 && b[p + 20] < 0x7f ? 'yes' : 'no';
  const inner = w; // OP_COMPRESSED: the original opcode, then the size and the compressor id
  return (inner === OP_MSG || inner === OP_QUERY || inner === OP_REPLY) && i32(b, p + 20) >= 0 && b[p + 24] <= 3 ? 'yes' : 'no';
}

export interface Sequence { identifier: string; count: number; documents: BsonDocument[] }

/** One message, decoded for display. */
export interface Message {
  header: Header;
  /** The effective opcode: the original one inside OP_COMPRESSED. */
  opCode: number;
  compressor?: string;
  flags: string[];
  moreToCome: boolean;
  /** OP_MSG kind 0 section, OP_QUERY query, first OP_REPLY document; null when absent or not decoded. */
  body: BsonDocument | null;
  sequences: Sequence[];
  /** OP_QUERY and legacy ops: "db.collection". */
  fullCollectionName?: string;
  /** OP_REPLY */
  cursorId?: number | string;
  numberReturned?: number;
  /** Bytes the message has on the wire (the header's length). */
  size: number;
  /** Decoding stopped at a limit or at the end of the kept bytes. */
  truncated: boolean;
  /** Bytes that do not follow the grammar. */
  malformed: boolean;
  /** Compressed with snappy/zstd, or could not be inflated: only the header is known. */
  notDecoded: boolean;
}

function cstring(b: Uint8Array, p: number, end: number): { s: string; next: number } | null {
  for (let i = p; i < end; i++) if (b[i] === 0) return { s: Buffer.from(b.buffer, b.byteOffset + p, i - p).toString('latin1'), next: i + 1 };
  return null;
}

function namesOf(bits: number, names: ReadonlyArray<readonly [number, string]>): string[] {
  return names.filter(([bit]) => (bits & bit) !== 0).map(([, n]) => n);
}

const listed = (bits: number, names: string[]): string[] => names.map((n, i) => ((bits >>> i) & 1 && n !== '' ? n : '')).filter((n) => n !== '');

/** Reads up to MAX_DOCUMENTS_KEPT documents in [p, end); counts the rest. */
function documents(b: Uint8Array, p: number, end: number, budget: BsonBudget): { docs: BsonDocument[]; count: number } {
  const docs: BsonDocument[] = [];
  let count = 0;
  while (p < end) {
    const size = documentSize(b, p, end);
    if (size === 0) { budget.malformed = true; break; }
    count++;
    if (docs.length < MAX_DOCUMENTS_KEPT) docs.push(readDocument(b, p, end, budget).value as BsonDocument);
    else budget.truncated = true;
    p += size;
  }
  return { docs, count };
}

/** A zlib-compressed body, at most `max` bytes; throws when it cannot be inflated (or is bigger). */
function inflateMessage(data: Uint8Array, max: number): Buffer {
  const stream = sharedInflater(ZLIB_DEFLATE); // native: one stream reset per message instead of one built per message
  if (stream === null) return inflateSync(data, { maxOutputLength: max, finishFlush: constants.Z_SYNC_FLUSH });
  stream.reset();
  return inflateShort(stream, data, false, max); // a view: parseBody copies out what it keeps
}

/**
 * Decodes one message: `b` holds its first bytes (all of them unless the
 * framer kept only a prefix: then `size` > b.length and it is `truncated`).
 */
export function parseMessage(b: Uint8Array, size: number): Message {
  const header = readHeader(b, 0);
  const m: Message = {
    header, opCode: header.opCode, flags: [], moreToCome: false, body: null, sequences: [], size,
    truncated: b.length < size, malformed: false, notDecoded: false,
  };
  let body = b.subarray(HEADER_BYTES);
  if (header.opCode === OP_COMPRESSED) {
    if (body.length < 9) { m.malformed = true; return m; }
    m.opCode = i32(body, 0);
    const original = i32(body, 4);
    const id = body[8];
    m.compressor = COMPRESSORS[id] ?? `unknown(${id})`;
    const data = body.subarray(9);
    if (id === 0) body = data;
    else if (id === 2 && original >= 0 && original <= MAX_INFLATED_BYTES) {
      try {
        // A cut message inflates as far as its bytes go (Z_SYNC_FLUSH instead of an error).
        body = inflateMessage(data, Math.max(original, 1));
      } catch {
        m.notDecoded = true;
        return m;
      }
      if (body.length < original) m.truncated = true;
    } else {
      m.notDecoded = true;
      return m;
    }
  }
  const budget = newBudget();
  parseBody(m, body, budget);
  if (budget.truncated) m.truncated = true;
  if (budget.malformed) m.malformed = true;
  return m;
}

function parseBody(m: Message, b: Uint8Array, budget: BsonBudget): void {
  const end = b.length;
  switch (m.opCode) {
    case OP_MSG: {
      if (end < 4) { budget.truncated = true; return; }
      const bits = i32(b, 0) >>> 0;
      m.flags = namesOf(bits, MSG_FLAG_NAMES);
      m.moreToCome = (bits & MSG_MORE_TO_COME) !== 0;
      // The CRC-32C checksum, when present, is the message's last 4 bytes (not verified).
      let stop = (bits & MSG_CHECKSUM_PRESENT) !== 0 && !m.truncated ? end - 4 : end;
      if (stop < 4) stop = 4;
      let p = 4;
      while (p < stop) {
        const kind = b[p];
        if (kind === 0) {
          const r = readDocument(b, p + 1, stop, budget);
          if (m.body === null) m.body = r.value as BsonDocument; else budget.malformed = true; // one kind 0 section only
          p = r.next;
        } else if (kind === 1) {
          if (p + 5 > stop) { budget.truncated = true; return; }
          const len = i32(b, p + 1);
          if (len < 5) { budget.malformed = true; return; }
          const secEnd = Math.min(p + 1 + len, stop);
          if (p + 1 + len > stop) budget.truncated = true;
          const id = cstring(b, p + 5, secEnd);
          if (id === null) { budget.malformed = true; return; }
          const { docs, count } = documents(b, id.next, secEnd, budget);
          m.sequences.push({ identifier: id.s, count, documents: docs });
          p = p + 1 + len;
        } else {
          budget.malformed = true;
          return;
        }
      }
      return;
    }
    case OP_QUERY: {
      if (end < 4) { budget.truncated = true; return; }
      m.flags = listed(i32(b, 0), QUERY_FLAG_NAMES);
      const name = cstring(b, 4, end);
      if (name === null) { budget.truncated = true; return; }
      m.fullCollectionName = name.s;
      if (name.next + 8 > end) { budget.truncated = true; return; }
      m.body = readDocument(b, name.next + 8, end, budget).value as BsonDocument;
      return;
    }
    case OP_REPLY: {
      if (end < 20) { budget.truncated = true; return; }
      m.flags = listed(i32(b, 0), REPLY_FLAG_NAMES);
      m.cursorId = int64At(b, 4);
      m.numberReturned = i32(b, 16);
      const { docs, count } = documents(b, 20, end, budget);
      m.body = docs[0] ?? null;
      if (docs.length > 1) m.sequences.push({ identifier: 'documents', count, documents: docs });
      return;
    }
    case OP_UPDATE: case OP_INSERT: case OP_GET_MORE: case OP_DELETE: {
      // int32 (ZERO or flags), then the full collection name; the documents are not decoded.
      const name = end >= 4 ? cstring(b, 4, end) : null;
      if (name === null) { budget.truncated = true; return; }
      m.fullCollectionName = name.s;
      return;
    }
    case OP_KILL_CURSORS:
      return;
    default:
      budget.malformed = true;
  }
}
