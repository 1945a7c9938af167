/**
 * Filter text to tokens. Columns are 1-based; the end-of-input token sits one
 * past the last character. Strings take JSON escapes in "double" or 'single'
 * quotes; regex literals `r"..."` are raw: a backslash keeps the next
 * character as it is (so `\"` does not end the literal and `\.` reaches the
 * regex engine unchanged).
 */
import { FilterError } from './errors.js';

export type TokenKind = 'name' | 'number' | 'string' | 'regex' | 'punct' | 'end';

export interface Token {
  kind: TokenKind;
  /** The name, the punctuation, the decoded string or regex source, the number's text. */
  text: string;
  /** Numbers only. */
  value?: number;
  column: number;
}

/** Longest first, so `==` is not read as `=` `=`. */
const PUNCTUATION = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', ',', '.', '+', '-'];
const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** A UTF-16 surrogate without its pair: SQLite would store it as U+FFFD, so the two compilers could disagree. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const isNameStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isNamePart = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** How a token is named in "found ..." messages. */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'end': return 'end of input';
    case 'string': return `string ${JSON.stringify(t.text)}`;
    case 'regex': return `regex r"${t.text}"`;
    case 'number': return `number ${t.text}`;
    default: return `"${t.text}"`;
  }
}

/** A quoted string or raw regex whose quote is at `start`; `column` is where the literal begins (the `r` of a regex). */
function readQuoted(src: string, start: number, raw: boolean, column: number): { text: string; end: number } {
  const quote = src[start];
  let out = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === quote) {
      if (LONE_SURROGATE.test(out)) throw new FilterError(column, 'a string holds half of a surrogate pair (not valid Unicode)');
      return { text: out, end: i + 1 };
    }
    if (c !== '\\') { out += c; i++; continue; }
    const n = src[i + 1];
    if (n === undefined) break;
    if (raw) { out += c + n; i += 2; continue; }
    if (n === 'u') {
      const hex = src.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new FilterError(i + 1, `expected four hex digits after "\\u", found "${hex}"`);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 6;
      continue;
    }
    const e = ESCAPES[n];
    if (e === undefined) throw new FilterError(i + 1, `unknown escape "\\${n}" in a string (use r"..." for regex sources)`);
    out += e;
    i += 2;
  }
  throw new FilterError(column, `expected a closing ${quote} for the ${raw ? 'regex' : 'string'} that starts here, found end of input`);
}

function readNumber(src: string, start: number): Token {
  const m = /^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(src.slice(start));
  const text = m![0];
  const next = src[start + text.length];
  if (next !== undefined && (isNamePart(next) || next === '.')) {
    throw new FilterError(start + 1, `expected a number, found "${text}${next}"`);
  }
  const value = Number(text);
  if (!Number.isFinite(value)) throw new FilterError(start + 1, `number ${text} is out of range`);
  return { kind: 'number', text, value, column: start + 1 };
}

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue; }
    if ((c === 'r' || c === 'R') && (src[i + 1] === '"' || src[i + 1] === "'")) {
      const q = readQuoted(src, i + 1, true, i + 1);
      out.push({ kind: 'regex', text: q.text, column: i + 1 });
      i = q.end;
    } else if (isNameStart(c)) {
      let j = i + 1;
      while (j < src.length && isNamePart(src[j])) j++;
      out.push({ kind: 'name', text: src.slice(i, j), column: i + 1 });
      i = j;
    } else if (isDigit(c)) {
      const t = readNumber(src, i);
      out.push(t);
      i += t.text.length;
    } else if (c === '"' || c === "'") {
      const q = readQuoted(src, i, false, i + 1);
      out.push({ kind: 'string', text: q.text, column: i + 1 });
      i = q.end;
    } else {
      const p = PUNCTUATION.find((s) => src.startsWith(s, i));
      if (p === undefined) {
        const hint = c === '=' ? ' (use "==" to compare)' : c === '&' || c === '|' ? ` (use "${c}${c}" or "${c === '&' ? 'and' : 'or'}")` : '';
        throw new FilterError(i + 1, `unexpected character ${JSON.stringify(c)}${hint}`);
      }
      out.push({ kind: 'punct', text: p, column: i + 1 });
      i += p.length;
    }
  }
  out.push({ kind: 'end', text: '', column: src.length + 1 });
  return out;
}
