/**
 * The grammar: one MySQL packet payload (framing already removed) to a
 * message. Parsers read from the view and return plain values (strings are
 * decoded copies); a packet too short for its fields gives null or a result
 * with `malformed: true`, never an exception.
 */
import {
  CLIENT_CONNECT_ATTRS, CLIENT_CONNECT_WITH_DB, CLIENT_PLUGIN_AUTH, CLIENT_PLUGIN_AUTH_LENENC_DATA, CLIENT_PROTOCOL_41,
  CLIENT_SECURE_CONNECTION, CLIENT_SESSION_TRACK, CLIENT_SSL,
} from './codes.js';
import { cstring, lenenc, lenencString, text, u16, u32 } from './wire.js';
import { MAX_VALUE_CHARS, readBinaryValue } from './values.js';

export interface Greeting {
  protocolVersion: number;
  serverVersion: string;
  threadId: number;
  capabilities: number;
  authPlugin: string;
}

/** Initial handshake, protocol version 10 (the server speaks first). */
export function parseGreeting(p: Uint8Array): Greeting | null {
  if (p.length < 2 || p[0] !== 10) return null;
  const v = cstring(p, 1);
  if (v.next === -1 || v.next + 4 + 9 + 2 > p.length) return null;
  let off = v.next;
  const threadId = u32(p, off);
  off += 4 + 8 + 1; // scramble part 1, filler
  let capabilities = u16(p, off);
  off += 2;
  let authPlugin = '';
  if (off + 16 <= p.length) {
    off += 1 + 2; // charset, status
    capabilities += u16(p, off) * 0x10000;
    off += 2;
    const authLen = p[off];
    off += 1 + 10; // auth data length, reserved (MariaDB: extended capabilities in the last 4)
    if (capabilities & CLIENT_SECURE_CONNECTION) off += Math.max(13, authLen - 8);
    if (capabilities & CLIENT_PLUGIN_AUTH && off < p.length) authPlugin = cstring(p, off).value;
  }
  return { protocolVersion: 10, serverVersion: v.value, threadId, capabilities, authPlugin };
}

export interface HandshakeResponse {
  capabilities: number;
  /** Only the 32-byte SSLRequest: the rest of the connection is TLS. */
  sslRequest: boolean;
  user: string;
  database: string | null;
  authPlugin: string | null;
  malformed: boolean;
}

/** HandshakeResponse41 (or the SSLRequest prefix of it); 3.20-era responses are reported malformed. */
export function parseHandshakeResponse(p: Uint8Array): HandshakeResponse {
  const r: HandshakeResponse = { capabilities: 0, sslRequest: false, user: '', database: null, authPlugin: null, malformed: true };
  if (p.length < 4) return r;
  r.capabilities = u32(p, 0);
  if (!(r.capabilities & CLIENT_PROTOCOL_41) || p.length < 32) return r;
  if (p.length === 32) {
    r.sslRequest = (r.capabilities & CLIENT_SSL) !== 0;
    r.malformed = !r.sslRequest;
    return r;
  }
  const user = cstring(p, 32);
  r.user = user.value;
  if (user.next === -1) return r;
  let off = user.next;
  if (r.capabilities & CLIENT_PLUGIN_AUTH_LENENC_DATA) {
    const n = lenenc(p, off);
    if (n.value < 0) return r;
    off = n.next + n.value;
  } else if (r.capabilities & CLIENT_SECURE_CONNECTION) {
    if (off >= p.length) return r;
    off += 1 + p[off];
  } else {
    const a = cstring(p, off);
    if (a.next === -1) return r;
    off = a.next;
  }
  if (off > p.length) return r;
  if (r.capabilities & CLIENT_CONNECT_WITH_DB && off < p.length) {
    const db = cstring(p, off);
    r.database = db.value;
    off = db.next === -1 ? p.length : db.next;
  }
  if (r.capabilities & CLIENT_PLUGIN_AUTH && off < p.length) {
    const plugin = cstring(p, off);
    r.authPlugin = plugin.value;
    off = plugin.next === -1 ? p.length : plugin.next;
  }
  void CLIENT_CONNECT_ATTRS; // attributes follow; not shown
  r.malformed = false;
  return r;
}

export interface OkPacket {
  affectedRows: number;
  lastInsertId: number;
  statusFlags: number;
  warnings: number;
  info: string;
  malformed: boolean;
}

