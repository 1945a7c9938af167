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
import { FilterError } from './errors.js';
import { MAX_REGEX_LENGTH, REGEX_CACHE_SIZE } from './limits.js';

// Once per process, before the first `l` regex; harmless to repeat.
setFlagsFromString('--enable-experimental-regexp-engine');

/** How a regex is applied: the whole string (`== r"..."`) or anywhere in it (`.matches()`). */
export type RegexMode = 'full' | 'search';

/** Counters for the regex cache used by the SQL functions. */
export const regexCounters = { compiled: 0, cacheEvictions: 0 };

function why(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // V8: "Invalid regular expression: /(a)\1/l: Cannot be executed in linear time"
  const reason = text.slice(text.lastIndexOf(': ') + 2);
  return /linear time/i.test(reason)
    ? 'it cannot run in linear time (backreferences, lookahead/lookbehind and counted repeats above 16 are not supported)'
    : reason.charAt(0).toLowerCase() + reason.slice(1);
}

/**
 * The pattern text actually compiled. A full match wraps the source in
 * `^(?:...)$`; that is safe only because the source was first checked to
 * compile on its own (so its groups are balanced and cannot close ours).
 */
export function effectivePattern(source: string, mode: RegexMode): string {
  return mode === 'full' ? `^(?:${source})$` : source;
}

/** Compile for a filter; `column` places the error. Checks the source alone first (see effectivePattern). */
export function compileFilterRegex(source: string, mode: RegexMode, column: number): RegExp {
  const label = `r"${source}"`;
  if (source.length > MAX_REGEX_LENGTH) {
    throw new FilterError(column, `regex ${label.slice(0, 40)}… is longer than ${MAX_REGEX_LENGTH} characters (MAX_REGEX_LENGTH)`);
  }
  try {
    new RegExp(source, 'l');
    return new RegExp(effectivePattern(source, mode), 'l');
  } catch (err) {
    throw new FilterError(column, `invalid regex ${label}: ${why(err)}`);
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
