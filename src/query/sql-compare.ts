/**
 * The rules of values.ts spelled in SQL. Every condition made here is 0 or 1,
 * never NULL: type tests use `IS`/`IFNULL` (0 for a missing field), and a
 * value is only compared once its type test passed (so it is not NULL, see
 * the SqlField contract). That keeps `NOT` exact: NOT (missing == "x") is 1.
 *
 * A side known when compiling (a literal, `now()`, constant arithmetic) is a
 * `const` operand and becomes a bound parameter; two constants are folded
 * with the very functions the predicate uses.
 */
import type { CompareOp } from './ast.js';
import { FALSE_SQL, TRUE_SQL, joinSql, param, sql, trustedSql, type SqlFragment } from './sql-fragment.js';
import { compareValues, kindOf, type JsonValue, type Value } from './values.js';

export type SqlOperand =
  | { kind: 'const'; value: Value }
  | { kind: 'dyn'; value: SqlFragment; type: SqlFragment };

const SQL_OPS: Readonly<Record<CompareOp, string>> = { '==': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
const FLIPPED: Readonly<Record<CompareOp, CompareOp>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

export const bool = (b: boolean): SqlFragment => (b ? TRUE_SQL : FALSE_SQL);
const op = (o: CompareOp): SqlFragment => trustedSql(SQL_OPS[o]);

/** 1 when the type is a number (an arithmetic result has type 'real' or NULL). */
export function isNumberType(type: SqlFragment): SqlFragment {
  return sql`IFNULL(${type}, '') IN ('integer', 'real')`;
}

/** `field op constant` (the field on the left). */
function compareWithConst(o: CompareOp, d: Extract<SqlOperand, { kind: 'dyn' }>, c: JsonValue): SqlFragment {
  if (c === null) {
    if (o === '==') return sql`(${d.type} IS 'null')`;
    if (o === '!=') return sql`(IFNULL(${d.type}, 'null') <> 'null')`;
    return FALSE_SQL;
  }
  const typed = typedCompare(o, d, c);
  // A present null differs from every non-null value.
  return o === '!=' ? sql`(${d.type} IS 'null' OR ${typed})` : typed;
}

function typedCompare(o: CompareOp, d: Extract<SqlOperand, { kind: 'dyn' }>, c: Exclude<JsonValue, null>): SqlFragment {
  switch (kindOf(c)) {
    case 'number': return sql`(${isNumberType(d.type)} AND ${d.value} ${op(o)} ${param(c as number)})`;
    case 'string': return sql`(${d.type} IS 'text' AND ${d.value} ${op(o)} ${param(c as string)})`;
    case 'boolean': {
      if (o !== '==' && o !== '!=') return FALSE_SQL;
      const wanted = (o === '==') === c;
      return sql`(${d.type} IS ${trustedSql(wanted ? "'true'" : "'false'")})`;
    }
    default: return FALSE_SQL;
  }
}

/** Two fields: the whole rule set as one CASE. */
function compareDynamic(o: CompareOp, a: Extract<SqlOperand, { kind: 'dyn' }>, b: Extract<SqlOperand, { kind: 'dyn' }>): SqlFragment {
  // Null against anything, and true/false against each other: equal when the types are.
  const sameType = o === '==' ? sql`${a.type} = ${b.type}` : o === '!=' ? sql`${a.type} <> ${b.type}` : FALSE_SQL;
  return sql`(CASE WHEN ${a.type} IS NULL OR ${b.type} IS NULL THEN 0
    WHEN ${a.type} = 'null' OR ${b.type} = 'null' THEN ${sameType}
    WHEN ${a.type} IN ('integer', 'real') AND ${b.type} IN ('integer', 'real') THEN ${a.value} ${op(o)} ${b.value}
    WHEN ${a.type} = 'text' AND ${b.type} = 'text' THEN ${a.value} ${op(o)} ${b.value}
    WHEN ${a.type} IN ('true', 'false') AND ${b.type} IN ('true', 'false') THEN ${sameType}
    ELSE 0 END)`;
}

export function compareSql(o: CompareOp, a: SqlOperand, b: SqlOperand): SqlFragment {
  if (a.kind === 'const' && b.kind === 'const') return bool(compareValues(o, a.value, b.value));
  if (a.kind === 'const') return compareSql(FLIPPED[o], b, a);
  if (b.kind === 'const') return b.value === undefined ? FALSE_SQL : compareWithConst(o, a, b.value);
  return compareDynamic(o, a, b);
}

/** `value in [...]`: grouped by kind so each group is one SQL `IN`. */
export function inSql(d: SqlOperand, items: readonly JsonValue[]): SqlFragment {
  if (d.kind === 'const') return bool(items.some((i) => compareValues('==', d.value, i)));
  const strings = items.filter((i): i is string => typeof i === 'string');
  const numbers = items.filter((i): i is number => typeof i === 'number');
  const parts: SqlFragment[] = [];
  if (strings.length > 0) parts.push(sql`(${d.type} IS 'text' AND ${d.value} IN (${joinSql(strings.map(param), ', ')}))`);
  if (numbers.length > 0) parts.push(sql`(${isNumberType(d.type)} AND ${d.value} IN (${joinSql(numbers.map(param), ', ')}))`);
  for (const v of [true, false, null] as const) {
    if (items.includes(v)) parts.push(compareWithConst('==', d, v));
  }
  return parts.length === 0 ? FALSE_SQL : sql`(${joinSql(parts, ' OR ')})`;
}
