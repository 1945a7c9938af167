/**
 * SQLite functions the compiled WHERE clauses call. They run the same
 * JavaScript as the predicate (the same linear-time RegExp, the same string
 * methods), so SQL and predicate agree on every row. Each returns 1 or 0,
 * and 0 for a value that is not text.
 */
import type Database from 'better-sqlite3';
import { cachedRegex } from './regex.js';

type TextTest = (value: string, arg: string) => boolean;

/** Name → test on (value, argument). kfl_regexp takes the pattern first, like SQLite's REGEXP function. */
const FUNCTIONS: ReadonlyArray<[name: string, test: TextTest, patternFirst: boolean]> = [
  ['kfl_regexp', (value, pattern) => cachedRegex(pattern).test(value), true],
  ['kfl_starts_with', (value, prefix) => value.startsWith(prefix), false],
  ['kfl_ends_with', (value, suffix) => value.endsWith(suffix), false],
  ['kfl_contains', (value, part) => value.includes(part), false],
];

/** Add the filter functions to a connection; call once per connection before running compiled filters. */
export function registerQueryFunctions(db: Database.Database): void {
  for (const [name, test, patternFirst] of FUNCTIONS) {
    db.function(name, { deterministic: true }, (a: unknown, b: unknown) => {
      const [value, arg] = patternFirst ? [b, a] : [a, b];
      return typeof value === 'string' && typeof arg === 'string' && test(value, arg) ? 1 : 0;
    });
  }
}
