/**
 * The hub's entry store: SQLite (better-sqlite3) in WAL mode.
 *
 * One row per entry. `doc` is the entry's JSON with the body contents taken
 * out (they go, deflated, into `bodies`), so filters and listings read small
 * rows; `GET /api/entries/:id` puts the bodies back. The common filter fields
 * are generated columns read from `doc` and indexed.
 *
 * Contract:
 *   - `insert(entries)` is one transaction; an entry whose `id` is already
 *     stored is skipped and counted (`duplicates`): a worker that resends
 *     after a reconnect never doubles anything.
 *   - Retention runs after every insert: rows older than `maxAgeMs` go, then
 *     the oldest rows go while the pages in use exceed `maxBytes`. Freed
 *     pages are reused, so the file stays near the limit.
 *   - `seq` (insertion order) is the paging cursor: newest first, `before`.
 *   - Filters come compiled (`SqlFilter`): the store never builds SQL from
 *     user text.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Entry } from '../entries/types.js';
import { registerQueryFunctions } from '../query/index.js';

/** A WHERE clause with its bound parameters (from the query compiler). */
export interface SqlFilter {
  where: string;
  params: unknown[];
}

export interface StoreOptions {
  /** Directory of the database; undefined: in memory (tests). */
  dir?: string;
  /** Pages in use above this size are trimmed, oldest first. Default 1 GiB. */
  maxBytes?: number;
  /** Entries older than this (by timestamp) are deleted. Default 7 days. */
  maxAgeMs?: number;
  /** Clock for the age limit (tests). */
  now?: () => number;
}

export const DEFAULT_MAX_BYTES = 1024 ** 3;
export const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600_000;
/** Largest page of entries one query returns. */
export const MAX_PAGE = 1000;
/** Rows deleted per retention step: bounded, so one step never stalls ingest for long. */
const MIN_RETENTION_STEP = 64;
const MAX_RETENTION_STEP = 20_000;

