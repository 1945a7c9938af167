/**
 * Test support: drive the official `mongodb` driver (against the stand-in,
 * test-server.ts), keep its own command-monitoring record as ground truth,
 * read a capture through a pipeline with the MongoDB dissector and compare.
 */
import { strict as assert } from 'node:assert';
import { Binary, Decimal128, Long, MongoClient, ObjectId, type CommandStartedEvent } from 'mongodb';
import { readCaptureBuffer, readCaptureFile } from '../../capture/open.js';
import type { Entry } from '../../entries/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import type { PipelineStats } from '../../pipeline/types.js';
import { DISSECTORS, DissectorRegistry } from '../registry.js';
import type { BsonValue, MongodbEntry } from './entry.js';
import { mongodbSpec } from './index.js';

/** One command as the driver saw it (commandStarted + commandSucceeded/Failed), in the dissector's value mapping. */
export interface TruthCommand {
  requestId: number;
  command: string;
  database: string;
  collection: string;
  /** Documents of an insert, as the dissector should show them. */
  documents?: BsonValue[];
  ok: number;
  n?: number;
  nModified?: number;
  batchSize?: number;
  cursorId?: number | string;
  errmsg?: string;
  code?: number;
}
export interface DriverTruth { compressors: string[]; commands: TruthCommand[] }
export interface CaptureResult { entries: MongodbEntry[]; stats: PipelineStats }

/** A driver-side value in the dissector's mapping (bson.ts). */
export function expected(v: unknown): BsonValue {
  if (v === null || v === undefined) return null;
  if (v instanceof ObjectId) return v.toHexString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Decimal128) return v.toString();
  if (v instanceof Long) return Number.isSafeInteger(v.toNumber()) ? v.toNumber() : v.toString();
  if (v instanceof Binary) return Buffer.from(v.buffer).toString('base64');
  if (Array.isArray(v)) return v.map(expected);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, expected(x)]));
  return v as BsonValue;
}

export async function driveDriver(port: number, compressors: Array<'zlib'> = []): Promise<DriverTruth> {
  const commands = new Map<number, TruthCommand>();
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
    monitorCommands: true, heartbeatFrequencyMS: 60_000, serverSelectionTimeoutMS: 5000, ...(compressors.length ? { compressors } : {}),
  });
  client.on('commandStarted', (e: CommandStartedEvent) => {
    const c = e.command as Record<string, unknown>;
    const coll = c[e.commandName];
    commands.set(e.requestId, {
      requestId: e.requestId, command: e.commandName, database: e.databaseName,
      collection: typeof coll === 'string' ? coll : e.commandName === 'getMore' ? String(c.collection) : '',
      ...(e.commandName === 'insert' ? { documents: expected(c.documents) as BsonValue[] } : {}), ok: -1,
    });
  });
  client.on('commandSucceeded', (e) => {
    const t = commands.get(e.requestId);
    if (t === undefined) return;
    const r = e.reply as Record<string, unknown>;
    t.ok = Number(r.ok);
    if (typeof r.n === 'number') t.n = r.n;
    if (typeof r.nModified === 'number') t.nModified = r.nModified;
    const cur = r.cursor as { firstBatch?: unknown[]; nextBatch?: unknown[]; id?: unknown } | undefined;
    if (cur !== undefined) {
      t.batchSize = (cur.firstBatch ?? cur.nextBatch ?? []).length;
      t.cursorId = expected(cur.id) as number | string;
    }
  });
  client.on('commandFailed', (e) => {
    const t = commands.get(e.requestId);
    if (t === undefined) return;
    const f = e.failure as Error & { code?: number; errmsg?: string };
    t.ok = 0;
    t.errmsg = f.errmsg ?? f.message;
    if (typeof f.code === 'number') t.code = f.code;
  });
  try {
    await exercise(client, `items_${compressors.join('_') || 'plain'}`);
  } finally {
    await client.close();
  }
  return { compressors, commands: [...commands.values()] };
}

