/**
 * Compile a filter into a function over entries, for the live stream and
 * `podtap read --filter`. Everything that does not depend on the entry (regexes,
 * `now()`, durations, constant arithmetic) is worked out once here; matching
 * an entry only reads fields and compares. Never throws while matching.
 */
import type { Entry } from '../entries/types.js';
import type { Expr, Operand, RegexNode } from './ast.js';
import { macroDefinition } from './macros.js';
import { compileFilterRegex } from './regex.js';
import { DURATION_MS, arith, compareValues, containsValue, isTruthy, readPath, type Value } from './values.js';

export interface CompileOptions {
  /** What `now()` means, ms since the epoch; default: the time of compilation. */
  now?: number;
}

export type EntryPredicate = (entry: Entry) => boolean;

type Getter = (e: unknown) => Value;
type Test = (e: unknown) => boolean;

function operand(o: Operand, now: number): Getter {
  switch (o.kind) {
    case 'literal': { const v = o.value; return () => v; }
    case 'now': return () => now;
    case 'duration': { const v = o.amount * DURATION_MS[o.unit]; return () => v; }
    case 'field': { const p = o.path; return (e) => readPath(e, p); }
    case 'arith': {
      const l = operand(o.left, now);
      const r = operand(o.right, now);
      const op = o.op;
      return (e) => arith(op, l(e), r(e));
    }
  }
}

function regexTest(target: Getter, re: RegexNode, mode: 'full' | 'search'): Test {
  const compiled = compileFilterRegex(re.source, mode, re.column);
  return (e) => { const v = target(e); return typeof v === 'string' && compiled.test(v); };
}

function condition(x: Expr, now: number): Test {
  switch (x.kind) {
    case 'and': { const parts = x.operands.map((p) => condition(p, now)); return (e) => parts.every((t) => t(e)); }
    case 'or': { const parts = x.operands.map((p) => condition(p, now)); return (e) => parts.some((t) => t(e)); }
    case 'not': { const inner = condition(x.operand, now); return (e) => !inner(e); }
    case 'truthy': { const v = operand(x.value, now); return (e) => isTruthy(v(e)); }
    case 'macro': {
      const def = macroDefinition(x.name)!;
      const field = def.field;
      const values = def.values;
      return (e) => { const v = readPath(e, [{ kind: 'key', key: field }]); return typeof v === 'string' && values.includes(v); };
    }
    case 'in': {
      const v = operand(x.value, now);
      const items = x.list.map((l) => l.value);
      return (e) => { const got = v(e); return items.some((item) => compareValues('==', got, item)); };
    }
    case 'compare': {
      const l = operand(x.left, now);
      if (x.right.kind === 'regex') {
        const matches = regexTest(l, x.right, 'full');
        if (x.op === '==') return matches;
        return (e) => typeof l(e) === 'string' && !matches(e);
      }
      const r = operand(x.right, now);
      const op = x.op;
      return (e) => compareValues(op, l(e), r(e));
    }
    case 'method': {
      const t = operand(x.target, now);
      switch (x.method) {
        case 'startsWith': { const s = x.arg; return (e) => { const v = t(e); return typeof v === 'string' && v.startsWith(s); }; }
        case 'endsWith': { const s = x.arg; return (e) => { const v = t(e); return typeof v === 'string' && v.endsWith(s); }; }
        case 'contains': { const a = x.arg; return (e) => containsValue(t(e), a); }
        case 'matches': return regexTest(t, x.arg, 'search');
      }
    }
  }
}

/** A function that tells whether an entry matches the filter. */
export function compilePredicate(ast: Expr, options: CompileOptions = {}): EntryPredicate {
  const test = condition(ast, options.now ?? Date.now());
  return (entry) => test(entry);
}
