/**
 * The browser's stand-in for src/query/regex.ts (swapped in by the Vite
 * build). A page cannot turn on V8's linear-time engine, so here a regex is
 * only checked: the same length limit, the same refusals (backreferences,
 * lookaround), compiled by the ordinary engine. The hub compiles it for real
 * and its answer is the one that counts.
 */
import { effectivePattern, engineReason, invalidRegex, NOT_LINEAR_REASON, tooLong, type RegexMode } from '../../../src/query/regex-text.js';

export { effectivePattern, type RegexMode };

export const regexCounters = { compiled: 0, cacheEvictions: 0 };

const NOT_LINEAR = /\\[1-9]|\\k<|\(\?<?[=!]/;

export function compileFilterRegex(source: string, mode: RegexMode, column: number): RegExp {
  const long = tooLong(source, column);
  if (long !== undefined) throw long;
  if (NOT_LINEAR.test(source)) throw invalidRegex(source, column, NOT_LINEAR_REASON);
  try {
    new RegExp(source);
    return new RegExp(effectivePattern(source, mode));
  } catch (err) {
    throw invalidRegex(source, column, engineReason(err));
  }
}
