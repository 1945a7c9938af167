/** Test-only builders of wire messages (documents encoded with the driver's `bson`). */
import { deflateSync } from 'node:zlib';
import { serialize, type Document } from 'bson';

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

const bson = (d: Document): Buffer => Buffer.from(serialize(d));

/** OP_MSG: a kind 0 body and optional kind 1 sequences. */
export function opMsg(requestId: number, responseTo: number, body: Document, o: { flags?: number; sequences?: Array<[string, Document[]]> } = {}): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4), Buffer.from([0]), bson(body)];
  parts[0].writeUInt32LE(o.flags ?? 0, 0);
  for (const [id, docs] of o.sequences ?? []) {
    const payload = Buffer.concat([Buffer.from(`${id}\0`, 'latin1'), ...docs.map(bson)]);
    const len = Buffer.alloc(4);
    len.writeInt32LE(4 + payload.length, 0);
    parts.push(Buffer.from([1]), len, payload);
  }
  const b = Buffer.concat(parts);
  return Buffer.concat([header(16 + b.length, requestId, responseTo, 2013), b]);
}

export function opQuery(requestId: number, ns: string, query: Document): Buffer {
  const b = Buffer.concat([Buffer.alloc(4), Buffer.from(`${ns}\0`, 'latin1'), Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]), bson(query)]);
  return Buffer.concat([header(16 + b.length, requestId, 0, 2004), b]);
}

export function opReply(requestId: number, responseTo: number, docs: Document[]): Buffer {
  const n = Buffer.alloc(4);
  n.writeInt32LE(docs.length, 0);
  const b = Buffer.concat([Buffer.alloc(4), Buffer.alloc(8), Buffer.alloc(4), n, ...docs.map(bson)]);
  return Buffer.concat([header(16 + b.length, requestId, responseTo, 1), b]);
}

/** Wraps a message in OP_COMPRESSED (2 = zlib, 1 = snappy: the bytes are left as they are). */
export function compressed(msg: Buffer, compressor: 1 | 2): Buffer {
  const body = msg.subarray(16);
  const data = compressor === 2 ? deflateSync(body) : body;
  const pre = Buffer.alloc(9);
  pre.writeInt32LE(msg.readInt32LE(12), 0);
  pre.writeInt32LE(body.length, 4);
  pre[8] = compressor;
  return Buffer.concat([header(16 + 9 + data.length, msg.readInt32LE(4), msg.readInt32LE(8), 2012), pre, data]);
}
