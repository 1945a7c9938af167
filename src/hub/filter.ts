/**
 * The hub's use of the filter language: one text compiled twice — to SQL over
 * the store's columns (stored search) and to a predicate (live stream) —
 * from one parse.
 */
import type { Entry } from '../entries/types.js';
import { parseFilter, compilePredicate, compileSql, FilterError } from '../query/index.js';
import { storeResolver } from './store-resolver.js';
import type { SqlFilter } from './store.js';

export interface HubFilter {
  text: string;
  sql: SqlFilter;
  match: (e: Entry) => boolean;
}

/** An invalid filter: `column` is 1-based (0 when the problem is not in the text). */
export class HubFilterError extends Error {
  override readonly name = 'HubFilterError';
  constructor(message: string, readonly column: number) { super(message); }
}

/** How often a live predicate that uses `now()` is compiled again, so its window slides. */
export const NOW_REFRESH_MS = 1000;

/** Does the tree use `now()` anywhere? */
function usesNow(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return false;
  if ((node as { kind?: unknown }).kind === 'now') return true;
  return Object.values(node).some(usesNow);
}

export function compileHubFilter(text: string, now: number, clock: () => number = Date.now): HubFilter {
  try {
    const ast = parseFilter(text);
    let match = compilePredicate(ast, { now });
    if (usesNow(ast)) {
      // A live stream lasts: `timestamp > now() - minutes(5)` must keep meaning the last five minutes.
      let compiledAt = now;
      let current = match;
      match = (e) => {
        const t = clock();
        if (t - compiledAt >= NOW_REFRESH_MS) { compiledAt = t; current = compilePredicate(ast, { now: t }); }
        return current(e);
      };
    }
    return { text, sql: compileSql(ast, { now, resolve: storeResolver }), match };
  } catch (err) {
    if (err instanceof FilterError) throw new HubFilterError(`invalid filter at ${err.message}`, err.column);
    throw err;
  }
}
