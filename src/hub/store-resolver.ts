/**
 * How the store answers the filter compiler's fields: indexed columns for
 * the common filters (so `dst.name == "cart"` uses an index), the deflated
 * bodies for body text, and the `doc` JSON for everything else. Types always
 * come from `doc` (a column cannot tell `true` from 1), so SQL and the live
 * predicate agree on every entry.
 */
import { jsonField, param, sql, trustedSql, type SqlResolver } from '../query/index.js';
import { INDEXED_COLUMNS } from './store.js';

const DOC = trustedSql('doc');
const BODIES = trustedSql('podtap_inflate(bodies)');

export const storeResolver: SqlResolver = (field) => {
  const column = INDEXED_COLUMNS[field.name];
  if (column !== undefined) return { value: trustedSql(column), type: jsonField(DOC, field.jsonPath).type };
  const [a, b, c] = field.segments;
  if (a?.kind === 'key' && (a.key === 'request' || a.key === 'response') && b?.kind === 'key' && b.key === 'body' && c?.kind === 'key' && c.key === 'content') {
    // Kept body text lives deflated in `bodies`; `doc` holds "" in its place (and is the answer when nothing was kept).
    const p = param(field.jsonPath);
    return {
      value: sql`coalesce(json_extract(${BODIES}, ${p}), json_extract(${DOC}, ${p}))`,
      type: sql`coalesce(json_type(${BODIES}, ${p}), json_type(${DOC}, ${p}))`,
    };
  }
  return undefined;
};
