/**
 * One target per TCP dissector, plus the TCP reassembly target. Each input
 * is a conversation (conversation.ts) pushed as Ethernet frames through a
 * real Pipeline whose registry puts the dissector under test first — as the
 * shared conformance suite (dissectors/conformance.ts) does — so detection,
 * reassembly, gaps, hand-offs and the dissector run exactly as on a capture.
 */
import { DISSECTORS, DissectorRegistry } from '../../dissectors/registry.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { type Conversation, Option, SegFlag, decodeConversation, encodeConversation } from '../conversation.js';
import { type Emphasis, mutateConversation } from '../conversation-mutate.js';
import { feedTcp } from '../feed.js';
import { spread, tcpSeeds } from '../library.js';
import { type FuzzTarget, tokens } from '../target.js';
import { consumeEntry } from './entries.js';

export interface StreamTargetSpec {
  name: string;
  about: string;
  /** The registered spec put first in detection order; absent: the registry as the pipeline has it. */
  spec?: string;
  /** Conversations that gave entries of these protocols are the seeds. */
  protocols: readonly string[];
  emphasis?: Emphasis;
  extraSeeds?: () => Conversation[];
  dict?: readonly Uint8Array[];
}

function registryFor(specName: string | undefined): DissectorRegistry {
  if (specName === undefined) return new DissectorRegistry();
  const spec = DISSECTORS.find((s) => s.name === specName && s.transport === 'tcp');
  if (spec === undefined) throw new Error(`no TCP dissector named ${specName}`);
  return new DissectorRegistry([spec, ...DISSECTORS.filter((s) => s !== spec)]);
}

export function streamTarget(t: StreamTargetSpec): FuzzTarget {
  const registry = registryFor(t.spec);
  const emphasis = t.emphasis ?? 'content';
  return {
    name: t.name,
    about: t.about,
    dict: t.dict,
    seeds: () => spread([...(t.extraSeeds?.() ?? []).map(encodeConversation), ...tcpSeeds(t.protocols)]),
    mutate: (input, cx, rounds) => mutateConversation(input, cx, emphasis, rounds),
    run(input) {
      const p = new Pipeline(consumeEntry, {}, registry);
      feedTcp(p, decodeConversation(input));
      p.finish();
    },
  };
}

const conv = (port: number, ...exchanges: Array<[string, string]>): Conversation => {
  const segments = exchanges.flatMap(([q, r]) => [{ flags: 0, seq: 0, data: Buffer.from(q, 'latin1') }, { flags: SegFlag.SERVER, seq: 0, data: Buffer.from(r, 'latin1') }]);
  const next = [0, 0];
  for (const s of segments) { const d = s.flags & 1; s.seq = next[d]; next[d] += s.data.length; }
  return { options: Option.HANDSHAKE | Option.CLOSE, port, isnClient: 1000, isnServer: 5000, segments };
};

const gql = JSON.stringify({ query: 'query Cart($id: ID!) { cart(id: $id) { items { sku } } }', operationName: 'Cart', variables: { id: '7' } });

