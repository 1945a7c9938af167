/**
 * A syntax tree back to filter text, in the canonical spelling (`and`, `or`,
 * `!`, double quotes). `parseFilter(formatFilter(ast))` gives the same tree
 * apart from columns; the property test relies on it.
 */
import type { Expr, LiteralValue, Operand, RegexNode } from './ast.js';
import { dottedName } from './fields.js';

function literal(v: LiteralValue): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Raw regex text: r"..." unless the source has a bare double quote, then r'...'. */
function regex(r: RegexNode): string {
  const bare = (q: string): boolean => new RegExp(`(^|[^\\\\])(\\\\\\\\)*${q}`).test(r.source);
  if (!bare('"')) return `r"${r.source}"`;
  if (!bare("'")) return `r'${r.source}'`;
  throw new Error(`regex source cannot be written as a literal: ${r.source}`);
}

export function formatOperand(o: Operand): string {
  switch (o.kind) {
    case 'literal': return literal(o.value);
    case 'field': return dottedName(o.path);
    case 'now': return 'now()';
    case 'duration': return `${o.unit}(${o.amount})`;
    case 'arith': return `${formatOperand(o.left)} ${o.op} ${formatOperand(o.right)}`;
  }
}

function grouped(x: Expr): string {
  const text = formatFilter(x);
  // Nested and/or always get parentheses, so the parsed tree has the same shape.
  return x.kind === 'and' || x.kind === 'or' ? `(${text})` : text;
}

export function formatFilter(x: Expr): string {
  switch (x.kind) {
    case 'and': return x.operands.map((p) => grouped(p)).join(' and ');
    case 'or': return x.operands.map((p) => grouped(p)).join(' or ');
    case 'not': return `!(${formatFilter(x.operand)})`;
    case 'macro': return x.name;
    case 'truthy': return formatOperand(x.value);
    case 'in': return `${formatOperand(x.value)} in [${x.list.map((l) => literal(l.value)).join(', ')}]`;
    case 'compare': return `${formatOperand(x.left)} ${x.op} ${x.right.kind === 'regex' ? regex(x.right) : formatOperand(x.right)}`;
    case 'method': {
      const arg = x.method === 'matches' ? regex(x.arg) : literal(x.arg);
      return `${formatOperand(x.target)}.${x.method}(${arg})`;
    }
  }
}
