/**
 * Filter text to a typed syntax tree (ast.ts).
 *
 * Hand-written recursive descent, one function per precedence level: the
 * grammar is small, and this gives exact columns and "expected X, found Y"
 * messages with no parser generator or runtime dependency.
 *
 *   filter     = or END
 *   or         = and { ("or" | "||") and }
 *   and        = unary { ("and" | "&&") unary }
 *   unary      = ("not" | "!") unary | "(" or ")" | condition
 *   condition  = sum [ compare-op (sum | regex) | "in" list ]   -- a lone sum is a macro or "present and truthy"
 *              | sum "." method "(" argument ")"
 *   sum        = value { ("+" | "-") value }
 *   value      = number | "-" number | string | "true" | "false" | "null"
 *              | "now" "(" ")" | unit "(" ["-"] number ")" | path
 *   path       = name { "." name | "[" (integer | string) "]" }
 *   list       = "[" [ literal { "," literal } ] "]"
 *
 * Parentheses group conditions only; arithmetic reads left to right.
 */
import type { CompareOp, DurationUnit, Expr, LiteralNode, MethodName, MethodNode, Operand, PathSegment, RegexNode } from './ast.js';
import { FilterError } from './errors.js';
import { ROOT_FIELDS, isRootField, normalizeKey } from './fields.js';
import { describeToken, tokenize, type Token } from './lexer.js';
import { MAX_ARITH_TERMS, MAX_FILTER_LENGTH, MAX_INDEX, MAX_LIST_ITEMS, MAX_NESTING_DEPTH, MAX_PATH_SEGMENTS } from './limits.js';
import { MACROS, macroDefinition } from './macros.js';
import { compileFilterRegex } from './regex.js';
import { DURATION_MS } from './values.js';

const COMPARE_OPS: readonly string[] = ['==', '!=', '<', '<=', '>', '>='];
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);
const METHODS: readonly MethodName[] = ['startsWith', 'endsWith', 'contains', 'matches'];
const UNITS: readonly DurationUnit[] = ['seconds', 'minutes', 'hours', 'days'];

