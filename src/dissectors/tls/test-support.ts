/** Test helpers: TLS byte builders and a capture run through a registry with tlsSpec. */
import { readCaptureFile } from '../../capture/open.js';
import type { Entry } from '../../entries/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import type { PipelineStats } from '../../pipeline/types.js';
import { DissectorRegistry, DISSECTORS } from '../registry.js';
import type { DissectorSpec } from '../types.js';
import type { TlsEntry } from './entry.js';
import { tlsSpec } from './index.js';

const u16 = (v: number): Buffer => Buffer.from([v >> 8, v & 0xff]);
const u24 = (v: number): Buffer => Buffer.from([v >> 16, (v >> 8) & 0xff, v & 0xff]);
const vec16 = (b: Buffer): Buffer => Buffer.concat([u16(b.length), b]);
const vec8 = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length]), b]);
const ext = (type: number, body: Buffer): Buffer => Buffer.concat([u16(type), vec16(body)]);

export function record(type: number, body: Buffer, version = 0x0303): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(version), u16(body.length), body]);
}

export function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}

export interface HelloOptions { sni?: string; alpn?: string[]; versions?: number[]; ciphers?: number[] }

export function clientHello(o: HelloOptions = {}): Buffer {
  const exts: Buffer[] = [];
  if (o.sni !== undefined) exts.push(ext(0, vec16(Buffer.concat([Buffer.from([0]), vec16(Buffer.from(o.sni))]))));
  exts.push(ext(10, vec16(Buffer.concat([u16(0x001d), u16(0x0017)]))));
  exts.push(ext(11, vec8(Buffer.from([0]))));
  if (o.alpn !== undefined) exts.push(ext(16, vec16(Buffer.concat(o.alpn.map((p) => vec8(Buffer.from(p)))))));
  if (o.versions !== undefined) exts.push(ext(43, vec8(Buffer.concat(o.versions.map(u16)))));
  const ciphers = o.ciphers ?? [0x1301, 0x1302, 0xc02f];
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 7), vec8(Buffer.alloc(32, 1)), vec16(Buffer.concat(ciphers.map(u16))), vec8(Buffer.from([0])), vec16(Buffer.concat(exts))]);
  return handshake(1, body);
}

export function serverHello(o: { cipher: number; version?: number; alpn?: string; hrr?: boolean }): Buffer {
  const exts: Buffer[] = [];
  if (o.version !== undefined) exts.push(ext(43, u16(o.version)));
  if (o.alpn !== undefined) exts.push(ext(16, vec16(vec8(Buffer.from(o.alpn)))));
  const random = o.hrr === true ? Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex') : Buffer.alloc(32, 9);
  const body = Buffer.concat([u16(0x0303), random, vec8(Buffer.alloc(32, 1)), u16(o.cipher), Buffer.from([0]), vec16(Buffer.concat(exts))]);
  return handshake(2, body);
}

export interface RunResult { entries: TlsEntry[]; all: Entry[]; stats: PipelineStats }

/** A capture file through the default dissectors plus `extra` (tlsSpec by default). */
export async function runCapture(path: string, extra: readonly DissectorSpec[] = [tlsSpec]): Promise<RunResult> {
  const all: Entry[] = [];
  const registry = new DissectorRegistry([...DISSECTORS, ...extra]);
  const p = new Pipeline((e) => all.push(e), {}, registry);
  await readCaptureFile(path, p);
  const stats = p.finish();
  const entries = all.filter((e) => (e.protocol as string) === 'tls') as unknown as TlsEntry[];
  return { entries, all, stats };
}