/** HTTP/1 shapes the fixtures have few of: GraphQL, chunked with trailers, an upgrade to WebSocket. */
const http1Extras = (): Conversation[] => [
  conv(80, [`POST /graphql HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: ${gql.length}\r\n\r\n${gql}`, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}']),
  conv(80, ['GET /c HTTP/1.1\r\nHost: a\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: x-t\r\n\r\n5\r\nhello\r\n0\r\nx-t: 1\r\n\r\n']),
  conv(80, ['GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x02hi'], ['\x81\x82abcd\x09\x0b', '\x88\x00']),
];

const HTTP_TOKENS = tokens('\r\n', '\r\n\r\n', 'HTTP/1.1 ', 'Content-Length: ', 'Transfer-Encoding: chunked\r\n', 'Content-Encoding: gzip\r\n',
  'Connection: Upgrade\r\nUpgrade: websocket\r\n', 'HTTP/1.1 101 Switching Protocols\r\n', 'HTTP/1.1 100 Continue\r\n\r\n', '0\r\n\r\n', 'ffffffff\r\n', ': ', ' ', '?a=b&', 'HEAD ', 'CONNECT ');
const RESP_TOKENS = tokens('*', '$', '+OK\r\n', '-ERR x\r\n', ':1\r\n', '$-1\r\n', '*-1\r\n', '%1\r\n', '~', '>', '|', '_\r\n', '\r\n', '*2147483647\r\n', '$2147483647\r\n');

export const STREAM_TARGETS: readonly FuzzTarget[] = [
  streamTarget({ name: 'http1', about: 'HTTP/1.x dissector (GraphQL bodies, chunked, upgrade)', spec: 'http', protocols: ['http'], extraSeeds: http1Extras, dict: HTTP_TOKENS }),
  streamTarget({ name: 'http2', about: 'HTTP/2 frames, HPACK, gRPC messages and schemaless protobuf', spec: 'http2', protocols: ['http2', 'grpc'], dict: tokens('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', '\x00\x00\x00\x04\x00\x00\x00\x00\x00', '\x00\x00\x00\x00\x00', 'grpc-status', 'application/grpc') }),
  streamTarget({ name: 'websocket', about: 'WebSocket after the HTTP/1 upgrade hand-off (frames, deflate)', protocols: ['websocket'], extraSeeds: () => [http1Extras()[2]], dict: tokens('\x81', '\x82', '\x88', '\x89', '\x8a', '\x01', '\x7e', '\x7f', '\xc1', 'permessage-deflate') }),
  streamTarget({ name: 'dns-tcp', about: 'DNS over TCP (length-prefixed messages, names, compression pointers)', spec: 'dns', protocols: ['dns'], dict: tokens('\xc0\x0c', '\xc0', '\x00\x00', '\x3f', '\x00\x29', '\x00\xff') }),
  streamTarget({ name: 'redis', about: 'Redis RESP2/RESP3', spec: 'redis', protocols: ['redis'], dict: RESP_TOKENS }),
  streamTarget({ name: 'postgres', about: 'PostgreSQL v3 wire protocol', spec: 'postgres', protocols: ['postgres'], dict: tokens('\x00\x00\x00\x08\x04\xd2\x16\x2f', 'Q', 'P', 'B', 'E', 'S', 'Z', 'T', 'D', 'C', 'E\x00\x00\x00', 'N') }),
  streamTarget({ name: 'mysql', about: 'MySQL/MariaDB protocol', spec: 'mysql', protocols: ['mysql'], dict: tokens('\x00\x00\x00\x03', '\xff', '\xfe', '\xfb', '\xfc', '\xfd', '\x00\x00\x00\x16', 'caching_sha2_password\x00') }),
  streamTarget({ name: 'mongodb', about: 'MongoDB OP_MSG and BSON', spec: 'mongodb', protocols: ['mongodb'], dict: tokens('\xdd\x07\x00\x00', '\xd4\x07\x00\x00', '\x03', '\x04', '\x02', '\x10', '\x12', '\x00\x00\x00\x00') }),
  streamTarget({ name: 'kafka', about: 'Kafka (all API keys, flexible versions, record batches)', spec: 'kafka', protocols: ['kafka'], dict: tokens('\x00\x00', '\xff\xff', '\x00\x12', '\x00\x03', '\x00\x00\x00\x00', '\xff\xff\xff\xff', '\x7f') }),
  streamTarget({ name: 'amqp', about: 'AMQP 0-9-1 frames and methods', spec: 'amqp', protocols: ['amqp'], dict: tokens('AMQP\x00\x00\x09\x01', '\xce', '\x01\x00\x00', '\x02\x00\x00', '\x03\x00\x00', '\x08\x00\x00', '\x00\x3c\x00\x28') }),
  streamTarget({ name: 'mqtt', about: 'MQTT 3.1.1/5 packets and properties', spec: 'mqtt', protocols: ['mqtt'], dict: tokens('\x10', '\x20', '\x30', '\x82', '\xff\xff\xff\x7f', '\x00\x04MQTT\x05', '\x26', '\x0b') }),
  streamTarget({ name: 'tls', about: 'TLS records and handshake metadata (SNI, ALPN, versions)', spec: 'tls', protocols: ['tls'], dict: tokens('\x16\x03\x01', '\x16\x03\x03', '\x01\x00', '\x02\x00', '\x00\x00', '\x00\x10', '\x00\x2b', '\x14\x03\x03\x00\x01\x01', '\x15\x03\x03\x00\x02') }),
  streamTarget({ name: 'tcp', about: 'TCP layer and reassembly: reordering, retransmits, overlaps, gaps, SYN/FIN/RST, wrap-around', protocols: ['http', 'http2', 'grpc', 'dns', 'redis', 'postgres', 'mysql', 'mongodb', 'kafka', 'amqp', 'mqtt', 'tls', 'websocket'], emphasis: 'structure' }),
];