function macroAlone(name: string): string {
  return `"${name}" is a protocol macro: it stands alone as a condition, as in "${name} and ..."`;
}

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private get tok(): Token { return this.tokens[this.pos]; }
  private next(): Token { return this.tokens[this.pos++]; }
  private is(kind: Token['kind'], text?: string): boolean {
    return this.tok.kind === kind && (text === undefined || this.tok.text === text);
  }
  private fail(expected: string, t: Token = this.tok): never {
    throw new FilterError(t.column, `expected ${expected}, found ${describeToken(t)}`);
  }
  private expectPunct(p: string, context: string): Token {
    if (!this.is('punct', p)) this.fail(`"${p}" ${context}`);
    return this.next();
  }

  parseFilter(): Expr {
    const e = this.parseOr();
    if (!this.is('end')) this.fail('"and", "or" or end of input');
    return e;
  }

  private parseLogical(kind: 'and' | 'or', words: [string, string], sub: () => Expr): Expr {
    const first = sub();
    const operands = [first];
    while (this.is('name', words[0]) || this.is('punct', words[1])) {
      this.next();
      operands.push(sub());
    }
    return operands.length === 1 ? first : { kind, operands, column: first.column };
  }

  private parseOr(): Expr { return this.parseLogical('or', ['or', '||'], () => this.parseAnd()); }
  private parseAnd(): Expr { return this.parseLogical('and', ['and', '&&'], () => this.parseUnary()); }

  private enter(t: Token): void {
    if (++this.depth > MAX_NESTING_DEPTH) {
      throw new FilterError(t.column, `parentheses and "not" nest deeper than ${MAX_NESTING_DEPTH} levels (MAX_NESTING_DEPTH)`);
    }
  }

  private parseUnary(): Expr {
    const t = this.tok;
    if (this.is('punct', '!') || this.is('name', 'not')) {
      this.next();
      this.enter(t);
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'not', operand, column: t.column };
    }
    if (this.is('punct', '(')) {
      this.next();
      this.enter(t);
      const inner = this.parseOr();
      if (!this.is('punct', ')')) this.fail(`")" to close the "(" at column ${t.column}`);
      this.next();
      this.depth--;
      return inner;
    }
    return this.parseCondition();
  }

  private parseCondition(): Expr {
    const t0 = this.tok;
    if (t0.kind === 'name' && !isRootField(t0.text) && macroDefinition(t0.text)) {
      this.next();
      const after = this.tok;
      const usedAsValue = (after.kind === 'punct' && ['.', '[', '+', '-', ...COMPARE_OPS].includes(after.text)) || (after.kind === 'name' && after.text === 'in');
      if (usedAsValue) throw new FilterError(t0.column, macroAlone(t0.text));
      return { kind: 'macro', name: t0.text, column: t0.column };
    }
    const left = this.parseSum('a condition');
    const t = this.tok;
    const isCompare = t.kind === 'punct' && COMPARE_OPS.includes(t.text);
    if (left.kind === 'method') {
      if (isCompare || this.is('name', 'in')) throw new FilterError(t.column, `${left.method}() is already a condition; it cannot be compared with "${t.text}"`);
      return left;
    }
    if (isCompare) {
      this.next();
      const op = t.text as CompareOp;
      if (this.is('regex')) {
        if (op !== '==' && op !== '!=') throw new FilterError(this.tok.column, `a regex can only follow "==" or "!=", not "${op}"`);
        return { kind: 'compare', op, left, right: this.parseRegex('full'), column: left.column };
      }
      return { kind: 'compare', op, left, right: this.parseOperand(`a value after "${op}"`), column: left.column };
    }
    if (this.is('name', 'in')) {
      this.next();
      return { kind: 'in', value: left, list: this.parseList(), column: left.column };
    }
    return { kind: 'truthy', value: left, column: left.column };
  }

  private parseRegex(mode: 'full' | 'search'): RegexNode {
    const t = this.next();
    compileFilterRegex(t.text, mode, t.column);
    return { kind: 'regex', source: t.text, column: t.column };
  }

  /** A value or `value + value ...`; a method call (a condition) comes back as it is. */
  private parseSum(what: string): Operand | MethodNode {
    const first = this.parseValue(what);
    if (first.kind === 'method') return first;
    let left: Operand = first;
    let terms = 1;
    while (this.is('punct', '+') || this.is('punct', '-')) {
      const op = this.next().text as '+' | '-';
      if (++terms > MAX_ARITH_TERMS) throw new FilterError(this.tok.column, `more than ${MAX_ARITH_TERMS} terms in one sum (MAX_ARITH_TERMS)`);
      const right = this.parseValue(`a value after "${op}"`);
      if (right.kind === 'method') throw new FilterError(right.column, `${right.method}() is a condition; it cannot be added or subtracted`);
      left = { kind: 'arith', op, left, right, column: left.column };
    }
    return left;
  }

  /** A value where a condition cannot stand (right of a comparison). */
  private parseOperand(what: string): Operand {
    const v = this.parseSum(what);
    if (v.kind === 'method') throw new FilterError(v.column, `${v.method}() is a condition, not a value`);
    return v;
  }

  private parseValue(what: string): Operand | MethodNode {
    const t = this.tok;
    if (t.kind === 'number') { this.next(); return { kind: 'literal', value: t.value!, column: t.column }; }
    if (t.kind === 'punct' && t.text === '-' && this.tokens[this.pos + 1].kind === 'number') {
      this.next();
      const n = this.next();
      return { kind: 'literal', value: -n.value!, column: t.column };
    }
    if (t.kind === 'string') { this.next(); return this.parseMethods({ kind: 'literal', value: t.text, column: t.column }); }
    if (t.kind === 'regex') throw new FilterError(t.column, 'a regex can only follow "==" or "!=", or be the argument of matches()');
    if (t.kind !== 'name' || (KEYWORDS.has(t.text) && !['true', 'false', 'null'].includes(t.text))) this.fail(what);
    this.next();
    if (t.text === 'true' || t.text === 'false') return { kind: 'literal', value: t.text === 'true', column: t.column };
    if (t.text === 'null') return { kind: 'literal', value: null, column: t.column };
    if (this.is('punct', '(')) return this.parseFunction(t);
    return this.parseMethods(this.parsePath(t));
  }

  private parseFunction(name: Token): Operand {
    this.next();
    if (name.text === 'now') {
      this.expectPunct(')', 'after "now("');
      return { kind: 'now', column: name.column };
    }
    const unit = UNITS.find((u) => u === name.text);
    if (unit === undefined) {
      throw new FilterError(name.column, `unknown function "${name.text}"; functions are now(), ${UNITS.map((u) => `${u}(n)`).join(', ')}`);
    }
    const neg = this.is('punct', '-') ? this.next() : undefined;
    if (!this.is('number')) this.fail(`a number in ${unit}()`);
    const n = this.next();
    const amount = n.value! * (neg ? -1 : 1);
    if (!Number.isFinite(amount * DURATION_MS[unit])) throw new FilterError(n.column, `${unit}(${n.text}) is out of range`);
    this.expectPunct(')', `to close ${unit}(`);
    return { kind: 'duration', unit, amount, column: name.column };
  }

  private parsePath(root: Token): Operand {
    if (!isRootField(root.text)) {
      if (macroDefinition(root.text)) throw new FilterError(root.column, macroAlone(root.text));
      throw new FilterError(root.column, `unknown field "${root.text}"; a field starts with one of ${ROOT_FIELDS.join(', ')}, and the protocol macros are ${Object.keys(MACROS).join(', ')}`);
    }
    const path: PathSegment[] = [{ kind: 'key', key: root.text }];
    for (;;) {
      if (this.is('punct', '.') && this.tokens[this.pos + 1].kind === 'name' && !(this.tokens[this.pos + 2].kind === 'punct' && this.tokens[this.pos + 2].text === '(')) {
        this.next();
        path.push({ kind: 'key', key: normalizeKey(path[path.length - 1], this.next().text) });
      } else if (this.is('punct', '[')) {
        this.next();
        const k = this.next();
        if (k.kind === 'number') {
          if (!Number.isInteger(k.value) || k.value! > MAX_INDEX) throw new FilterError(k.column, `expected an index from 0 to ${MAX_INDEX}, found ${describeToken(k)}`);
          path.push({ kind: 'index', index: k.value! });
        } else if (k.kind === 'string') {
          path.push({ kind: 'key', key: normalizeKey(path[path.length - 1], k.text) });
        } else this.fail('an index or a quoted key after "["', k);
        this.expectPunct(']', 'after the index or key');
      } else break;
      if (path.length > MAX_PATH_SEGMENTS) throw new FilterError(root.column, `field path longer than ${MAX_PATH_SEGMENTS} segments (MAX_PATH_SEGMENTS)`);
    }
    return { kind: 'field', path, column: root.column };
  }

  /** `.startsWith("x")` and friends after a value; at most one, and it ends the value. */
  private parseMethods(target: Operand): Operand | MethodNode {
    if (!this.is('punct', '.')) return target;
    this.next();
    const name = this.tok;
    if (name.kind !== 'name') this.fail('a field name or a method after "."');
    this.next();
    const method = METHODS.find((m) => m === name.text);
    if (method === undefined) {
      if (target.kind !== 'field') throw new FilterError(name.column, `only fields have members; "${name.text}" is not a method (methods: ${METHODS.join(', ')})`);
      throw new FilterError(name.column, `unknown method "${name.text}"; methods are ${METHODS.join(', ')}`);
    }
    this.expectPunct('(', `after "${method}"`);
    const arg = this.tok;
    let node: MethodNode;
    if (method === 'matches') {
      if (arg.kind !== 'regex' && arg.kind !== 'string') this.fail('a regex r"..." or a string in matches()');
      node = { kind: 'method', method, target, arg: this.parseRegex('search'), column: target.column };
    } else if (method === 'contains') {
      node = { kind: 'method', method, target, arg: this.parseLiteral(`a string or other literal in contains()`).value, column: target.column };
    } else {
      if (arg.kind !== 'string') this.fail(`a string in ${method}()`);
      this.next();
      node = { kind: 'method', method, target, arg: arg.text, column: target.column };
    }
    this.expectPunct(')', `to close ${method}(`);
    return node;
  }

  private parseLiteral(what: string): LiteralNode {
    const before = this.tok;
    if (before.kind === 'name' && !['true', 'false', 'null'].includes(before.text)) this.fail(what);
    const v = this.parseValue(what);
    if (v.kind !== 'literal') this.fail(what, before);
    return v;
  }

  private parseList(): LiteralNode[] {
    this.expectPunct('[', 'after "in"');
    const items: LiteralNode[] = [];
    if (this.is('punct', ']')) { this.next(); return items; }
    for (;;) {
      if (items.length >= MAX_LIST_ITEMS) throw new FilterError(this.tok.column, `more than ${MAX_LIST_ITEMS} items in one list (MAX_LIST_ITEMS)`);
      const before = this.tok;
      const v = this.parseValue('a string, number, true, false or null in the list');
      if (v.kind !== 'literal') throw new FilterError(before.column, 'lists hold only literals (strings, numbers, true, false, null)');
      items.push(v);
      if (this.is('punct', ']')) { this.next(); return items; }
      this.expectPunct(',', 'or "]" in the list');
    }
  }
}

/** Parse a filter. Throws FilterError (with a column) on any problem. */
export function parseFilter(text: string): Expr {
  if (text.length > MAX_FILTER_LENGTH) {
    throw new FilterError(MAX_FILTER_LENGTH + 1, `filter is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH} (MAX_FILTER_LENGTH)`);
  }
  return new Parser(tokenize(text)).parseFilter();
}
