/**
 * TEST-ONLY STAND-IN for a MongoDB server (no mongod is installed here). It
 * is not MongoDB: it speaks just enough of the real wire protocol for the
 * official `mongodb` driver to connect and run the commands the tests use,
 * and uses the driver's `bson` package to encode and decode documents.
 *
 * Implemented: the 16-byte header; OP_QUERY on `<db>.$cmd` answered with
 * OP_REPLY (the driver's legacy `isMaster` handshake); OP_MSG (flagBits
 * incl. moreToCome: no reply; kind 0 body; kind 1 document sequences merged
 * into the command); OP_COMPRESSED with zlib or noop (replies compressed
 * like the request; snappy/zstd are refused in the handshake).
 * Commands: hello / isMaster / ismaster (maxWireVersion 21, so the driver
 * switches to OP_MSG), ping, buildInfo, insert (documents kept in memory
 * per namespace), find (filter: equality, $gt/$gte/$lt/$lte/$ne/$in on top-level fields;
 * limit, batchSize: a cursor when more remain), getMore, killCursors,
 * update (updates[].q/u/multi/upsert; $set, $inc, $unset or a replacement),
 * delete (deletes[].q/limit), count, drop, endSessions. Any other command
 * gets the error reply {ok: 0, errmsg, code: 59, codeName: "CommandNotFound"}.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { deflateSync, inflateSync } from 'node:zlib';
import { type Document, Long, ObjectId, deserialize, serialize } from 'bson';

export interface StandIn {
  server: Server;
  port: number;
  close(): Promise<void>;
}

type Doc = Record<string, unknown>;

function cmp(a: unknown, b: unknown): number {
  const x = a instanceof Long ? a.toNumber() : a;
  const y = b instanceof Long ? b.toNumber() : b;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof ObjectId && b instanceof ObjectId) return a.equals(b);
  return cmp(a, b) === 0 && typeof a === typeof b;
}

function matches(doc: Doc, filter: Doc): boolean {
  for (const [k, cond] of Object.entries(filter)) {
    const v = doc[k];
    if (cond !== null && typeof cond === 'object' && !(cond instanceof ObjectId) && !Array.isArray(cond) && Object.keys(cond).some((o) => o.startsWith('$'))) {
      for (const [op, arg] of Object.entries(cond as Doc)) {
        const ok = op === '$gt' ? v !== undefined && cmp(v, arg) > 0
          : op === '$gte' ? v !== undefined && cmp(v, arg) >= 0
          : op === '$lt' ? v !== undefined && cmp(v, arg) < 0
          : op === '$lte' ? v !== undefined && cmp(v, arg) <= 0
          : op === '$ne' ? !same(v, arg)
          : op === '$in' ? Array.isArray(arg) && arg.some((a) => same(v, a))
          : false;
        if (!ok) return false;
      }
    } else if (!same(v, cond)) return false;
  }
  return true;
}

function applyUpdate(doc: Doc, u: Doc): boolean {
  const before = Buffer.from(serialize(doc)).toString("base64");
  if (Object.keys(u).some((k) => k.startsWith('$'))) {
    for (const [k, v] of Object.entries((u.$set ?? {}) as Doc)) doc[k] = v;
    for (const [k, v] of Object.entries((u.$inc ?? {}) as Doc)) doc[k] = (Number(doc[k] ?? 0)) + Number(v);
    for (const k of Object.keys((u.$unset ?? {}) as Doc)) delete doc[k];
  } else {
    for (const k of Object.keys(doc)) if (k !== '_id') delete doc[k];
    Object.assign(doc, u);
  }
  return Buffer.from(serialize(doc)).toString("base64") !== before;
}

export async function startStandIn(): Promise<StandIn> {
  const collections = new Map<string, Doc[]>();
  const cursors = new Map<string, { ns: string; rest: Doc[] }>();
  let nextCursor = 1000;
  let nextRequest = 1;
  let connections = 0;
  const sockets = new Set<Socket>();

  const coll = (ns: string): Doc[] => {
    let c = collections.get(ns);
    if (c === undefined) collections.set(ns, (c = []));
    return c;
  };

  function run(cmd: Doc, compressionAsked: string[], connectionId: number): Doc {
    const name = Object.keys(cmd)[0] ?? '';
    const db = typeof cmd.$db === 'string' ? cmd.$db : 'admin';
    const ns = `${db}.${String(cmd[name])}`;
    switch (name) {
      case 'hello': case 'isMaster': case 'ismaster':
        return {
          helloOk: true, ismaster: true, isWritablePrimary: true, maxBsonObjectSize: 16 * 1024 * 1024, maxMessageSizeBytes: 48_000_000,
          maxWriteBatchSize: 100_000, localTime: new Date(), logicalSessionTimeoutMinutes: 30, connectionId,
          minWireVersion: 0, maxWireVersion: 21, readOnly: false,
          ...(compressionAsked.includes('zlib') ? { compression: ['zlib'] } : {}), ok: 1,
        };
      case 'ping': case 'endSessions': return { ok: 1 };
      case 'buildInfo': return { version: '7.0.0-standin', versionArray: [7, 0, 0, 0], ok: 1 };
      case 'insert': {
        const docs = (cmd.documents ?? []) as Doc[];
        const c = coll(ns);
        for (const d of docs) c.push({ _id: d._id ?? new ObjectId(), ...d });
        return { n: docs.length, ok: 1 };
      }
      case 'find': case 'count': {
        let found = coll(ns).filter((d) => matches(d, (cmd.filter ?? cmd.query ?? {}) as Doc));
        const limit = Number(cmd.limit ?? 0);
        if (limit > 0) found = found.slice(0, limit);
        if (name === 'count') return { n: found.length, ok: 1 };
        const batch = Number(cmd.batchSize ?? 101);
        const first = found.slice(0, batch);
        let id = Long.fromNumber(0);
        if (found.length > batch) {
          id = Long.fromNumber(nextCursor++);
          cursors.set(id.toString(), { ns, rest: found.slice(batch) });
        }
        return { cursor: { firstBatch: first, id, ns }, ok: 1 };
      }
      case 'getMore': {
        const key = String(cmd.getMore);
        const cur = cursors.get(key);
        if (cur === undefined) return { ok: 0, errmsg: `cursor id ${key} not found`, code: 43, codeName: 'CursorNotFound' };
        const batch = Number(cmd.batchSize ?? 101);
        const next = cur.rest.splice(0, batch);
        if (cur.rest.length === 0) cursors.delete(key);
        return { cursor: { nextBatch: next, id: cur.rest.length === 0 ? Long.fromNumber(0) : Long.fromString(key), ns: cur.ns }, ok: 1 };
      }
      case 'killCursors': {
        const ids = (cmd.cursors ?? []) as unknown[];
        for (const id of ids) cursors.delete(String(id));
        return { cursorsKilled: ids, cursorsNotFound: [], cursorsAlive: [], cursorsUnknown: [], ok: 1 };
      }
      case 'update': {
        let n = 0, nModified = 0;
        const upserted: Doc[] = [];
        for (const [i, u] of ((cmd.updates ?? []) as Doc[]).entries()) {
          const c = coll(ns);
          const hit = c.filter((d) => matches(d, u.q as Doc));
          const targets = u.multi === true ? hit : hit.slice(0, 1);
          for (const d of targets) { n++; if (applyUpdate(d, u.u as Doc)) nModified++; }
          if (targets.length === 0 && u.upsert === true) {
            const d: Doc = { _id: new ObjectId(), ...(u.q as Doc) };
            applyUpdate(d, u.u as Doc);
            c.push(d);
            n++;
            upserted.push({ index: i, _id: d._id });
          }
        }
        return { n, nModified, ...(upserted.length ? { upserted } : {}), ok: 1 };
      }
      case 'delete': {
        let n = 0;
        for (const d of (cmd.deletes ?? []) as Doc[]) {
          const c = coll(ns);
          const limit = Number(d.limit ?? 0);
          for (let i = 0; i < c.length; i++) {
            if (!matches(c[i], d.q as Doc)) continue;
            c.splice(i--, 1);
            n++;
            if (limit === 1) break;
          }
        }
        return { n, ok: 1 };
      }
      case 'drop': collections.delete(ns); return { ns, nIndexesWas: 1, ok: 1 };
      default:
        return { ok: 0, errmsg: `no such command: '${name}'`, code: 59, codeName: 'CommandNotFound' };
    }
  }

  const header = (length: number, responseTo: number, opCode: number): Buffer => {
    const h = Buffer.alloc(16);
    h.writeInt32LE(length, 0);
    h.writeInt32LE(nextRequest++, 4);
    h.writeInt32LE(responseTo, 8);
    h.writeInt32LE(opCode, 12);
    return h;
  };

  /** A reply to `requestId`: OP_REPLY to OP_QUERY, OP_MSG otherwise; compressed when the request was. */
  function reply(doc: Doc, requestId: number, legacy: boolean, compressor: number | null): Buffer {
    const bson = serialize(doc);
    const opCode = legacy ? 1 : 2013;
    const body = legacy
      ? Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.alloc(8), Buffer.from([0, 0, 0, 0, 1, 0, 0, 0]), bson])
      : Buffer.concat([Buffer.alloc(4), Buffer.from([0]), bson]);
    if (compressor === null) return Buffer.concat([header(16 + body.length, requestId, opCode), body]);
    const data = compressor === 2 ? deflateSync(body) : body;
    const pre = Buffer.alloc(9);
    pre.writeInt32LE(opCode, 0);
    pre.writeInt32LE(body.length, 4);
    pre[8] = compressor;
    return Buffer.concat([header(16 + 9 + data.length, requestId, 2012), pre, data]);
  }

  function handle(sock: Socket, msg: Buffer, state: { compression: string[]; id: number }): void {
    const requestId = msg.readInt32LE(4);
    let opCode = msg.readInt32LE(12);
    let body = msg.subarray(16);
    let compressor: number | null = null;
    if (opCode === 2012) {
      opCode = body.readInt32LE(0);
      compressor = body[8];
      body = compressor === 2 ? inflateSync(body.subarray(9)) : body.subarray(9);
    }
    let cmd: Doc;
    let moreToCome = false;
    if (opCode === 2004) {
      const nameEnd = body.indexOf(0, 4);
      const q = body.subarray(nameEnd + 1 + 8);
      cmd = deserialize(q.subarray(0, q.readInt32LE(0)));
      if (cmd.$query !== undefined) cmd = cmd.$query as Doc;
      cmd.$db = body.subarray(4, nameEnd).toString('latin1').split('.')[0];
    } else if (opCode === 2013) {
      const flags = body.readUInt32LE(0);
      moreToCome = (flags & 2) !== 0;
      const end = (flags & 1) !== 0 ? body.length - 4 : body.length;
      cmd = {};
      const seqs: Array<[string, Document[]]> = [];
      for (let p = 4; p < end;) {
        if (body[p] === 0) {
          const n = body.readInt32LE(p + 1);
          cmd = deserialize(body.subarray(p + 1, p + 1 + n));
          p += 1 + n;
        } else {
          const n = body.readInt32LE(p + 1);
          const idEnd = body.indexOf(0, p + 5);
          const id = body.subarray(p + 5, idEnd).toString('latin1');
          const docs: Document[] = [];
          for (let q = idEnd + 1; q < p + 1 + n;) { const s = body.readInt32LE(q); docs.push(deserialize(body.subarray(q, q + s))); q += s; }
          seqs.push([id, docs]);
          p += 1 + n;
        }
      }
      for (const [id, docs] of seqs) cmd[id] = docs;
    } else {
      sock.destroy();
      return;
    }
    const name = Object.keys(cmd)[0] ?? '';
    if (name === 'hello' || name === 'isMaster' || name === 'ismaster') state.compression = ((cmd.compression ?? []) as string[]);
    const out = run(cmd, state.compression, state.id);
    if (!moreToCome) sock.write(reply(out, requestId, opCode === 2004, compressor));
  }

  const server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    const state = { compression: [] as string[], id: ++connections };
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) {
        const n = buf.readInt32LE(0);
        const msg = buf.subarray(0, n);
        buf = buf.subarray(n);
        try { handle(sock, msg, state); } catch { sock.destroy(); return; }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    server, port,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}
