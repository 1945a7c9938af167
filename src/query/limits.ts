/**
 * Limits on filter text, so a hostile filter costs bounded time and memory.
 * Each one is enforced at parse time and reported as a FilterError naming it.
 */

/** Characters in one filter. */
export const MAX_FILTER_LENGTH = 4096;
/** Nested parentheses and `!`/`not` together. */
export const MAX_NESTING_DEPTH = 64;
/** Characters in one regex source (the linear-time engine also bounds its run time). */
export const MAX_REGEX_LENGTH = 512;
/** Segments in one field path (`a.b[0]["c"]` has 4). */
export const MAX_PATH_SEGMENTS = 32;
/** Items in one `in [...]` list. */
export const MAX_LIST_ITEMS = 1024;
/** Operands in one `a + b - c` chain (each one adds a level to the SQL expression tree). */
export const MAX_ARITH_TERMS = 16;
/** Largest `[N]` index. */
export const MAX_INDEX = 1_000_000;
/** Compiled regexes kept by the SQL functions, keyed by source; least recently used goes first. */
export const REGEX_CACHE_SIZE = 256;
