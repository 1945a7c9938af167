/**
 * KFL, the filter language (docs/filters.md): parse once, then compile to a
 * predicate (live stream, `podtap read --filter`) or to SQL (stored entries).
 */
export type * from './ast.js';
export { FilterError } from './errors.js';
export * from './limits.js';
export { MACROS, type MacroDefinition } from './macros.js';
export { ROOT_FIELDS } from './fields.js';
export { parseFilter } from './parser.js';
export { formatFilter } from './format.js';
export { compilePredicate, type CompileOptions, type EntryPredicate } from './predicate.js';
export { compileSql, type CompiledSql, type SqlCompileOptions } from './sql.js';
export { docResolver, jsonField, type SqlField, type SqlFieldRef, type SqlResolver } from './sql-resolver.js';
export { param, sql, trustedSql, type SqlFragment, type SqlParam } from './sql-fragment.js';
export { registerQueryFunctions } from './sql-functions.js';
export { regexCounters } from './regex.js';
