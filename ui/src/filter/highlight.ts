/**
 * Filter text to coloured spans for the filter bar. Unlike the language's
 * lexer this never throws: it must colour half-typed text (an open string,
 * a stray character) as the user types; the parser says what is wrong.
 */
import { isRootField } from '../../../src/query/fields.js';
import { MACROS } from '../../../src/query/macros.js';

export type SpanKind = 'field' | 'macro' | 'keyword' | 'function' | 'string' | 'number' | 'regex' | 'op' | 'punct' | 'space' | 'unknown';

export interface Span { kind: SpanKind; from: number; to: number }

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);
const FUNCTIONS = new Set(['now', 'seconds', 'minutes', 'hours', 'days', 'startsWith', 'endsWith', 'contains', 'matches']);
const OPS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '+', '-'];

/** End of a quoted literal starting at `i` (the quote), honouring backslashes; the text's end when unclosed. */
function quotedEnd(s: string, i: number): number {
  const q = s[i];
  let j = i + 1;
  while (j < s.length && s[j] !== q) j += s[j] === '\\' ? 2 : 1;
  return Math.min(s.length, j + 1);
}

export function highlight(s: string): Span[] {
  const out: Span[] = [];
  let i = 0;
  let afterDot = false;
  while (i < s.length) {
    const c = s[i]!;
    let kind: SpanKind;
    let j = i + 1;
    if (/\s/.test(c)) {
      while (j < s.length && /\s/.test(s[j]!)) j++;
      kind = 'space';
    } else if (c === 'r' && (s[i + 1] === '"' || s[i + 1] === "'")) {
      j = quotedEnd(s, i + 1);
      kind = 'regex';
    } else if (c === '"' || c === "'") {
      j = quotedEnd(s, i);
      kind = 'string';
    } else if (c >= '0' && c <= '9') {
      const m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(i))!;
      j = i + m[0].length;
      kind = 'number';
    } else if (/[A-Za-z_]/.test(c)) {
      while (j < s.length && /[A-Za-z0-9_]/.test(s[j]!)) j++;
      const word = s.slice(i, j);
      const next = s.slice(j).trimStart()[0];
      if (afterDot) kind = next === '(' && FUNCTIONS.has(word) ? 'function' : 'field';
      else if (KEYWORDS.has(word)) kind = 'keyword';
      else if (next === '(' && FUNCTIONS.has(word)) kind = 'function';
      else if (Object.hasOwn(MACROS, word) && next !== '.' && next !== '[') kind = 'macro';
      else kind = isRootField(word) ? 'field' : 'unknown';
    } else {
      const op = OPS.find((o) => s.startsWith(o, i));
      if (op !== undefined) { j = i + op.length; kind = 'op'; } else kind = '.,()[]'.includes(c) ? 'punct' : 'unknown';
    }
    if (kind !== 'space') afterDot = c === '.';
    out.push({ kind, from: i, to: j });
    i = j;
  }
  return out;
}
