/**
 * What comparisons mean, in one place: the predicate calls these for every
 * entry and the SQL compiler calls them to fold constants, so both agree.
 * The SQL compiler spells the same rules in SQL (sql-compare.ts); the shared
 * test table checks that the two spellings match.
 *
 * `undefined` is a missing field (or arithmetic on a non-number); JSON `null`
 * is a value. Rules (docs/filters.md, "Missing fields and types"):
 *   - anything compared with a missing value is false, for every operator;
 *   - `== null` is true only for a present null, `!= null` for a present
 *     non-null; a present null differs (`!=`) from every present non-null value;
 *   - otherwise both sides must be the same kind of scalar (number, string,
 *     boolean); a number against a string, an array or an object is false;
 *   - `< <= > >=` compare numbers, or strings by Unicode code point;
 *     booleans only have `==` and `!=`.
 */
import type { CompareOp, DurationUnit, PathSegment } from './ast.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
/** A value read from an entry; undefined when the field is missing. */
export type Value = JsonValue | undefined;

export type ValueKind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function kindOf(v: JsonValue): ValueKind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as 'boolean' | 'number' | 'string' | 'object';
}

/** Follow a path through plain JSON data. Keys only step into objects, `[N]` only into arrays. */
export function readPath(root: unknown, path: readonly PathSegment[]): Value {
  let cur: unknown = root;
  for (const s of path) {
    if (s.kind === 'index') {
      if (!Array.isArray(cur) || s.index >= cur.length) return undefined;
      cur = cur[s.index];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, s.key)) return undefined;
      cur = (cur as Record<string, unknown>)[s.key];
    }
  }
  return cur as Value;
}

/** UTF-16 code unit rearranged so that plain `<` gives Unicode code point order (as SQLite's BINARY collation on UTF-8 does). */
function codePointRank(c: number): number {
  if (c >= 0xd800 && c <= 0xdfff) return c + 0x2000;
  return c >= 0xe000 ? c - 0x800 : c;
}

export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function ordered(op: CompareOp, d: number): boolean {
  switch (op) {
    case '==': return d === 0;
    case '!=': return d !== 0;
    case '<': return d < 0;
    case '<=': return d <= 0;
    case '>': return d > 0;
    case '>=': return d >= 0;
  }
}

export function compareValues(op: CompareOp, a: Value, b: Value): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === null || b === null) {
    if (op === '==') return a === b;
    if (op === '!=') return a !== b;
    return false;
  }
  const kind = kindOf(a);
  if (kind !== kindOf(b)) return false;
  if (kind === 'number') return ordered(op, (a as number) < (b as number) ? -1 : a === b ? 0 : 1);
  if (kind === 'string') return ordered(op, compareStrings(a as string, b as string));
  if (kind === 'boolean') return op === '==' ? a === b : op === '!=' ? a !== b : false;
  return false;
}

/** Present, and not null, false, 0, "", [] or {}. */
export function isTruthy(v: Value): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'object') return Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0;
  return v !== false && v !== 0 && v !== '';
}

/** `+`/`-` on two numbers; anything else has no value. */
export function arith(op: '+' | '-', a: Value, b: Value): number | undefined {
  if (typeof a !== 'number' || typeof b !== 'number') return undefined;
  return op === '+' ? a + b : a - b;
}

export const DURATION_MS: Readonly<Record<DurationUnit, number>> = {
  seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000,
};

/** `.contains(arg)`: a substring of a string, or an element (by `==`) of an array. */
export function containsValue(target: Value, arg: JsonValue): boolean {
  if (typeof target === 'string') return typeof arg === 'string' && target.includes(arg);
  if (Array.isArray(target)) return target.some((el) => compareValues('==', el, arg));
  return false;
}
