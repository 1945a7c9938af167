/**
 * The typed syntax tree of a filter, made by `parseFilter()` and read by both
 * compilers (`compilePredicate`, `compileSql`). Every node carries the 1-based
 * `column` where it starts in the filter text.
 *
 * Two kinds of node: a condition (`Expr`, true or false for an entry) and a
 * value (`Operand`, what a field, literal or small arithmetic gives). The
 * parser only builds trees where each place holds the right kind, so the
 * compilers never meet a value where a condition belongs.
 */

/** One step of a field path: `.name` or `["quoted key"]`, or `[N]`. */
export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number };

/** A field of the entry, e.g. `request.headers["user-agent"]`. Header and trailer keys are already lower-cased. */
export interface FieldNode { kind: 'field'; path: PathSegment[]; column: number }

export type LiteralValue = string | number | boolean | null;
export interface LiteralNode { kind: 'literal'; value: LiteralValue; column: number }

/** `now()`: the `now` given to the compiler, ms since the epoch. */
export interface NowNode { kind: 'now'; column: number }

export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days';
/** `minutes(5)` and friends: a constant number of milliseconds. */
export interface DurationNode { kind: 'duration'; unit: DurationUnit; amount: number; column: number }

/** `a + b`, `a - b`: numbers only; anything else gives no value (comparisons with it are false). */
export interface ArithNode { kind: 'arith'; op: '+' | '-'; left: Operand; right: Operand; column: number }

export type Operand = FieldNode | LiteralNode | NowNode | DurationNode | ArithNode;

/** `r"..."`: a regex source, checked at parse time to run on the linear-time engine. */
export interface RegexNode { kind: 'regex'; source: string; column: number }

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** `left op right`; a regex on the right (only with `==`/`!=`) is a whole-string match. */
export interface CompareNode { kind: 'compare'; op: CompareOp; left: Operand; right: Operand | RegexNode; column: number }

/** `value in [a, b, c]`: the same as `value == a or value == b or value == c`. */
export interface InNode { kind: 'in'; value: Operand; list: LiteralNode[]; column: number }

export type MethodName = 'startsWith' | 'endsWith' | 'contains' | 'matches';

/**
 * `target.method(arg)`. `startsWith`/`endsWith` take a string; `contains`
 * takes a string (substring of a string) or any literal (element of an
 * array); `matches` takes a regex (a string argument is turned into one) and
 * searches anywhere in the string.
 */
export type MethodNode =
  | { kind: 'method'; method: 'startsWith' | 'endsWith'; target: Operand; arg: string; column: number }
  | { kind: 'method'; method: 'contains'; target: Operand; arg: LiteralValue; column: number }
  | { kind: 'method'; method: 'matches'; target: Operand; arg: RegexNode; column: number };

/** A protocol macro such as `http` or `dns` (see macros.ts). */
export interface MacroNode { kind: 'macro'; name: string; column: number }

/** A value standing alone as a condition: present and truthy. */
export interface TruthyNode { kind: 'truthy'; value: Operand; column: number }

export interface NotNode { kind: 'not'; operand: Expr; column: number }

/** `and`/`or` with two or more operands (a chain is kept flat, not nested). */
export interface LogicalNode { kind: 'and' | 'or'; operands: Expr[]; column: number }

export type Expr = CompareNode | InNode | MethodNode | MacroNode | TruthyNode | NotNode | LogicalNode;
