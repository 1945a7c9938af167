/**
 * One HTTP/2 stream as the binding tracks it: the request and response
 * messages (reusing the HTTP/1 message, which owns body copies up to the cap),
 * how each side ended, and the gRPC message splitters when the call is gRPC.
 */
import type { EntryFlag } from '../../entries/types.js';
import { HttpMessage } from '../http1/message.js';
import { GrpcSplitter } from './grpc.js';
import type { Http2Reset } from './types.js';

export class H2Stream {
  req: HttpMessage | null = null;
  res: HttpMessage | null = null;
  /** Each side sent END_STREAM (or the stream was reset). */
  reqEnded = false;
  resEnded = false;
  reqIncomplete = false;
  resIncomplete = false;
  scheme = '';
  authority = '';
  informational: number[] | null = null;
  readonly flags: EntryFlag[] = [];
  reset: Http2Reset | undefined;
  promisedOn: number | undefined;
  reqGrpc: GrpcSplitter | null = null;
  resGrpc: GrpcSplitter | null = null;

  constructor(readonly id: number) {}

  flag(f: EntryFlag): void {
    if (!this.flags.includes(f)) this.flags.push(f);
  }

  /** The message of one side, made on first use (DATA before any HEADERS: capture started mid-stream). */
  side(isClient: boolean, ts: number): HttpMessage {
    if (isClient) {
      if (this.req === null) { this.req = newMessage(true, ts); this.reqIncomplete = true; }
      return this.req;
    }
    if (this.res === null) { this.res = newMessage(false, ts); this.resIncomplete = true; }
    return this.res;
  }

  splitter(isClient: boolean): GrpcSplitter | null {
    return isClient ? this.reqGrpc : this.resGrpc;
  }

  get done(): boolean {
    return this.reqEnded && this.resEnded;
  }
}

export function newMessage(isRequest: boolean, ts: number): HttpMessage {
  const m = new HttpMessage(isRequest, ts);
  m.version = 'HTTP/2';
  return m;
}

/** Body bytes of a DATA piece: counted and kept (copied by addBody) up to `cap`. */
export function addData(m: HttpMessage, data: Uint8Array, cap: number, ts: number): void {
  // A Buffer view over the same bytes (no copy): addBody wants Buffer's API.
  const b = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
  m.addBody(b, 0, b.length, cap);
  m.lastTs = ts;
}
