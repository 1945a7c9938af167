/**
 * Compile a filter into a SQLite WHERE clause with bound parameters, for
 * stored entries. Same tree, same rules as compilePredicate (the shared test
 * table runs both). Nothing from the filter text is ever spliced into the SQL:
 * literals, JSON paths and regex sources are all parameters. Regex and string
 * methods call the functions `registerQueryFunctions(db)` adds.
 *
 *   const { where, params } = compileSql(parseFilter(text), { now: Date.now() });
 *   db.prepare(`SELECT doc FROM entries WHERE ${where}`).all(...params);
 *
 * The clause is always 0 or 1 per row (never NULL), so it can be negated or
 * combined with other conditions safely.
 */
import type { Expr, Operand, RegexNode } from './ast.js';
import { macroDefinition } from './macros.js';
import type { CompileOptions } from './predicate.js';
import { compileFilterRegex, effectivePattern, type RegexMode } from './regex.js';
import { FALSE_SQL, param, sql, trustedSql, type SqlFragment, type SqlParam } from './sql-fragment.js';
import { bool, compareSql, inSql, isNumberType, type SqlOperand } from './sql-compare.js';
import { docResolver, fieldRef, type SqlResolver } from './sql-resolver.js';
import { DURATION_MS, arith, containsValue, isTruthy } from './values.js';

export interface SqlCompileOptions extends CompileOptions {
  /** Where fields are read; default: `json_extract(doc, ?)` on the entry's JSON in column `doc`. */
  resolve?: SqlResolver;
}

export interface CompiledSql {
  /** A boolean SQL expression (0/1) with `?` placeholders. */
  where: string;
  /** Values for the placeholders, in order. */
  params: SqlParam[];
}

class SqlCompiler {
  constructor(private readonly now: number, private readonly resolve: SqlResolver) {}

  operand(o: Operand): SqlOperand {
    switch (o.kind) {
      case 'literal': return { kind: 'const', value: o.value };
      case 'now': return { kind: 'const', value: this.now };
      case 'duration': return { kind: 'const', value: o.amount * DURATION_MS[o.unit] };
      case 'field': {
        const ref = fieldRef(o.path);
        const f = this.resolve(ref) ?? docResolver(ref)!;
        return { kind: 'dyn', value: f.value, type: f.type };
      }
      case 'arith': {
        const l = this.operand(o.left);
        const r = this.operand(o.right);
        if (l.kind === 'const' && r.kind === 'const') return { kind: 'const', value: arith(o.op, l.value, r.value) };
        // A constant side that is not a number makes the whole sum "no value".
        if ((l.kind === 'const' && typeof l.value !== 'number') || (r.kind === 'const' && typeof r.value !== 'number')) {
          return { kind: 'const', value: undefined };
        }
        const v = (s: SqlOperand): SqlFragment => (s.kind === 'const' ? param(s.value as number) : s.value);
        const numeric = [l, r].flatMap((s) => (s.kind === 'dyn' ? [isNumberType(s.type)] : []));
        const ok = numeric.length === 2 ? sql`${numeric[0]} AND ${numeric[1]}` : numeric[0];
        const opSql = trustedSql(o.op);
        return { kind: 'dyn', value: sql`(${v(l)} ${opSql} ${v(r)})`, type: sql`(CASE WHEN ${ok} THEN 'real' END)` };
      }
    }
  }

  private regex(target: SqlOperand, re: RegexNode, mode: RegexMode, negate: boolean): SqlFragment {
    compileFilterRegex(re.source, mode, re.column); // the parser checked it; this keeps hand-built trees honest too
    const pattern = param(effectivePattern(re.source, mode));
    if (target.kind === 'const') {
      if (typeof target.value !== 'string') return FALSE_SQL;
      return bool(compileFilterRegex(re.source, mode, re.column).test(target.value) !== negate);
    }
    const not = trustedSql(negate ? 'NOT ' : '');
    return sql`(${target.type} IS 'text' AND ${not}kfl_regexp(${pattern}, ${target.value}))`;
  }

  /** `and`/`or` as a balanced tree, so a long chain stays shallow for SQLite's expression depth limit. */
  private balanced(parts: SqlFragment[], word: 'AND' | 'OR'): SqlFragment {
    if (parts.length === 1) return parts[0];
    const mid = parts.length >> 1;
    return sql`(${this.balanced(parts.slice(0, mid), word)} ${trustedSql(word)} ${this.balanced(parts.slice(mid), word)})`;
  }

  condition(x: Expr): SqlFragment {
    switch (x.kind) {
      case 'and': return this.balanced(x.operands.map((p) => this.condition(p)), 'AND');
      case 'or': return this.balanced(x.operands.map((p) => this.condition(p)), 'OR');
      case 'not': return sql`(NOT ${this.condition(x.operand)})`;
      case 'macro': {
        const def = macroDefinition(x.name)!;
        return inSql(this.operand({ kind: 'field', path: [{ kind: 'key', key: def.field }], column: x.column }), def.values);
      }
      case 'in': return inSql(this.operand(x.value), x.list.map((l) => l.value));
      case 'compare': {
        const l = this.operand(x.left);
        if (x.right.kind === 'regex') return this.regex(l, x.right, 'full', x.op === '!=');
        return compareSql(x.op, l, this.operand(x.right));
      }
      case 'truthy': return this.truthy(this.operand(x.value));
      case 'method': return this.method(x);
    }
  }

  private truthy(v: SqlOperand): SqlFragment {
    if (v.kind === 'const') return bool(isTruthy(v.value));
    const { type: t, value: s } = v;
    return sql`(CASE ${t} WHEN 'true' THEN 1 WHEN 'integer' THEN ${s} <> 0 WHEN 'real' THEN ${s} <> 0 WHEN 'text' THEN ${s} <> ''
      WHEN 'array' THEN json_array_length(${s}) > 0 WHEN 'object' THEN EXISTS (SELECT 1 FROM json_each(${s})) ELSE 0 END)`;
  }

  private method(x: Extract<Expr, { kind: 'method' }>): SqlFragment {
    const t = this.operand(x.target);
    if (x.method === 'matches') return this.regex(t, x.arg, 'search', false);
    if (t.kind === 'const') {
      const v = t.value;
      if (x.method === 'contains') return bool(containsValue(v, x.arg));
      return bool(typeof v === 'string' && (x.method === 'startsWith' ? v.startsWith(x.arg) : v.endsWith(x.arg)));
    }
    if (x.method === 'startsWith') return sql`(${t.type} IS 'text' AND kfl_starts_with(${t.value}, ${param(x.arg)}))`;
    if (x.method === 'endsWith') return sql`(${t.type} IS 'text' AND kfl_ends_with(${t.value}, ${param(x.arg)}))`;
    const element: SqlOperand = { kind: 'dyn', value: trustedSql('kfl_el.value'), type: trustedSql('kfl_el.type') };
    const inString = typeof x.arg === 'string' ? sql`kfl_contains(${t.value}, ${param(x.arg)})` : FALSE_SQL;
    const inArray = compareSql('==', element, { kind: 'const', value: x.arg });
    return sql`(CASE ${t.type} WHEN 'text' THEN ${inString}
      WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(${t.value}) AS kfl_el WHERE ${inArray}) ELSE 0 END)`;
  }
}

/** A WHERE clause and its parameters for the filter. See SqlResolver for how fields are read. */
export function compileSql(ast: Expr, options: SqlCompileOptions = {}): CompiledSql {
  const where = new SqlCompiler(options.now ?? Date.now(), options.resolve ?? docResolver).condition(ast);
  return { where: where.sql, params: [...where.params] };
}
