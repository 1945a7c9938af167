/**
 * Entry types of the HTTP/2 dissector: `http2` entries reuse the HTTP entry
 * shape (so HTTP filters work on them) plus the stream id; `grpc` entries add
 * the call's service, method, messages and status.
 */
import type { EntryBase, HttpRequest, HttpResponse } from '../../entries/types.js';

export interface Http2Request extends HttpRequest {
  /** `:scheme` (`"http"`, `"https"`). */
  scheme: string;
  /** Some header fields could not be decoded (HPACK state unknown: gap or capture started mid-way). */
  headersIncomplete?: boolean;
  /** Set on a server-pushed request: the stream whose PUSH_PROMISE carried it. */
  promisedOn?: number;
}

export interface Http2Response extends HttpResponse {
  headersIncomplete?: boolean;
}

/** How a stream ended early: RST_STREAM (either side) or a GOAWAY that did not cover it. */
export interface Http2Reset {
  /** Error code name (`CANCEL`, `REFUSED_STREAM`, …; hex when unknown). */
  errorCode: string;
  /** Who sent the frame. */
  by: 'client' | 'server';
  frame: 'RST_STREAM' | 'GOAWAY';
}

export interface Http2Entry extends EntryBase {
  protocol: 'http2';
  transport: 'tcp';
  streamId: number;
  request: Http2Request | null;
  response: Http2Response | null;
  reset?: Http2Reset;
}

/** One field of a protobuf message decoded without its schema. */
export interface ProtoField {
  /** Field number. */
  field: number;
  /** Wire type: 0 varint, 1 i64, 2 length-delimited, 5 i32. */
  wire: 0 | 1 | 2 | 5;
  /** What the value looks like: the varint/fixed as an unsigned decimal, printable text, bytes as base64, or a nested message. */
  kind: 'varint' | 'fixed64' | 'fixed32' | 'string' | 'bytes' | 'message';
  /** Decimal for numbers, the text for strings, base64 for bytes, '' for messages. */
  value: string;
  /** Fields of a length-delimited value that parses as a message. */
  fields?: ProtoField[];
}

/** One length-prefixed gRPC message. */
export interface GrpcMessage {
  /** Compressed-Flag of the prefix. */
  compressed: boolean;
  /** Length from the prefix (on the wire, before decompression). */
  size: number;
  /** grpc-encoding removed for display (`gzip`, `deflate`), if any. */
  decodedFrom?: string;
  /** Base64 of the (decompressed) bytes kept. */
  data: string;
  /** Only a prefix of the message was kept (cap, gap or end of capture). */
  truncated: boolean;
  /** Schemaless protobuf decoding; null when the bytes do not parse as a message or were cut. */
  fields: ProtoField[] | null;
}

export interface GrpcRequest extends Http2Request {
  /** `package.Service` from `:path` (`/package.Service/Method`). */
  grpcService: string;
  /** `Method` from `:path`. */
  grpcMethod: string;
  messages: GrpcMessage[];
  /** Messages on the stream, counting those not listed (MAX_GRPC_MESSAGES). */
  messageCount: number;
}

export interface GrpcResponse extends Http2Response {
  /** grpc-status from the trailers (or a trailers-only response); null when none was seen. */
  grpcStatus: number | null;
  /** Name of the status (`OK`, `NOT_FOUND`, …). */
  grpcStatusName: string;
  /** grpc-message, percent-decoded; '' when absent. */
  grpcMessage: string;
  messages: GrpcMessage[];
  messageCount: number;
}

export interface GrpcEntry extends EntryBase {
  protocol: 'grpc';
  transport: 'tcp';
  streamId: number;
  request: GrpcRequest | null;
  response: GrpcResponse | null;
  reset?: Http2Reset;
}

export type Http2DissectorEntry = Http2Entry | GrpcEntry;