/** OK (0x00) or, with CLIENT_DEPRECATE_EOF, the OK that ends a result set (0xfe). */
export function parseOk(p: Uint8Array, capabilities: number): OkPacket {
  const a = lenenc(p, 1);
  const b = lenenc(p, a.next);
  const ok: OkPacket = { affectedRows: Math.max(0, a.value), lastInsertId: Math.max(0, b.value), statusFlags: 0, warnings: 0, info: '', malformed: a.value < 0 || b.value < 0 };
  if (ok.malformed || b.next + 4 > p.length) {
    ok.malformed = ok.malformed || b.next + 2 > p.length;
    if (!ok.malformed) ok.statusFlags = u16(p, b.next);
    return ok;
  }
  ok.statusFlags = u16(p, b.next);
  ok.warnings = u16(p, b.next + 2);
  const off = b.next + 4;
  if (off < p.length) {
    ok.info = capabilities & CLIENT_SESSION_TRACK ? (lenencString(p, off, MAX_VALUE_CHARS).value ?? '') : text(p, off, off + MAX_VALUE_CHARS);
  }
  return ok;
}

export interface ErrPacket { code: number; sqlState: string; message: string }

/** ERR (0xff): code, '#' + SQLSTATE (4.1+; absent in errors sent before the handshake), message. */
export function parseErr(p: Uint8Array): ErrPacket {
  if (p.length < 3) return { code: 0, sqlState: '', message: '' };
  const code = u16(p, 1);
  if (p.length >= 9 && p[3] === 0x23) return { code, sqlState: text(p, 4, 9), message: text(p, 9, p.length) };
  return { code, sqlState: '', message: text(p, 3, p.length) };
}

/** EOF (0xfe, shorter than 9 bytes): warnings and status flags. */
export function parseEof(p: Uint8Array): { warnings: number; statusFlags: number } {
  return p.length >= 5 ? { warnings: u16(p, 1), statusFlags: u16(p, 3) } : { warnings: 0, statusFlags: 0 };
}

/** Is this packet the 5-byte EOF that closes a block of definitions (no CLIENT_DEPRECATE_EOF)? */
export function isEof(p: Uint8Array): boolean {
  return p.length > 0 && p.length < 9 && p[0] === 0xfe;
}

export interface ColumnDef { name: string; type: number; unsigned: boolean }

/** Column definition (4.1): catalog, schema, table, org_table, name, org_name, fixed fields. */
export function parseColumnDef(p: Uint8Array): ColumnDef | null {
  let off = 0;
  let name = '';
  for (let i = 0; i < 6; i++) {
    const s = lenencString(p, off, MAX_VALUE_CHARS);
    if (s.next === -1) return null;
    if (i === 4) name = s.value ?? '';
    off = s.next;
  }
  // MariaDB's extended metadata (MARIADB_CLIENT_EXTENDED_METADATA) puts a length-encoded string here.
  if (p[off] !== 0x0c && off < p.length) {
    const ext = lenencString(p, off, 0);
    if (ext.next !== -1 && p[ext.next] === 0x0c) off = ext.next;
  }
  const fixed = lenenc(p, off);
  if (fixed.value < 0 || fixed.next + 10 > p.length) return null;
  off = fixed.next + 2 + 4; // charset, column length
  return { name, type: p[off], unsigned: (u16(p, off + 1) & 0x20) !== 0 };
}

/** A text-protocol row: `columns` length-encoded strings (null for NULL), each cut at MAX_VALUE_CHARS. */
export function parseTextRow(p: Uint8Array, columns: number): Array<string | null> | null {
  const row: Array<string | null> = [];
  let off = 0;
  for (let i = 0; i < columns; i++) {
    const s = lenencString(p, off, MAX_VALUE_CHARS);
    if (s.next === -1) return null;
    row.push(s.value);
    off = s.next;
  }
  return row;
}

