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

// The indexed fields are plain columns filled from the entry object at insert (what
// json_extract would give), not generated columns: one json_extract per column and
// index per row made SQLite parse each document a dozen times. No declared type, so
// no affinity: a value is stored as the entry has it, as json_extract would return it.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  doc TEXT NOT NULL,
  bodies BLOB,
  node TEXT NOT NULL DEFAULT '',
  ${Object.values(INDEXED_COLUMNS).join(',\n  ')}
);
CREATE INDEX IF NOT EXISTS entries_ts ON entries(ts);
CREATE INDEX IF NOT EXISTS entries_protocol ON entries(protocol, seq);
CREATE INDEX IF NOT EXISTS entries_status ON entries(status, seq);
CREATE INDEX IF NOT EXISTS entries_dst_name ON entries(dst_name, seq);
CREATE INDEX IF NOT EXISTS entries_src_name ON entries(src_name, seq);
CREATE INDEX IF NOT EXISTS entries_dst_ns ON entries(dst_ns, seq);
CREATE INDEX IF NOT EXISTS entries_src_ns ON entries(src_ns, seq);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

const COLUMN_PATHS: ReadonlyArray<readonly string[]> = Object.keys(INDEXED_COLUMNS).map((p) => p.split('.'));

/** What SQLite's json_extract gives for a JSON value: text, number, 1/0 for booleans, JSON text for containers, NULL. */
function sqlValue(v: unknown): string | number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return JSON.stringify(v);
}

function columnValues(e: Entry): Array<string | number | null> {
  return COLUMN_PATHS.map((path) => {
    let v: unknown = e;
    for (const k of path) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
      v = (v as Record<string, unknown>)[k];
    }
    return sqlValue(v);
  });
}


/** An entry made ready for storage (JSON text, bodies, column values): plain data, so it can cross to the writer thread. */
export interface Row { id: string; doc: string; bodies: Uint8Array | null; node: string; columns: Array<string | number | null> }

/** Make entries ready for `insertRows` (the CPU work that does not need the database). */
export function prepareRows(entries: readonly Entry[], nodes: readonly string[]): Row[] {
  return entries.map((e, i) => ({ id: e.id, ...splitBodies(e), node: nodes[i] ?? '', columns: columnValues(e) }));
}

export interface StoredRow {
  seq: number;
  entry: Entry;
  /** The worker node that sent it ('' when it did not come from a worker). */
  node: string;
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
  if (!any) return { doc, bodies: null };
  const json = Buffer.from(JSON.stringify(kept));
  // First byte: how the rest is stored. Small bodies are kept as they are: deflate would
  // cost more time than it saves bytes.
  return { doc, bodies: json.length < COMPRESS_MIN_BYTES ? Buffer.concat([RAW, json]) : Buffer.concat([DEFLATED, deflateRawSync(json)]) };
}

/** Share of the size limit kept for the write-ahead log, within these bounds. */
const WAL_SHARE = 0.02;
const WAL_MIN_BYTES = 256 * 1024;
const WAL_MAX_BYTES = 16 * 1024 * 1024;

/** Bodies smaller than this (as JSON) are stored uncompressed. */
export const COMPRESS_MIN_BYTES = 512;
const RAW = Buffer.from([0]), DEFLATED = Buffer.from([1]);

