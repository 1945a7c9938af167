/**
 * Test support: the fixture entries, an in-memory SQLite table holding them
 * the way a store would (`doc` = the entry's JSON text), and one helper that
 * runs a filter both ways and returns the matching ids of each.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import type { Entry } from '../entries/types.js';
import { fixturePath } from '../util/paths.js';
import type { Expr } from './ast.js';
import { parseFilter } from './parser.js';
import { compilePredicate } from './predicate.js';
import { compileSql, type SqlCompileOptions } from './sql.js';
import { registerQueryFunctions } from './sql-functions.js';

export function loadFixtureEntries(): Entry[] {
  return readFileSync(fixturePath('query', 'entries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Entry);
}

/** `entries(seq, id, doc)` with the query functions registered. */
export function entryDatabase(entries: readonly Entry[]): Database.Database {
  const db = new Database(':memory:');
  registerQueryFunctions(db);
  db.exec('CREATE TABLE entries (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, doc TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO entries (id, doc) VALUES (?, ?)');
  db.transaction(() => { for (const e of entries) insert.run(e.id, JSON.stringify(e)); })();
  return db;
}

export interface BothWays { predicate: string[]; sql: string[] }

/** Ids matched by the predicate and by SQL, each in table order. */
export function matchBothWays(db: Database.Database, entries: readonly Entry[], filter: string | Expr, options: SqlCompileOptions): BothWays {
  const ast = typeof filter === 'string' ? parseFilter(filter) : filter;
  const match = compilePredicate(ast, options);
  const { where, params } = compileSql(ast, options);
  const rows = db.prepare(`SELECT id FROM entries WHERE ${where} ORDER BY seq`).all(...params) as Array<{ id: string }>;
  return { predicate: entries.filter(match).map((e) => e.id), sql: rows.map((r) => r.id) };
}
