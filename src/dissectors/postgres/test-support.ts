/**
 * Test helpers: PostgreSQL message builders and a pipeline run over frames
 * or capture files with the postgres spec registered.
 */
import { Pipeline } from '../../pipeline/pipeline.js';
import { readCaptureFile } from '../../capture/open.js';
import { DissectorRegistry, DISSECTORS } from '../registry.js';
import type { Entry } from '../../entries/types.js';
import type { PipelineStats } from '../../pipeline/types.js';
import { postgresSpec, type PostgresEntry } from './index.js';
import { tcpConversation } from '../../testing/packets.js';

const cstr = (s: string): Buffer => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);

export function msg(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(5);
  h.write(type, 0, 'latin1');
  h.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([h, body]);
}

const i32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };
const i16 = (n: number): Buffer => { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; };

export function startup(params: Record<string, string>): Buffer {
  const body = Buffer.concat([i32(3 << 16), ...Object.entries(params).flatMap(([k, v]) => [cstr(k), cstr(v)]), Buffer.from([0])]);
  return Buffer.concat([i32(body.length + 4), body]);
}

export const sslRequest = (): Buffer => Buffer.concat([i32(8), i32(80877103)]);
export const cancelRequest = (pid: number, key: number): Buffer => Buffer.concat([i32(16), i32(80877102), i32(pid), i32(key)]);
export const query = (sql: string): Buffer => msg('Q', cstr(sql));
export const parse = (name: string, sql: string): Buffer => msg('P', cstr(name), cstr(sql), i16(0));
export function bind(portal: string, stmt: string, values: Array<string | null>, formats: number[] = []): Buffer {
  const vals = values.map((v) => (v === null ? i32(-1) : Buffer.concat([i32(Buffer.byteLength(v)), Buffer.from(v)])));
  return msg('B', cstr(portal), cstr(stmt), i16(formats.length), ...formats.map(i16), i16(values.length), ...vals, i16(0));
}
export const describePortal = (name: string): Buffer => msg('D', Buffer.from('P'), cstr(name));
export const execute = (portal: string, max = 0): Buffer => msg('E', cstr(portal), i32(max));
export const sync = (): Buffer => msg('S');
export const terminate = (): Buffer => msg('X');
export const copyData = (s: string): Buffer => msg('d', Buffer.from(s));
export const copyDone = (): Buffer => msg('c');

export const authOk = (): Buffer => msg('R', i32(0));
export const authMd5 = (): Buffer => msg('R', i32(5), Buffer.from([1, 2, 3, 4]));
export const paramStatus = (k: string, v: string): Buffer => msg('S', cstr(k), cstr(v));
export const backendKey = (pid: number, key: number): Buffer => msg('K', i32(pid), i32(key));
export const ready = (s = 'I'): Buffer => msg('Z', Buffer.from(s));
export function rowDesc(names: string[]): Buffer {
  return msg('T', i16(names.length), ...names.flatMap((n) => [cstr(n), i32(0), i16(0), i32(25), i16(-1), i32(-1), i16(0)]));
}
export function dataRowMsg(values: Array<string | null>): Buffer {
  return msg('D', i16(values.length), ...values.map((v) => (v === null ? i32(-1) : Buffer.concat([i32(Buffer.byteLength(v)), Buffer.from(v)]))));
}
export const complete = (tag: string): Buffer => msg('C', cstr(tag));
export function errorMsg(severity: string, code: string, message: string): Buffer {
  return msg('E', Buffer.from('S'), cstr(severity), Buffer.from('V'), cstr(severity), Buffer.from('C'), cstr(code), Buffer.from('M'), cstr(message), Buffer.from([0]));
}
export function noticeMsg(message: string): Buffer {
  return msg('N', Buffer.from('S'), cstr('NOTICE'), Buffer.from('C'), cstr('00000'), Buffer.from('M'), cstr(message), Buffer.from([0]));
}
export const parseComplete = (): Buffer => msg('1');
export const bindComplete = (): Buffer => msg('2');
export const copyInResponse = (cols: number): Buffer => msg('G', Buffer.from([0]), i16(cols), ...Array.from({ length: cols }, () => i16(0)));
export const copyOutResponse = (cols: number): Buffer => msg('H', Buffer.from([0]), i16(cols), ...Array.from({ length: cols }, () => i16(0)));

/** A startup answered by trust authentication. */
export function startupAnswer(): Buffer {
  return Buffer.concat([authOk(), paramStatus('server_version', '16.4'), paramStatus('client_encoding', 'UTF8'), backendKey(4242, 99), ready()]);
}

/** The entries of a capture file with the postgres spec registered. */
export async function entriesOfCapture(path: string): Promise<{ entries: PostgresEntry[]; all: Entry[]; stats: PipelineStats }> {
  const all: Entry[] = [];
  const registry = new DissectorRegistry([...DISSECTORS, postgresSpec]);
  const p = new Pipeline((e) => all.push(e), {}, registry);
  await readCaptureFile(path, p);
  const stats = p.finish();
  const entries = all.filter((e) => (e.protocol as string) === 'postgres') as unknown as PostgresEntry[];
  return { entries, all, stats };
}

/** Entries of one synthetic connection (client 10.0.0.1:40000 → server :5432). */
export function entriesOfExchanges(
  exchanges: Array<[Uint8Array | string, Uint8Array | string]>, opts: { mss?: number; handshake?: boolean; drop?: (frame: Buffer, i: number) => boolean } = {},
): { entries: PostgresEntry[]; stats: PipelineStats } {
  const all: Entry[] = [];
  const p = new Pipeline((e) => all.push(e), {}, new DissectorRegistry([...DISSECTORS, postgresSpec]));
  const frames = tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40_000, sport: 5432, exchanges, mss: opts.mss, handshake: opts.handshake });
  frames.forEach((data, i) => { if (opts.drop?.(data, i) !== true) p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }); });
  const stats = p.finish();
  return { entries: all.filter((e) => (e.protocol as string) === 'postgres') as unknown as PostgresEntry[], stats };
}
