/**
 * Test-only builders for HTTP/2 bytes: frames, a small HPACK encoder (no
 * Huffman; incremental indexing, with exact repeats sent as indexes so the
 * dynamic table matters), request and response sequences.
 */
import { PREFACE } from './frames.js';

export function frame(type: number, flags: number, streamId: number, payload: Uint8Array | string = new Uint8Array(0)): Buffer {
  const p = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : Buffer.from(payload);
  const h = Buffer.alloc(9);
  h.writeUIntBE(p.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(streamId, 5);
  return Buffer.concat([h, p]);
}

function int(v: number, prefix: number, first: number): number[] {
  const max = (1 << prefix) - 1;
  if (v < max) return [first | v];
  const out = [first | max];
  v -= max;
  while (v >= 128) { out.push((v & 0x7f) | 0x80); v >>>= 7; }
  out.push(v);
  return out;
}

function str(s: string): number[] {
  const b = Buffer.from(s, 'latin1');
  return [...int(b.length, 7, 0), ...b];
}

export class TestEncoder {
  private table: string[] = [];

  encode(fields: Array<[string, string]>): Buffer {
    const out: number[] = [];
    for (const [n, v] of fields) {
      const key = `${n}\0${v}`;
      const at = this.table.lastIndexOf(key);
      if (at >= 0) { out.push(...int(62 + (this.table.length - 1 - at), 7, 0x80)); continue; }
      out.push(0x40, ...str(n), ...str(v));
      this.table.push(key);
    }
    return Buffer.from(out);
  }
}

export const SETTINGS_EMPTY = frame(4, 0, 0);
export const SETTINGS_ACK = frame(4, 1, 0);

export interface H2Exchange { client: Buffer; server: Buffer }

/** One request/response on `id` with optional bodies; the first one carries the prefaces. */
export function exchange(ce: TestEncoder, se: TestEncoder, id: number, o: { method?: string; path: string; reqBody?: string; status?: number; resBody?: string; first?: boolean; ctype?: string }): H2Exchange {
  const reqHead: Array<[string, string]> = [[':method', o.method ?? 'GET'], [':scheme', 'http'], [':authority', 'example.test'], [':path', o.path], ['user-agent', 'podtap-test']];
  const c: Buffer[] = [];
  if (o.first === true) c.push(Buffer.from(PREFACE, 'latin1'), SETTINGS_EMPTY);
  c.push(frame(1, 0x4 | (o.reqBody === undefined ? 1 : 0), id, ce.encode(reqHead)));
  if (o.reqBody !== undefined) c.push(frame(0, 1, id, o.reqBody));
  const s: Buffer[] = [];
  if (o.first === true) s.push(SETTINGS_EMPTY, SETTINGS_ACK);
  s.push(frame(1, 0x4 | (o.resBody === undefined ? 1 : 0), id, se.encode([[':status', String(o.status ?? 200)], ['content-type', o.ctype ?? 'text/plain'], ['server', 'test']])));
  if (o.resBody !== undefined) s.push(frame(0, 1, id, o.resBody));
  return { client: Buffer.concat(c), server: Buffer.concat(s) };
}

import { DissectorRegistry, DISSECTORS } from '../registry.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { readCaptureFile } from '../../capture/open.js';
import type { PipelineStats } from '../../pipeline/types.js';
import type { Entry } from '../../entries/types.js';
import { http2Spec } from './index.js';
import type { Http2DissectorEntry } from './types.js';

/** http2 first: HTTP/1's detection takes the preface for a request of method PRI. */
export function http2Registry(): DissectorRegistry {
  return new DissectorRegistry([http2Spec, ...DISSECTORS]);
}

export async function readHttp2Capture(path: string, options: { maxBodyBytes?: number } = {}): Promise<{ entries: Http2DissectorEntry[]; all: Entry[]; stats: PipelineStats }> {
  const entries: Http2DissectorEntry[] = [];
  const all: Entry[] = [];
  const p = new Pipeline((e: Entry) => {
    all.push(e);
    const proto = (e as { protocol: string }).protocol;
    if (proto === 'http2' || proto === 'grpc') entries.push(e as unknown as Http2DissectorEntry);
  }, options, http2Registry());
  await readCaptureFile(path, p);
  const stats = p.finish();
  return { entries, all, stats };
}

/** Protobuf encoding by hand (no protoc here): fields of varints and length-delimited values. */
export function pb(fields: Array<[number, number | string | Buffer]>): Buffer {
  const out: number[] = [];
  const varint = (v: number): void => { while (v >= 128) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); } out.push(v); };
  for (const [n, v] of fields) {
    if (typeof v === 'number') { varint(n * 8); varint(v); continue; }
    const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    varint(n * 8 + 2);
    varint(b.length);
    out.push(...b);
  }
  return Buffer.from(out);
}

import { tcpConversation } from '../../testing/packets.js';

/** Run client/server byte pairs through a pipeline (a TCP conversation, 10.0.0.1 → 10.0.0.2). */
export function runBytes(exchanges: Array<[Uint8Array | string, Uint8Array | string]>, o: { port?: number; mss?: number; handshake?: boolean; drop?: (frame: Buffer, i: number) => boolean; maxBodyBytes?: number } = {}): { entries: Http2DissectorEntry[]; stats: PipelineStats } {
  const entries: Http2DissectorEntry[] = [];
  const p = new Pipeline((e) => entries.push(e as unknown as Http2DissectorEntry), o.maxBodyBytes === undefined ? {} : { maxBodyBytes: o.maxBodyBytes }, http2Registry());
  const frames = tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40_000, sport: o.port ?? 8080, exchanges, mss: o.mss, handshake: o.handshake });
  frames.forEach((data, i) => { if (o.drop === undefined || !o.drop(data, i)) p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }); });
  return { entries, stats: p.finish() };
}
