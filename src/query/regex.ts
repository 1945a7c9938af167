/**
 * Regexes from filters run on V8's linear-time engine (flag `l`), so no
 * pattern can backtrack exponentially: run time is bounded by pattern length
 * times input length. The engine refuses what it cannot run in linear time
 * (backreferences, lookaround, large counted repeats, the `i` and `u` flags);
 * such a pattern is a FilterError, never a fallback to the backtracking engine.
 *
 * The predicate and the SQLite functions both get their RegExp from here, so
 * the two compilers agree on every match.
 */
import { setFlagsFromString } from 'node:v8';
import { MAX_REGEX_LENGTH, REGEX_CACHE_SIZE } from './limits.js';
import { effectivePattern, engineReason, invalidRegex, tooLong, type RegexMode } from './regex-text.js';

export { effectivePattern, type RegexMode };

// Once per process, before the first `l` regex; harmless to repeat.
setFlagsFromString('--enable-experimental-regexp-engine');

/** Counters for the regex cache used by the SQL functions. */
export const regexCounters = { compiled: 0, cacheEvictions: 0 };

/** Compile for a filter; `column` places the error. Checks the source alone first (see effectivePattern). */
export function compileFilterRegex(source: string, mode: RegexMode, column: number): RegExp {
  const long = tooLong(source, column);
  if (long !== undefined) throw long;
  try {
    new RegExp(source, 'l');
    return new RegExp(effectivePattern(source, mode), 'l');
  } catch (err) {
    throw invalidRegex(source, column, engineReason(err));
  }
}

const cache = new Map<string, RegExp>();

/**
 * A compiled pattern for the SQLite functions, which receive the effective
 * pattern text with every row. Least recently used entries leave first.
 * Throws (a plain Error, failing the SQL statement) on a pattern that is too
 * long or cannot run in linear time: only `compileSql` output reaches here.
 */
export function cachedRegex(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit !== undefined) {
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  if (pattern.length > MAX_REGEX_LENGTH + 8) throw new Error(`podtap regex longer than ${MAX_REGEX_LENGTH} characters`);
  const re = new RegExp(pattern, 'l');
  regexCounters.compiled++;
  if (cache.size >= REGEX_CACHE_SIZE) {
    cache.delete(cache.keys().next().value as string);
    regexCounters.cacheEvictions++;
  }
  cache.set(pattern, re);
  return re;
}