/** The JSON text of the stored bodies (`{"request":{"body":{"content":…}},…}`), or null. */
export function inflateBodies(blob: Buffer | null): string | null {
  if (blob === null || blob.length === 0) return null;
  const rest = blob.subarray(1);
  return (blob[0] === 1 ? inflateRawSync(rest) : rest).toString('utf8');
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
  private readonly insertMany: (rows: readonly Row[]) => boolean[];
  private readonly pageSize: number;
  /** Bytes of the size limit set aside for the write-ahead log. */
  private readonly walBytes: number;
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
    // The write-ahead log counts against the size limit: it is checkpointed (and its file
    // cut back) once it holds `walBytes`, and the main file's budget leaves that much room.
    this.walBytes = Math.round(Math.min(WAL_MAX_BYTES, Math.max(WAL_MIN_BYTES, this.maxBytes * WAL_SHARE)));
    this.db.pragma(`wal_autocheckpoint = ${Math.max(16, Math.floor(this.walBytes / this.pageSize))}`);
    this.db.pragma(`journal_size_limit = ${this.walBytes}`);
    this.rows = this.count();
    const cols = Object.values(INDEXED_COLUMNS);
    this.insertStmt = this.db.prepare(`INSERT OR IGNORE INTO entries (id, doc, bodies, node, ${cols.join(', ')}) VALUES (?, ?, ?, ?${', ?'.repeat(cols.length)})`);
    this.insertMany = this.db.transaction((rows: readonly Row[]) => {
      return rows.map((r) => this.insertStmt.run(r.id, r.doc, r.bodies, r.node, ...r.columns).changes === 1);
    });
  }

  /** Store entries (one transaction); returns the ones that were new. Entries already stored are counted as duplicates. */
  insert(entries: readonly Entry[], node = ''): Entry[] {
    const fresh = this.insertFlags(entries, entries.map(() => node));
    return entries.filter((_, i) => fresh[i]);
  }

  /** Store entries (one transaction), each with the node that sent it; for each, whether it was new. */
  insertFlags(entries: readonly Entry[], nodes: readonly string[]): boolean[] {
    return this.insertRows(prepareRows(entries, nodes));
  }

  /** Store prepared rows (one transaction); for each, whether it was new. */
  insertRows(rows: readonly Row[]): boolean[] {
    // Room is made before the rows go in (their text plus as much again for indexes and
    // page slack), so the file does not grow past the limit and then stay there.
    let incoming = 0;
    for (const r of rows) incoming += r.doc.length + (r.bodies?.length ?? 0) + r.id.length;
    this.retain(incoming * 2);
    const fresh = this.insertMany(rows);
    let added = 0;
    for (const f of fresh) if (f) added++;
    this.counters.inserted += added;
    this.rows += added;
    this.counters.duplicates += rows.length - added;
    this.expire();
    return fresh;
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
    const target = this.maxBytes - this.walBytes - Math.min(incoming, this.maxBytes / 4);
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
    return this.pageDocs(filter, limit, before).map((r) => ({ seq: r.seq, entry: JSON.parse(r.doc) as Entry, node: r.node }));
  }

  /** `page()` with each entry as its stored JSON text (the API sends it as it is). */
  pageDocs(filter: SqlFilter | null, limit: number, before?: number): Array<{ seq: number; doc: string; node: string }> {
    const n = Math.max(1, Math.min(MAX_PAGE, Math.floor(limit)));
    const conds: string[] = [];
    const params: unknown[] = [];
    if (filter !== null) { conds.push(`(${filter.where})`); params.push(...filter.params); }
    if (before !== undefined) { conds.push('seq < ?'); params.push(before); }
    const sql = `SELECT seq, doc, node FROM entries ${conds.length > 0 ? `WHERE ${conds.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    return this.db.prepare(sql).all(...params, n) as Array<{ seq: number; doc: string; node: string }>;
  }

  /** Every matching row, oldest first, in pages (exports). */
  *scan(filter: SqlFilter | null, batch = 500): Generator<StoredRow> {
    let after = 0;
    for (;;) {
      const conds = ['seq > ?'];
      const params: unknown[] = [after];
      if (filter !== null) { conds.push(`(${filter.where})`); params.push(...filter.params); }
      const rows = this.db.prepare(`SELECT seq, doc, bodies, node FROM entries WHERE ${conds.join(' AND ')} ORDER BY seq LIMIT ?`).all(...params, batch) as Array<{ seq: number; doc: string; bodies: Buffer | null; node: string }>;
      for (const r of rows) yield { seq: r.seq, entry: joinBodies(r.doc, r.bodies), node: r.node };
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
