/**
 * gRPC over HTTP/2: the length-prefixed messages of one side of a call
 * (1-byte Compressed-Flag, 4-byte big-endian length, message), split as DATA
 * arrives, whatever the body cap; the path and status helpers.
 */
import { decodeContent } from '../http1/decode.js';
import { decodeProtobuf, type ProtoLimitHits } from './protobuf.js';
import type { GrpcMessage } from './types.js';

/** Messages listed per side of a call (all are counted). */
export const MAX_GRPC_MESSAGES = 100;

interface Pending { compressed: boolean; size: number; chunks: Buffer[]; kept: number; lost: boolean }

export class GrpcSplitter {
  private readonly done: Pending[] = [];
  private cur: Pending | null = null;
  private readonly prefix = new Uint8Array(5);
  private prefixFill = 0;
  private left = 0;
  /** Messages seen (prefixes read). */
  count = 0;
  /** Limits the schemaless decoding hit in `finish()` (the entry builder counts them as weirds). */
  readonly protoLimits: ProtoLimitHits = { depth: false, fields: false };
  private kept = 0;
  /** Bytes lost in a gap: the message boundary is lost, later bytes are not split. */
  private broken = false;

  constructor(private readonly budget: number) {}

  feed(b: Uint8Array): void {
    let i = 0;
    const n = b.length;
    while (i < n && !this.broken) {
      if (this.cur === null) {
        while (i < n && this.prefixFill < 5) this.prefix[this.prefixFill++] = b[i++];
        if (this.prefixFill < 5) return;
        this.prefixFill = 0;
        const p = this.prefix;
        const size = ((p[1] << 24) >>> 0) + ((p[2] << 16) | (p[3] << 8) | p[4]);
        this.cur = { compressed: (p[0] & 1) === 1, size, chunks: [], kept: 0, lost: false };
        this.left = size;
        this.count++;
        if (size === 0) { this.close(); continue; }
      }
      const take = Math.min(n - i, this.left);
      const room = this.budget - this.kept;
      const keep = Math.min(take, room);
      if (keep > 0 && this.done.length < MAX_GRPC_MESSAGES) {
        this.cur.chunks.push(Buffer.from(b.subarray(i, i + keep))); // copy: kept past the delivery
        this.cur.kept += keep;
        this.kept += keep;
      }
      i += take;
      this.left -= take;
      if (this.left === 0) this.close();
    }
  }

  lost(n: number): void {
    if (this.cur !== null && n < this.left) { this.cur.lost = true; this.left -= n; return; }
    if (this.cur !== null) this.cur.lost = true;
    this.broken = true;
  }

  private close(): void {
    if (this.done.length < MAX_GRPC_MESSAGES) this.done.push(this.cur!);
    this.cur = null;
  }

  /** The messages, each decoded with `encoding` when compressed. */
  finish(encoding: string): GrpcMessage[] {
    const all = this.cur !== null && this.done.length < MAX_GRPC_MESSAGES ? [...this.done, this.cur] : this.done;
    return all.map((m) => toMessage(m, m !== this.cur ? m.lost : true, encoding, this.protoLimits));
  }
}

function toMessage(m: Pending, cut: boolean, encoding: string, hits: ProtoLimitHits): GrpcMessage {
  let bytes = m.chunks.length === 1 ? m.chunks[0]! : Buffer.concat(m.chunks, m.kept);
  const truncated = cut || m.kept < m.size;
  let decodedFrom: string | undefined;
  let decodable = !truncated;
  if (m.compressed) {
    const enc = encoding === '' ? 'identity' : encoding;
    const out = enc !== 'identity' ? decodeContent(bytes, [enc]) : null;
    if (out !== null) { bytes = out.bytes; decodedFrom = enc; decodable = decodable && !out.capped; } else decodable = false;
  }
  const fields = decodable ? decodeProtobuf(bytes, hits) : null;
  const msg: GrpcMessage = { compressed: m.compressed, size: m.size, data: bytes.toString('base64'), truncated, fields };
  if (decodedFrom !== undefined) msg.decodedFrom = decodedFrom;
  return msg;
}

/** `/package.Service/Method` → [service, method]; ['', ''] when the path has another shape. */
export function grpcPath(path: string): [string, string] {
  if (path.length < 4 || path[0] !== '/') return ['', ''];
  const slash = path.indexOf('/', 1);
  if (slash < 0) return ['', ''];
  return [path.slice(1, slash), path.slice(slash + 1)];
}

const STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

export function grpcStatusName(code: number | null): string {
  if (code === null) return '';
  return code >= 0 && code < STATUS_NAMES.length ? STATUS_NAMES[code]! : String(code);
}

/** grpc-message is percent-encoded (gRPC over HTTP/2 spec); bad escapes are kept as sent. */
export function decodeGrpcMessage(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function isGrpcContentType(ct: string | undefined): boolean {
  return ct !== undefined && (ct === 'application/grpc' || ct.startsWith('application/grpc+') || ct.startsWith('application/grpc;'));
}