/** insertMany, a filtered find read in batches of 2 (find + getMore), updateOne, deleteOne, a command error, ping. */
async function exercise(client: MongoClient, collection: string): Promise<void> {
  await client.connect();
  const db = client.db('shop');
  const items = db.collection(collection);
  await items.insertMany([
    { sku: 'a', qty: 1, price: Decimal128.fromString('9.99'), at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), big: Long.fromString('9007199254740993'), tags: ['x', 'y'] },
    { sku: 'b', qty: 2, blob: new Binary(Buffer.from([0, 1, 2, 250])), nested: { deep: { er: [1, { two: 2 }] } }, neg: Long.fromNumber(-5), ratio: 0.25 },
    { sku: 'c', qty: 3, name: 'naïve ☕', nothing: null, yes: true },
    { sku: 'd', qty: 4 },
    { sku: 'e', qty: 5 },
  ]);
  const found = await items.find({ qty: { $gte: 2 } }, { batchSize: 2 }).toArray();
  assert.equal(found.length, 4);
  await items.updateOne({ sku: 'a' }, { $set: { qty: 10 } });
  await items.deleteOne({ sku: 'b' });
  await assert.rejects(db.command({ nosuchcommand: 1 }));
  await db.command({ ping: 1 });
}

export function runMongodbBuffer(buf: Uint8Array): CaptureResult {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e), {}, new DissectorRegistry([...DISSECTORS, mongodbSpec]));
  readCaptureBuffer(buf, p);
  const stats = p.finish();
  return { entries: entries as unknown as MongodbEntry[], stats };
}

export async function readMongodbCapture(file: string): Promise<CaptureResult> {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e), {}, new DissectorRegistry([...DISSECTORS, mongodbSpec]));
  await readCaptureFile(file, p);
  const stats = p.finish();
  return { entries: entries as unknown as MongodbEntry[], stats };
}

/** Every monitored command is one entry with the driver's facts; the rest are handshakes. */
export function checkAgainstTruth(r: CaptureResult, runs: DriverTruth[]): void {
  const all = r.entries as Array<{ protocol: string }>;
  assert.ok(all.every((e) => e.protocol === 'mongodb'), 'only MongoDB entries');
  assert.deepEqual(r.entries.filter((e) => e.flags.length > 0).map((e) => [e.request?.command, e.flags]), [], 'no flagged entries');
  const byId = new Map(r.entries.map((e) => [e.request?.requestId, e]));
  let monitored = 0;
  for (const run of runs) {
    for (const t of run.commands) {
      const e = byId.get(t.requestId);
      assert.ok(e !== undefined, `an entry for ${t.command} #${t.requestId}`);
      monitored++;
      const q = e.request!;
      const s = e.response;
      assert.equal(q.opCode, 'OP_MSG');
      assert.equal(q.command, t.command);
      assert.equal(q.database, t.database);
      assert.equal(q.collection, t.collection, `${t.command} collection`);
      if (run.compressors.length > 0) assert.equal(q.compressor, run.compressors[0], `${t.command} sent compressed`);
      if (t.documents !== undefined) {
        const docs = q.body?.documents ?? q.sequences.find((x) => x.identifier === 'documents')?.documents;
        assert.deepEqual(docs, t.documents, 'inserted documents as the driver sent them');
      }
      if (t.command === 'endSessions' && s === null) continue; // the driver may close before the reply
      assert.ok(s !== null, `${t.command} has a response`);
      assert.equal(s.ok, t.ok, `${t.command} ok`);
      assert.equal(s.n, t.n, `${t.command} n`);
      assert.equal(s.nModified, t.nModified, `${t.command} nModified`);
      assert.equal(s.batchSize, t.batchSize, `${t.command} batchSize`);
      assert.equal(s.cursorId, t.cursorId, `${t.command} cursorId`);
      if (t.ok === 0) {
        assert.equal(s.errmsg, t.errmsg);
        assert.equal(s.code, t.code);
      }
    }
  }
  const rest = r.entries.filter((e) => !runs.some((run) => run.commands.some((t) => t.requestId === e.request?.requestId)));
  assert.equal(r.entries.length, monitored + rest.length);
  for (const e of rest) {
    assert.ok(['isMaster', 'ismaster', 'hello'].includes(e.request?.command ?? ''), `unmonitored entry ${e.request?.command}`);
    assert.equal(e.response?.ok, 1);
  }
  assert.ok(rest.some((e) => e.request?.opCode === 'OP_QUERY' && e.response?.opCode === 'OP_REPLY'), 'the legacy handshake');
}
