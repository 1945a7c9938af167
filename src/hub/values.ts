/**
 * `GET /api/values`: the values a field has in the newest stored entries,
 * most frequent first, for the filter bar's autocompletion.
 *
 *   1. Only the fields in VALUE_FIELDS; anything else is a ValuesError (400).
 *   2. One GROUP BY over the newest VALUES_SCAN_ENTRIES rows: an indexed
 *      column where the store has one (INDEXED_COLUMNS), else json_extract on
 *      `doc`. The SQL is built from this table only, never from user text.
 *   3. The answer per field is cached for VALUES_CACHE_MS; prefix and limit
 *      are applied to the cached list, so typing costs no query.
 */
import type Database from 'better-sqlite3';
import { INDEXED_COLUMNS } from './store.js';
import { FIELD_CATALOG, macroCatalog, type FieldInfo } from '../query/field-catalog.js';

/** Rows read per field (newest first). */
export const VALUES_SCAN_ENTRIES = 20_000;
/** Oldest cached answer served (ms). */
export const VALUES_CACHE_MS = 2000;
export const VALUES_DEFAULT_LIMIT = 20;
export const VALUES_MAX_LIMIT = 200;
/** Longer values (long paths, say) are left out: no use to complete, costly to keep. */
export const VALUES_MAX_CHARS = 256;
/** Longest prefix accepted. */
export const VALUES_MAX_PREFIX_CHARS = 256;

export const VALUE_FIELDS = [
  'protocol', 'src.namespace', 'dst.namespace', 'src.pod', 'dst.pod', 'src.service', 'dst.service',
  'src.name', 'dst.name', 'src.node', 'dst.node', 'request.method', 'response.status', 'request.path', 'request.command',
] as const;

export interface FieldValue { value: string | number; count: number }
export interface ValuesAnswer { field: string; values: FieldValue[] }

/** A request `/api/values` cannot answer: unknown field, bad limit. */
export class ValuesError extends Error {
  override readonly name = 'ValuesError';
}

/** The SQL expression of a field: its indexed column, else its path in `doc` (both from constant tables). */
function expression(field: string): string {
  return INDEXED_COLUMNS[field] ?? `json_extract(doc, '$.${field}')`;
}

export class ValuesCache {
  private readonly cache = new Map<string, { at: number; values: FieldValue[] }>();
  /** Queries run (cache misses), for tests and curiosity. */
  queries = 0;

  constructor(private readonly db: Database.Database, private readonly now: () => number = Date.now) {}

  answer(q: { field?: unknown; prefix?: unknown; limit?: unknown }): ValuesAnswer {
    const field = q.field;
    if (typeof field !== 'string' || !(VALUE_FIELDS as readonly string[]).includes(field)) {
      throw new ValuesError(`field must be one of: ${VALUE_FIELDS.join(', ')}`);
    }
    const prefix = q.prefix === undefined ? '' : q.prefix;
    if (typeof prefix !== 'string' || prefix.length > VALUES_MAX_PREFIX_CHARS) throw new ValuesError(`prefix must be one string of at most ${VALUES_MAX_PREFIX_CHARS} characters`);
    let limit = VALUES_DEFAULT_LIMIT;
    if (q.limit !== undefined) {
      if (typeof q.limit !== 'string' || !/^\d{1,4}$/.test(q.limit) || Number(q.limit) < 1 || Number(q.limit) > VALUES_MAX_LIMIT) {
        throw new ValuesError(`limit must be a whole number from 1 to ${VALUES_MAX_LIMIT}`);
      }
      limit = Number(q.limit);
    }
    const p = prefix.toLowerCase();
    const out: FieldValue[] = [];
    for (const v of this.values(field)) {
      if (out.length >= limit) break;
      if (p === '' || String(v.value).toLowerCase().startsWith(p)) out.push(v);
    }
    return { field, values: out };
  }

  /** Every value of the field in the newest rows, most frequent first (ties by value). */
  private values(field: string): FieldValue[] {
    const hit = this.cache.get(field);
    const now = this.now();
    if (hit !== undefined && now - hit.at <= VALUES_CACHE_MS) return hit.values;
    this.queries++;
    const rows = this.db.prepare(`SELECT v AS value, count(*) AS count FROM (SELECT ${expression(field)} AS v FROM entries ORDER BY seq DESC LIMIT ?)
      WHERE typeof(v) IN ('text', 'integer', 'real') AND v <> '' AND length(v) <= ? GROUP BY v ORDER BY count DESC, v`).all(VALUES_SCAN_ENTRIES, VALUES_MAX_CHARS) as FieldValue[];
    this.cache.set(field, { at: now, values: rows });
    return rows;
  }
}

/** `GET /api/fields`: the catalog of filter fields (with whether /api/values knows their values) and the macros. */
export function fieldsAnswer(): { fields: Array<FieldInfo & { values: boolean }>; macros: Array<{ name: string; description: string }> } {
  const known = new Set<string>(VALUE_FIELDS);
  return { fields: FIELD_CATALOG.map((f) => ({ ...f, values: known.has(f.name) })), macros: macroCatalog() };
}
