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

export function compileHubFilter(text: string, now: number): HubFilter {
  try {
    const ast = parseFilter(text);
    return { text, sql: compileSql(ast, { now, resolve: storeResolver }), match: compilePredicate(ast, { now }) };
  } catch (err) {
    if (err instanceof FilterError) throw new HubFilterError(`invalid filter at ${err.message}`, err.column);
    throw err;
  }
}