/** A binary-protocol row: 0x00, NULL bitmap (offset 2), then the non-NULL values. */
export function parseBinaryRow(p: Uint8Array, columns: readonly ColumnDef[]): Array<string | null> | null {
  const bitmap = Math.floor((columns.length + 7 + 2) / 8);
  let off = 1 + bitmap;
  if (p[0] !== 0 || off > p.length) return null;
  const row: Array<string | null> = [];
  for (let i = 0; i < columns.length; i++) {
    const bit = i + 2;
    if (p[1 + (bit >> 3)] & (1 << (bit & 7))) { row.push(null); continue; }
    const v = readBinaryValue(p, off, columns[i].type, columns[i].unsigned);
    if (v.next === -1) return null;
    row.push(v.value);
    off = v.next;
  }
  return row;
}

export interface PrepareOk { statementId: number; columns: number; params: number; warnings: number }

export function parsePrepareOk(p: Uint8Array): PrepareOk | null {
  if (p.length < 9 || p[0] !== 0) return null;
  return { statementId: u32(p, 1), columns: u16(p, 5), params: u16(p, 7), warnings: p.length >= 12 ? u16(p, 10) : 0 };
}

export interface ParamType { type: number; unsigned: boolean }

export interface Execute {
  statementId: number;
  /** Decoded parameters, or null when they could not be (unknown count, types never sent, short packet). */
  params: Array<string | null> | null;
  /** Types sent with this execute (new-params-bound), to reuse on later executes of the statement. */
  types: ParamType[] | null;
}

/**
 * COM_STMT_EXECUTE: statement id, flags, iteration count, then for
 * `paramCount` > 0 a NULL bitmap, the new-params-bound flag, types (when
 * bound) and values. `knownTypes` are the types of an earlier execute.
 */
export function parseExecute(p: Uint8Array, paramCount: number | null, knownTypes: readonly ParamType[] | null): Execute {
  const ex: Execute = { statementId: p.length >= 5 ? u32(p, 1) : -1, params: null, types: null };
  if (paramCount === null || p.length < 10) return ex;
  if (paramCount === 0) { ex.params = []; return ex; }
  const bitmap = Math.floor((paramCount + 7) / 8);
  let off = 10 + bitmap;
  if (off >= p.length) return ex;
  const nulls = p.subarray(10, 10 + bitmap);
  let types = knownTypes;
  if (p[off++] === 1) {
    if (off + paramCount * 2 > p.length) return ex;
    const sent: ParamType[] = [];
    for (let i = 0; i < paramCount; i++) sent.push({ type: p[off + i * 2], unsigned: (p[off + i * 2 + 1] & 0x80) !== 0 });
    off += paramCount * 2;
    ex.types = sent;
    types = sent;
  }
  if (types === null || types.length !== paramCount) return ex;
  const params: Array<string | null> = [];
  for (let i = 0; i < paramCount; i++) {
    if (nulls[i >> 3] & (1 << (i & 7))) { params.push(null); continue; }
    const v = readBinaryValue(p, off, types[i].type, types[i].unsigned);
    if (v.next === -1) return ex;
    params.push(v.value);
    off = v.next;
  }
  ex.params = params;
  return ex;
}

/**
 * COM_QUERY body: the SQL text, after the query attributes when
 * CLIENT_QUERY_ATTRIBUTES was agreed (parameter count, set count, and, when
 * there are any, bitmap, bound flag, typed names and values). Returns the
 * offset where the text starts, or -1 when the attributes run past the packet.
 */
export function queryTextOffset(p: Uint8Array, queryAttributes: boolean): number {
  if (!queryAttributes) return 1;
  const count = lenenc(p, 1);
  const sets = lenenc(p, count.next);
  if (count.value < 0 || sets.value < 0) return -1;
  let off = sets.next;
  if (count.value === 0) return off;
  off += Math.floor((count.value + 7) / 8);
  if (off >= p.length || p[off++] !== 1) return -1;
  const types: ParamType[] = [];
  for (let i = 0; i < count.value; i++) {
    if (off + 2 > p.length) return -1;
    types.push({ type: p[off], unsigned: (p[off + 1] & 0x80) !== 0 });
    const name = lenenc(p, off + 2);
    if (name.value < 0) return -1;
    off = name.next + name.value;
  }
  const nulls = sets.next;
  for (let i = 0; i < count.value; i++) {
    if (p[nulls + (i >> 3)] & (1 << (i & 7))) continue;
    const v = readBinaryValue(p, off, types[i].type, types[i].unsigned);
    if (v.next === -1) return -1;
    off = v.next;
  }
  return off <= p.length ? off : -1;
}
