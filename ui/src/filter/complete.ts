/**
 * Autocompletion for the filter bar: what is being typed at the cursor (a
 * field path, or a value compared with a field) and how a choice is put
 * into the text. Pure, so it is tested without a browser.
 */
import { ROOT_FIELDS } from '../../../src/query/fields.js';
import { MACROS } from '../../../src/query/macros.js';

export type CompletionContext =
  | { kind: 'field'; prefix: string; from: number; to: number }
  | { kind: 'value'; field: string; prefix: string; from: number; to: number; quoted: boolean }
  | { kind: 'none' };

/** Paths a user filters on most, offered before the server's list arrives (and merged with it). */
export const COMMON_FIELDS: readonly string[] = [
  'protocol', 'elapsedTime', 'timestamp', 'flags', 'connectionId',
  ...['src', 'dst'].flatMap((s) => ['ip', 'port', 'name', 'namespace', 'pod', 'service', 'node'].map((k) => `${s}.${k}`)),
  'request.method', 'request.path', 'request.host', 'request.headers', 'request.body', 'request.command', 'request.key', 'request.query',
  'response.status', 'response.headers', 'response.body', 'response.type', 'response.error', 'response.rcodeName',
  'request.questions[0].name', 'request.questions[0].type',
];

export const KEYWORD_COMPLETIONS: readonly string[] = ['and', 'or', 'not', 'in'];
export const MACRO_COMPLETIONS: readonly string[] = Object.keys(MACROS);

const PATH_CHARS = /[A-Za-z0-9_.[\]]/;
const COMPARE = /(==|!=|<=|>=|<|>)\s*$/;

export function completionContext(text: string, cursor: number): CompletionContext {
  const before = text.slice(0, cursor);
  // A value: `<path> <op> ` then an optional half-typed literal.
  const open = /(["'])((?:[^"'\\]|\\.)*)$/.exec(before);
  const valueStart = open !== null ? open.index : cursor - (/[A-Za-z0-9_.-]*$/.exec(before)?.[0].length ?? 0);
  const head = before.slice(0, valueStart);
  const op = COMPARE.exec(head);
  if (op !== null) {
    const path = /([A-Za-z_][A-Za-z0-9_.[\]"'-]*)\s*$/.exec(head.slice(0, op.index));
    if (path !== null && !/^r$/.test(path[1]!)) {
      let to = cursor;
      if (open !== null) { while (to < text.length && text[to] !== open[1]) to++; if (to < text.length) to++; }
      return { kind: 'value', field: path[1]!, prefix: open !== null ? open[2]! : before.slice(valueStart), from: valueStart, to, quoted: open !== null };
    }
  }
  if (open !== null) return { kind: 'none' };
  // A path being typed.
  let from = cursor;
  while (from > 0 && PATH_CHARS.test(text[from - 1]!)) from--;
  let to = cursor;
  while (to < text.length && PATH_CHARS.test(text[to]!)) to++;
  const prev = text[from - 1];
  if (from > 0 && prev !== undefined && !/[\s(!|&]/.test(prev)) return { kind: 'none' };
  return { kind: 'field', prefix: text.slice(from, cursor), from, to };
}

/** Field, macro and keyword suggestions for a prefix, best first. */
export function fieldSuggestions(prefix: string, fields: readonly string[], limit = 12): string[] {
  const p = prefix.toLowerCase();
  const pool = [...new Set([...fields, ...COMMON_FIELDS, ...ROOT_FIELDS, ...MACRO_COMPLETIONS, ...KEYWORD_COMPLETIONS])];
  const starts = pool.filter((f) => f.toLowerCase().startsWith(p) && f !== prefix);
  const inside = p === '' ? [] : pool.filter((f) => !f.toLowerCase().startsWith(p) && f.toLowerCase().includes(p));
  return [...starts.sort((a, b) => a.length - b.length || a.localeCompare(b)), ...inside].slice(0, limit);
}

/** A value as the filter language writes it: numbers bare, everything else a JSON string. */
export function valueLiteral(v: string | number): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

/** Put a choice into the text; returns the new text and where the cursor goes. */
export function applyCompletion(text: string, ctx: CompletionContext, choice: string): { text: string; cursor: number } {
  if (ctx.kind === 'none') return { text, cursor: text.length };
  const tail = text.slice(ctx.to);
  const sep = ctx.kind === 'value' && tail !== '' && !/^\s/.test(tail) ? ' ' : '';
  const next = text.slice(0, ctx.from) + choice + sep + tail;
  return { text: next, cursor: ctx.from + choice.length };
}

/** The filter that adds `field == value` to an existing one (clicking a value in an entry). */
export function addCondition(current: string, field: string, value: string | number | boolean | null): string {
  const lit = typeof value === 'string' ? JSON.stringify(value) : String(value);
  const cond = `${field} == ${lit}`;
  const t = current.trim();
  if (t === '') return cond;
  return /\bor\b|\|\|/.test(t) ? `(${t}) and ${cond}` : `${t} and ${cond}`;
}
