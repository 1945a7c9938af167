/**
 * The entry model: one request/response exchange seen on the wire.
 * Shared by the pipeline, the CLI, the hub and the UI. Entries are a
 * discriminated union on `protocol`; field names follow what Kubeshark users
 * filter on (see docs/fields.md). Everything here is plain JSON data.
 */

/** One end of an exchange. `src` is always the client (the side that asked). */
export interface Endpoint {
  ip: string;
  port: number;
  /** Filled by metadata providers in later stages; empty when unknown. */
  name?: string;
  namespace?: string;
  pod?: string;
  service?: string;
  node?: string;
  /** The pod's labels, when the end is a known pod. */
  labels?: Record<string, string>;
  /** A name for the address learned from DNS answers seen in the traffic (external ends). */
  dns?: string;
}

/** 'icmp' covers ICMP and ICMPv6 entries (dissectors/icmp), which have no ports. */
export type Transport = 'tcp' | 'udp' | 'icmp';

/**
 * Named anomalies ("weirds", after Zeek) recorded on an entry instead of
 * throwing: truncation, gaps, protocol violations, limits that were hit.
 */
export type EntryFlag =
  | 'no-response'        // stream ended before a response arrived
  | 'no-request'         // a response with no request seen (capture started mid-way)
  | 'gap'                // bytes of this exchange were never captured
  | 'body-truncated'     // body kept up to the cap; `bodySize` has the true size
  | 'body-decode-error'  // content-encoding could not be decoded
  | 'violation'          // bytes that do not follow the protocol
  | 'upgrade'            // connection switched protocol after this exchange
  | 'tunnel'             // CONNECT accepted: the rest of the stream is opaque
  | 'retransmission'     // a duplicate response for an already answered query
  | 'truncated';         // message cut short (UDP truncation, end of capture)

export interface EntryBase {
  /** Unique within one run: `<connection id>-<sequence>`. */
  id: string;
  protocol: string;
  transport: Transport;
  /** Request start, milliseconds since the Unix epoch (fractional). */
  timestamp: number;
  /** Response end minus request start, ms; 0 when there is no response. */
  elapsedTime: number;
  src: Endpoint;
  dst: Endpoint;
  /** Connection/flow identifier, stable across entries of one connection. */
  connectionId: string;
  flags: EntryFlag[];
  /** Paths whose values the hub masked before storage (e.g. `request.headers.authorization`); absent when none. */
  redacted?: string[];
}

export interface HttpBody {
  /** Size on the wire after transfer decoding (dechunked), before content decoding. */
  size: number;
  /** Decoded text (utf-8) or base64 of the kept bytes, depending on `encoding`. */
  content: string;
  encoding: 'text' | 'base64';
  mimeType: string;
  /** Content-Encoding that was removed for display (gzip, deflate, br), if any. */
  decodedFrom?: string;
  truncated: boolean;
}

export interface HttpRequest {
  method: string;
  /** Path including the query string, as sent (request-target). */
  path: string;
  /** Host header, or the authority of an absolute-form target. */
  host: string;
  /** Query parameters parsed from `path`. */
  query: Record<string, string>;
  httpVersion: string;
  /** Lower-cased header names; repeated headers are joined with ", ". */
  headers: Record<string, string>;
  headersSize: number;
  body: HttpBody | null;
  /** Trailer fields of a chunked body. */
  trailers?: Record<string, string>;
  /** GraphQL call summary when the request carries one (dissectors/graphql); absent otherwise. */
  graphql?: GraphqlRequest;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  httpVersion: string;
  headers: Record<string, string>;
  headersSize: number;
  body: HttpBody | null;
  trailers?: Record<string, string>;
  /** Interim (1xx) responses that came before this final one. */
  informational?: number[];
}

export interface HttpEntry extends EntryBase {
  protocol: 'http';
  transport: 'tcp';
  request: HttpRequest | null;
  response: HttpResponse | null;
}

export interface DnsQuestion {
  name: string;
  type: string;
  class: string;
}

export interface DnsRecord {
  name: string;
  type: string;
  class: string;
  ttl: number;
  /** Presentation form: an address, a name, "10 mail.example.com", TXT strings joined, or hex for unknown types. */
  data: string;
}

/** EDNS(0) from the OPT pseudo-record (kept out of the record sections). */
export interface DnsEdns {
  udpPayloadSize: number;
  version: number;
  dnssecOk: boolean;
  /** Option codes and lengths (e.g. 10 = COOKIE, 8 = client subnet). */
  options: Array<{ code: number; length: number }>;
}

export interface DnsRequest {
  id: number;
  opcode: string;
  recursionDesired: boolean;
  /** AD and CD bits (RFC 4035). */
  authenticData: boolean;
  checkingDisabled: boolean;
  questions: DnsQuestion[];
  edns: DnsEdns | null;
}

export interface DnsResponse {
  id: number;
  rcode: number;
  rcodeName: string;
  authoritative: boolean;
  truncated: boolean;
  recursionAvailable: boolean;
  authenticData: boolean;
  checkingDisabled: boolean;
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
  /** Question section echoed by the server. */
  questions: DnsQuestion[];
  edns: DnsEdns | null;
}

export interface DnsEntry extends EntryBase {
  protocol: 'dns';
  request: DnsRequest | null;
  response: DnsResponse | null;
}

// Protocols whose entry types live beside their dissectors (type-only imports).
import type { MysqlEntry } from '../dissectors/mysql/entry.js';
import type { AmqpEntry } from '../dissectors/amqp/entry.js';
import type { MqttEntry } from '../dissectors/mqtt/entry.js';
import type { Http2Entry, GrpcEntry } from '../dissectors/http2/types.js';
import type { RedisEntry } from '../dissectors/redis/entry.js';
import type { PostgresEntry } from '../dissectors/postgres/entry.js';
import type { TlsEntry } from '../dissectors/tls/entry.js';
import type { WebSocketEntry } from '../dissectors/websocket/entry.js';
import type { KafkaEntry } from '../dissectors/kafka/entry.js';
import type { MongodbEntry } from '../dissectors/mongodb/entry.js';
import type { GraphqlRequest } from '../dissectors/graphql/detect.js';
import type { IcmpEntry } from '../dissectors/icmp/entry.js';

export type { MysqlEntry, AmqpEntry, MqttEntry, Http2Entry, GrpcEntry, RedisEntry, PostgresEntry, TlsEntry, WebSocketEntry, GraphqlRequest, IcmpEntry };
export type Entry = HttpEntry | DnsEntry | Http2Entry | GrpcEntry | WebSocketEntry | RedisEntry | PostgresEntry | MysqlEntry | MongodbEntry | KafkaEntry | AmqpEntry | MqttEntry | TlsEntry | IcmpEntry;
export type Protocol = Entry['protocol'];
