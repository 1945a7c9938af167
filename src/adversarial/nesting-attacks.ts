/**
 * Deep nesting: a GraphQL-over-JSON body 100,000 levels deep (HTTP/1), a
 * BSON document 10,000 levels deep (MongoDB OP_MSG) and a protobuf message
 * 10,000 levels deep (gRPC over HTTP/2, decoded without a schema). Every
 * byte string is built iteratively, outside-in, so the builders themselves
 * never recurse either.
 */
import type { Attack } from './harness.js';
import { TcpStream } from './tcp-stream.js';
import { PREFACE } from '../dissectors/http2/frames.js';
import { SETTINGS_ACK, SETTINGS_EMPTY, TestEncoder, frame } from '../dissectors/http2/test-support.js';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** `{"query": …, "variables": {"a": {"a": … 1 …}}}` with `depth` levels under "variables". */
export function deepGraphqlJson(depth: number): Buffer {
  return latin1(`{"query":"query Deep { a }","operationName":"Deep","variables":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);
}

/** One GraphQL POST whose JSON body is `depth` levels deep, answered 200. */
export function deepJson(depth: number): Attack {
  const body = deepGraphqlJson(depth);
  function* frames(): Generator<Buffer> {
    const t = new TcpStream('10.66.2.1', '10.66.3.1', 50_101, 80);
    yield* t.open();
    yield* t.fromClient(latin1(`POST /graphql HTTP/1.1\r\nHost: attack.test\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`));
    yield* t.fromClient(body);
    yield* t.fromServer(latin1('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"data":{}}'));
    yield* t.close();
  }
  return { name: 'json-100k-deep', frames: frames(), count: Math.ceil(body.length / 1460) + 10 };
}

/** A BSON document `{a: {a: … {} …}}` `depth` levels deep, written outside-in. */
export function deepBsonDocument(depth: number, key = 'a'): Buffer {
  // Each level: int32 size, type 0x03, key, NUL, the inner document, NUL. The innermost is empty (5 bytes).
  const levelBytes = 4 + 1 + key.length + 1 + 1;
  const out = Buffer.alloc(depth * levelBytes + 5);
  let at = 0;
  for (let i = 0; i < depth; i++) {
    out.writeInt32LE((depth - i) * levelBytes + 5, at);
    out[at + 4] = 0x03;
    out.write(key, at + 5, 'latin1');
    out[at + 5 + key.length] = 0;
    at += 4 + 1 + key.length + 1;
  }
  out.writeInt32LE(5, at); // innermost {}
  out[at + 4] = 0;
  // Closing NULs: already zero (Buffer.alloc).
  return out;
}

/** `{find: "c", filter: <deep>, $db: "test"}` as BSON. */
function findCommand(depth: number): Buffer {
  const deep = deepBsonDocument(depth);
  const parts = [
    Buffer.from([0x02]), latin1('find\0'), int32(2), latin1('c\0'),
    Buffer.from([0x03]), latin1('filter\0'), deep,
    Buffer.from([0x02]), latin1('$db\0'), int32(5), latin1('test\0'),
  ];
  const elements = Buffer.concat(parts);
  return Buffer.concat([int32(4 + elements.length + 1), elements, Buffer.from([0])]);
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n, 0);
  return b;
}

function opMsg(requestId: number, responseTo: number, doc: Buffer): Buffer {
  const h = Buffer.alloc(21);
  h.writeInt32LE(21 + doc.length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(2013, 12);
  // flagBits 0, section kind 0 follow (already zero).
  return Buffer.concat([h, doc]);
}

/** A MongoDB find whose filter is `depth` documents deep, answered {ok: 1}. */
export function deepBson(depth: number): Attack {
  const request = opMsg(7, 0, findCommand(depth));
  const okDoc = Buffer.concat([int32(17), Buffer.from([0x01]), latin1('ok\0'), Buffer.from([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]), Buffer.from([0])]);
  const reply = opMsg(8, 7, okDoc);
  function* frames(): Generator<Buffer> {
    const t = new TcpStream('10.66.2.2', '10.66.3.2', 50_102, 27017);
    yield* t.open();
    yield* t.fromClient(request);
    yield* t.fromServer(reply);
    yield* t.close();
  }
  return { name: 'bson-10k-deep', frames: frames(), count: Math.ceil(request.length / 1460) + 8 };
}

function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
  return out;
}

/** Protobuf: field 1 (length-delimited) nesting `depth` times around `{1: 150}`. */
export function deepProtobuf(depth: number): Buffer {
  const inner = [0x08, 0x96, 0x01]; // field 1, varint 150
  // Lengths inside-out (numbers only), then bytes outside-in.
  const lens = new Array<number>(depth + 1);
  lens[depth] = inner.length;
  for (let i = depth - 1; i >= 0; i--) lens[i] = 1 + varint(lens[i + 1]!).length + lens[i + 1]!;
  const out = Buffer.alloc(lens[0]!);
  let at = 0;
  for (let i = 0; i < depth; i++) {
    out[at++] = 0x0a;
    for (const b of varint(lens[i + 1]!)) out[at++] = b;
  }
  for (const b of inner) out[at++] = b;
  return out;
}

/** A gRPC call (h2c) whose request message is `depth` levels deep, answered OK. */
export function deepGrpc(depth: number): Attack {
  const msg = deepProtobuf(depth);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(msg.length, 1);
  const ce = new TestEncoder();
  const se = new TestEncoder();
  const reqHead = ce.encode([[':method', 'POST'], [':scheme', 'http'], [':authority', 'attack.test'], [':path', '/attack.Deep/Call'], ['content-type', 'application/grpc'], ['te', 'trailers']]);
  const resHead = se.encode([[':status', '200'], ['content-type', 'application/grpc']]);
  const trailers = se.encode([['grpc-status', '0']]);
  const data = Buffer.concat([prefix, msg]);
  const dataFrames: Buffer[] = [];
  for (let off = 0; off < data.length; off += 16_384) {
    const part = data.subarray(off, off + 16_384);
    dataFrames.push(frame(0, off + 16_384 >= data.length ? 1 : 0, 1, part));
  }
  const client = Buffer.concat([latin1(PREFACE), SETTINGS_EMPTY, frame(1, 0x4, 1, reqHead), ...dataFrames]);
  const server = Buffer.concat([SETTINGS_EMPTY, SETTINGS_ACK, frame(1, 0x4, 1, resHead), frame(0, 0, 1, Buffer.from([0, 0, 0, 0, 2, 0x08, 0x01])), frame(1, 0x5, 1, trailers)]);
  function* frames(): Generator<Buffer> {
    const t = new TcpStream('10.66.2.3', '10.66.3.3', 50_103, 50051);
    yield* t.open();
    yield* t.fromClient(client);
    yield* t.fromServer(server);
    yield* t.close();
  }
  return { name: 'protobuf-10k-deep', frames: frames(), count: Math.ceil(client.length / 1460) + 10 };
}