/** Fields with their own indexed column: path in the entry → column. */
export const INDEXED_COLUMNS: Readonly<Record<string, string>> = {
  'timestamp': 'ts',
  'protocol': 'protocol',
  'src.ip': 'src_ip',
  'dst.ip': 'dst_ip',
  'src.name': 'src_name',
  'dst.name': 'dst_name',
  'src.namespace': 'src_ns',
  'dst.namespace': 'dst_ns',
  'request.method': 'method',
  'request.path': 'path',
  'response.status': 'status',
  'elapsedTime': 'elapsed',
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  doc TEXT NOT NULL,
  bodies BLOB,
  ts REAL GENERATED ALWAYS AS (json_extract(doc, '$.timestamp')) VIRTUAL,
  protocol TEXT GENERATED ALWAYS AS (json_extract(doc, '$.protocol')) VIRTUAL,
  src_ip TEXT GENERATED ALWAYS AS (json_extract(doc, '$.src.ip')) VIRTUAL,
  dst_ip TEXT GENERATED ALWAYS AS (json_extract(doc, '$.dst.ip')) VIRTUAL,
  src_name TEXT GENERATED ALWAYS AS (json_extract(doc, '$.src.name')) VIRTUAL,
  dst_name TEXT GENERATED ALWAYS AS (json_extract(doc, '$.dst.name')) VIRTUAL,
  src_ns TEXT GENERATED ALWAYS AS (json_extract(doc, '$.src.namespace')) VIRTUAL,
  dst_ns TEXT GENERATED ALWAYS AS (json_extract(doc, '$.dst.namespace')) VIRTUAL,
  method TEXT GENERATED ALWAYS AS (json_extract(doc, '$.request.method')) VIRTUAL,
  path TEXT GENERATED ALWAYS AS (json_extract(doc, '$.request.path')) VIRTUAL,
  status INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.response.status')) VIRTUAL,
  elapsed REAL GENERATED ALWAYS AS (json_extract(doc, '$.elapsedTime')) VIRTUAL
);
CREATE INDEX IF NOT EXISTS entries_ts ON entries(ts);
CREATE INDEX IF NOT EXISTS entries_protocol ON entries(protocol, seq);
CREATE INDEX IF NOT EXISTS entries_status ON entries(status, seq);
CREATE INDEX IF NOT EXISTS entries_dst_name ON entries(dst_name, seq);
CREATE INDEX IF NOT EXISTS entries_src_name ON entries(src_name, seq);
CREATE INDEX IF NOT EXISTS entries_dst_ns ON entries(dst_ns, seq);
CREATE INDEX IF NOT EXISTS entries_src_ns ON entries(src_ns, seq);
CREATE INDEX IF NOT EXISTS entries_dst_ip ON entries(dst_ip, seq);
CREATE INDEX IF NOT EXISTS entries_src_ip ON entries(src_ip, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export interface StoredRow {
  seq: number;
  entry: Entry;
}

export interface StoreCounters {
  inserted: number;
  duplicates: number;
  retainedOut: number;
  rejected: number;
}

type BodyPart = { content: string } | null;
interface Bodies { request?: { body: BodyPart }; response?: { body: BodyPart } }

/** Split the body contents out of an entry: `doc` keeps sizes and types, `bodies` the text. */
export function splitBodies(entry: Entry): { doc: string; bodies: Buffer | null } {
  if (entry.protocol !== 'http') return { doc: JSON.stringify(entry), bodies: null };
  const kept: Bodies = {};
  let any = false;
  const strip = <T extends { body: { content: string } | null } | null>(m: T, side: 'request' | 'response'): T => {
    if (m === null || m.body === null || m.body.content === '') return m;
    kept[side] = { body: { content: m.body.content } };
    any = true;
    return { ...m, body: { ...m.body, content: '' } };
  };
  const doc = JSON.stringify({ ...entry, request: strip(entry.request, 'request'), response: strip(entry.response, 'response') });
  return { doc, bodies: any ? deflateRawSync(Buffer.from(JSON.stringify(kept))) : null };
}

/** The JSON text of the stored bodies (`{"request":{"body":{"content":…}},…}`), or null. */
export function inflateBodies(blob: Buffer | null): string | null {
  return blob === null ? null : inflateRawSync(blob).toString('utf8');
}

function joinBodies(doc: string, blob: Buffer | null): Entry {
  const entry = JSON.parse(doc) as Entry;
  const text = inflateBodies(blob);
  if (text === null || entry.protocol !== 'http') return entry;
  const b = JSON.parse(text) as Bodies;
  if (b.request?.body && entry.request?.body) entry.request.body.content = b.request.body.content;
  if (b.response?.body && entry.response?.body) entry.response.body.content = b.response.body.content;
  return entry;
}

export class EntryStore {
  readonly db: Database.Database;
  readonly counters: StoreCounters = { inserted: 0, duplicates: 0, retainedOut: 0, rejected: 0 };
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly insertStmt: Database.Statement;
  private readonly insertMany: (rows: Array<{ id: string; doc: string; bodies: Buffer | null }>) => boolean[];
  private readonly pageSize: number;
  /** Rows stored, kept up to date (count(*) scans the table). */
  private rows: number;

  constructor(o: StoreOptions = {}) {
    this.maxBytes = o.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxAgeMs = o.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.now = o.now ?? Date.now;
    if (o.dir !== undefined) mkdirSync(o.dir, { recursive: true });
    this.db = new Database(o.dir === undefined ? ':memory:' : join(o.dir, 'entries.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL'); // WAL + NORMAL: a crash of the hub loses nothing committed; power loss may lose the last commits
    this.db.exec(SCHEMA);
    registerQueryFunctions(this.db);
    this.db.function('podtap_inflate', { deterministic: true }, (b: unknown) => (Buffer.isBuffer(b) ? inflateBodies(b) : null));
    this.pageSize = this.db.pragma('page_size', { simple: true }) as number;
    this.rows = this.count();
    this.insertStmt = this.db.prepare('INSERT OR IGNORE INTO entries (id, doc, bodies) VALUES (?, ?, ?)');
    this.insertMany = this.db.transaction((rows: Array<{ id: string; doc: string; bodies: Buffer | null }>) => {
      return rows.map((r) => this.insertStmt.run(r.id, r.doc, r.bodies).changes === 1);
    });
  }

  /** Store entries (one transaction); returns the ones that were new. Entries already stored are counted as duplicates. */
  insert(entries: readonly Entry[]): Entry[] {
    const rows = entries.map((e) => ({ id: e.id, ...splitBodies(e) }));
    // Room is made before the rows go in (their text plus as much again for indexes and
    // page slack), so the file does not grow past the limit and then stay there.
    let incoming = 0;
    for (const r of rows) incoming += r.doc.length + (r.bodies?.length ?? 0) + r.id.length;
    this.retain(incoming * 2);
    const fresh = this.insertMany(rows);
    const added = entries.filter((_, i) => fresh[i]);
    this.counters.inserted += added.length;
    this.rows += added.length;
    this.counters.duplicates += rows.length - added.length;
    this.expire();
    return added;
  }

  /** Bytes of the pages holding data (the file minus its free pages). */
  usedBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * this.pageSize;
  }

  /** The age limit: entries older than `maxAgeMs` go. */
  expire(): void {
    const gone = this.db.prepare('DELETE FROM entries WHERE ts < ?').run(this.now() - this.maxAgeMs).changes;
    this.counters.retainedOut += gone;
    this.rows -= gone;
  }

  /** The size limit: oldest entries go until the pages in use leave room for `incoming` bytes. */
  retain(incoming = 0): void {
    const target = this.maxBytes - Math.min(incoming, this.maxBytes / 4);
    for (let guard = 0; guard < 10_000; guard++) {
      const used = this.usedBytes();
      if (used <= target) return;
      // Rows to delete, from the average row's share of the pages (a little more, so one step usually does).
      const rows = this.rows;
      const step = Math.max(MIN_RETENTION_STEP, Math.min(MAX_RETENTION_STEP, Math.ceil(((used - target) / Math.max(1, used / Math.max(1, rows))) * 1.1)));
      const r = this.db.prepare('DELETE FROM entries WHERE seq IN (SELECT seq FROM entries ORDER BY seq LIMIT ?)').run(step);
      this.counters.retainedOut += r.changes;
      this.rows -= r.changes;
      if (r.changes === 0) break;
    }
  }

  /** Newest first; `before` is a `seq` cursor from an earlier page. */
  page(filter: SqlFilter | null, limit: number, before?: number): StoredRow[] {
    const n = Math.max(1, Math.min(MAX_PAGE, Math.floor(limit)));
    const conds: string[] = [];
    const params: unknown[] = [];
    if (filter !== null) { conds.push(`(${filter.where})`); params.push(...filter.params); }
    if (before !== undefined) { conds.push('seq < ?'); params.push(before); }
    const sql = `SELECT seq, doc FROM entries ${conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, n) as Array<{ seq: number; doc: string }>;
    return rows.map((r) => ({ seq: r.seq, entry: JSON.parse(r.doc) as Entry }));
  }

  /** Every matching row, oldest first, in pages (exports). */
  *scan(filter: SqlFilter | null, batch = 500): Generator<StoredRow> {
    let after = 0;
    for (;;) {
      const conds = ['seq > ?'];
      const params: unknown[] = [after];
      if (filter !== null) { conds.push(`(${filter.where})`); params.push(...filter.params); }
      const rows = this.db.prepare(`SELECT seq, doc, bodies FROM entries WHERE ${conds.join(' AND ')} ORDER BY seq LIMIT ?`).all(...params, batch) as Array<{ seq: number; doc: string; bodies: Buffer | null }>;
      for (const r of rows) yield { seq: r.seq, entry: joinBodies(r.doc, r.bodies) };
      if (rows.length < batch) return;
      after = rows[rows.length - 1]!.seq;
    }
  }

  /** One entry with its bodies, or undefined. */
  get(id: string): Entry | undefined {
    const r = this.db.prepare('SELECT doc, bodies FROM entries WHERE id = ?').get(id) as { doc: string; bodies: Buffer | null } | undefined;
    return r === undefined ? undefined : joinBodies(r.doc, r.bodies);
  }

  count(filter: SqlFilter | null = null): number {
    const sql = `SELECT count(*) AS n FROM entries${filter === null ? '' : ` WHERE (${filter.where})`}`;
    return (this.db.prepare(sql).get(...(filter?.params ?? [])) as { n: number }).n;
  }

  /** Rows for statistics: the summary docs of matching entries since `sinceMs`, newest first, at most `max`. */
  recentDocs(filter: SqlFilter | null, sinceMs: number, max: number): Entry[] {
    const conds = ['ts >= ?'];
    const params: unknown[] = [sinceMs];
    if (filter !== null) { conds.push(`(${filter.where})`); params.push(...filter.params); }
    const rows = this.db.prepare(`SELECT doc FROM entries WHERE ${conds.join(' AND ')} ORDER BY seq DESC LIMIT ?`).all(...params, max) as Array<{ doc: string }>;
    return rows.map((r) => JSON.parse(r.doc) as Entry);
  }

  close(): void {
    this.db.close();
  }
}
