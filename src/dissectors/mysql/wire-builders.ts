/**
 * Test-only builders of MySQL packets (framed with length and sequence id),
 * and a fake ConnectionContext that collects entries and weirds.
 */
import type { ConnectionContext } from '../types.js';
import { DEFAULT_DISSECTOR_OPTIONS } from '../types.js';
import type { Entry } from '../../entries/types.js';
import type { MysqlEntry } from './entry.js';
import * as C from './codes.js';

export const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

export function pkt(seq: number, payload: Buffer | string): Buffer {
  const b = typeof payload === 'string' ? bytes(payload) : payload;
  return Buffer.concat([Buffer.from([b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, seq & 0xff]), b]);
}

export function lenencStr(s: string | null): Buffer {
  if (s === null) return Buffer.from([0xfb]);
  const b = bytes(s);
  if (b.length < 0xfb) return Buffer.concat([Buffer.from([b.length]), b]);
  return Buffer.concat([Buffer.from([0xfc, b.length & 0xff, b.length >> 8]), b]);
}

export const DEFAULT_CAPS = C.CLIENT_PROTOCOL_41 | C.CLIENT_SECURE_CONNECTION | C.CLIENT_PLUGIN_AUTH | C.CLIENT_CONNECT_WITH_DB | C.CLIENT_PLUGIN_AUTH_LENENC_DATA;

export function greeting(version = '8.0.36', caps = DEFAULT_CAPS | C.CLIENT_DEPRECATE_EOF | C.CLIENT_SSL): Buffer {
  const b = Buffer.concat([
    Buffer.from([10]), bytes(version + '\0'), Buffer.from([7, 0, 0, 0]), bytes('abcdefgh'), Buffer.from([0]),
    Buffer.from([caps & 0xff, (caps >> 8) & 0xff, 0x21, 2, 0, (caps >>> 16) & 0xff, (caps >>> 24) & 0xff, 21]),
    Buffer.alloc(10), bytes('ijklmnopqrst\0'), bytes('mysql_native_password\0'),
  ]);
  return pkt(0, b);
}

export function login(user: string, db: string | null, caps = DEFAULT_CAPS | C.CLIENT_DEPRECATE_EOF): Buffer {
  const c = db === null ? caps & ~C.CLIENT_CONNECT_WITH_DB : caps;
  const head = Buffer.alloc(32);
  head.writeUInt32LE(c >>> 0, 0);
  head.writeUInt32LE(0x1000000, 4);
  head[8] = 0x21;
  return pkt(1, Buffer.concat([head, bytes(user + '\0'), Buffer.from([20]), Buffer.alloc(20, 1), db === null ? Buffer.alloc(0) : bytes(db + '\0'), bytes('mysql_native_password\0')]));
}

export function sslRequest(caps = DEFAULT_CAPS | C.CLIENT_SSL): Buffer {
  const head = Buffer.alloc(32);
  head.writeUInt32LE(caps >>> 0, 0);
  return pkt(1, head);
}

export const ok = (seq: number, affected = 0, insertId = 0, status = 2, header = 0): Buffer => pkt(seq, Buffer.from([header, affected, insertId, status & 0xff, status >> 8, 0, 0]));
export const eof = (seq: number, status = 2): Buffer => pkt(seq, Buffer.from([0xfe, 0, 0, status & 0xff, status >> 8]));
export const err = (seq: number, code: number, state: string, msg: string): Buffer => pkt(seq, Buffer.concat([Buffer.from([0xff, code & 0xff, code >> 8]), bytes('#' + state + msg)]));

export function colDef(seq: number, name: string, type: number = C.T.VAR_STRING): Buffer {
  const fixed = Buffer.from([0x0c, 0x21, 0, 0xff, 0, 0, 0, type, 0, 0, 0, 0, 0]);
  return pkt(seq, Buffer.concat(['def', 'test', 't', 't', name, name].map(lenencStr).concat([fixed])));
}

export const textRow = (seq: number, cells: Array<string | null>): Buffer => pkt(seq, Buffer.concat(cells.map(lenencStr)));
export const command = (cmd: number, body: string | Buffer = ''): Buffer => pkt(0, Buffer.concat([Buffer.from([cmd]), typeof body === 'string' ? bytes(body) : body]));

/** A text result set: column count, definitions, (EOF), rows, EOF or OK. */
export function resultSet(columns: string[], rows: Array<Array<string | null>>, deprecateEof: boolean, status = 2): Buffer {
  let seq = 1;
  const parts = [pkt(seq++, Buffer.from([columns.length]))];
  for (const c of columns) parts.push(colDef(seq++, c));
  if (!deprecateEof) parts.push(eof(seq++));
  for (const r of rows) parts.push(textRow(seq++, r));
  parts.push(deprecateEof ? ok(seq++, 0, 0, status, 0xfe) : eof(seq++, status));
  return Buffer.concat(parts);
}

export interface FakeContext extends ConnectionContext { entries: MysqlEntry[]; weirds: Record<string, number> }

export function fakeContext(): FakeContext {
  let n = 0;
  const entries: MysqlEntry[] = [];
  const weirds: Record<string, number> = {};
  return {
    id: 'c1', transport: 'tcp',
    client: { ip: '10.0.0.1', port: 40000 }, server: { ip: '10.0.0.2', port: 3306 },
    options: DEFAULT_DISSECTOR_OPTIONS, entries, weirds,
    emit(e: Entry) { entries.push(e as unknown as MysqlEntry); },
    nextEntryId: () => `c1-${++n}`,
    weird(name: string) { weirds[name] = (weirds[name] ?? 0) + 1; },
  };
}
