/**
 * SQL text with its bound parameters, built so that user input can only ever
 * travel as a parameter: the `sql` tag interpolates fragments (never plain
 * strings), values enter through `param()`, and trusted text written by the
 * programmer (a column name, a function call) through `trustedSql()`.
 */

/** What gets bound: strings and numbers only (booleans never reach SQLite; they become type tests). */
export type SqlParam = string | number;

export interface SqlFragment {
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

/** A single `?` bound to `value`. */
export function param(value: SqlParam): SqlFragment {
  return { sql: '?', params: [value] };
}

/** Text written by the programmer, never from a filter. */
export function trustedSql(text: string): SqlFragment {
  return { sql: text, params: [] };
}

/** Template tag: literal SQL around fragments, parameters kept in order. */
export function sql(strings: TemplateStringsArray, ...parts: SqlFragment[]): SqlFragment {
  let text = strings[0];
  const params: SqlParam[] = [];
  parts.forEach((p, i) => {
    text += p.sql + strings[i + 1];
    params.push(...p.params);
  });
  return { sql: text, params };
}

export function joinSql(parts: readonly SqlFragment[], separator: string): SqlFragment {
  return { sql: parts.map((p) => p.sql).join(separator), params: parts.flatMap((p) => p.params) };
}

export const TRUE_SQL = trustedSql('1');
export const FALSE_SQL = trustedSql('0');
