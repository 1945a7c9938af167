/**
 * What the server's regex engine (regex.ts) and the browser's check
 * (ui/src/filter/browser-regex.ts) share: the pattern actually compiled and
 * how a refusal reads. No Node imports, so the page can load it.
 */
import { FilterError } from './errors.js';
import { MAX_REGEX_LENGTH } from './limits.js';

/** How a regex is applied: the whole string (`== r"..."`) or anywhere in it (`.matches()`). */
export type RegexMode = 'full' | 'search';

export const NOT_LINEAR_REASON = 'it cannot run in linear time (backreferences, lookahead/lookbehind and counted repeats above 16 are not supported)';

/**
 * The pattern text actually compiled. A full match wraps the source in
 * `^(?:...)$`; that is safe only because the source was first checked to
 * compile on its own (so its groups are balanced and cannot close ours).
 */
export function effectivePattern(source: string, mode: RegexMode): string {
  return mode === 'full' ? `^(?:${source})$` : source;
}

/** The error for a pattern that is too long, or undefined. */
export function tooLong(source: string, column: number): FilterError | undefined {
  return source.length > MAX_REGEX_LENGTH
    ? new FilterError(column, `regex ${`r"${source}"`.slice(0, 40)}… is longer than ${MAX_REGEX_LENGTH} characters (MAX_REGEX_LENGTH)`)
    : undefined;
}

/** The reason in an engine's "Invalid regular expression: /…/: reason", lower-cased; linear-time refusals get one wording. */
export function engineReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const reason = text.slice(text.lastIndexOf(': ') + 2);
  return /linear time/i.test(reason) ? NOT_LINEAR_REASON : reason.charAt(0).toLowerCase() + reason.slice(1);
}

/** An engine's message as the reason of an invalid-regex error. */
export function invalidRegex(source: string, column: number, reason: string): FilterError {
  return new FilterError(column, `invalid regex r"${source}": ${reason}`);
}
