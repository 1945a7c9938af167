/**
 * Where the SQL compiler reads a field. The default reads the entry's JSON
 * text from a column `doc` with `json_extract`/`json_type`; a store can map
 * some paths to indexed columns, or body contents to another expression, by
 * passing its own resolver and falling back to the default for the rest.
 */
import type { PathSegment } from './ast.js';
import { dottedName, jsonPath } from './fields.js';
import { param, sql, trustedSql, type SqlFragment } from './sql-fragment.js';

/** A field as the filter names it (header keys already lower-cased). */
export interface SqlFieldRef {
  readonly segments: readonly PathSegment[];
  /** SQLite JSON path, e.g. `$.request.headers."user-agent"`; bind it, never splice it. */
  readonly jsonPath: string;
  /** The path as a filter writes it, e.g. `dst.name`, `request.questions[0].name`: a key for lookup tables. */
  readonly name: string;
}

/**
 * Two SQL expressions for one field, evaluated per row:
 *   - `type`: what `json_type()` says of the field — 'null', 'true', 'false',
 *     'integer', 'real', 'text', 'array', 'object' — or NULL when it is missing.
 *   - `value`: what `json_extract()` gives: the text or number; 1/0 for
 *     true/false; the JSON text of an array or object; NULL for null or missing.
 * Contract: `value` is not NULL whenever `type` is neither NULL nor 'null'
 * (the compiled conditions rely on it to stay 0/1, never NULL). Each
 * expression may appear several times in the WHERE clause.
 */
export interface SqlField {
  value: SqlFragment;
  type: SqlFragment;
}

/** Map a field to SQL, or return undefined to read it from the `doc` column (the default). */
export type SqlResolver = (field: SqlFieldRef) => SqlField | undefined;

/** A field read from JSON text held by `document` (a column or any trusted expression). */
export function jsonField(document: SqlFragment, path: string): SqlField {
  return { value: sql`json_extract(${document}, ${param(path)})`, type: sql`json_type(${document}, ${param(path)})` };
}

const DOC = trustedSql('doc');

/** The default: every field from the JSON text in column `doc`. */
export const docResolver: SqlResolver = (field) => jsonField(DOC, field.jsonPath);

export function fieldRef(segments: readonly PathSegment[]): SqlFieldRef {
  return { segments, jsonPath: jsonPath(segments), name: dottedName(segments) };
}
