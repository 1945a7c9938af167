/**
 * Go text/template lexing, for the subset of Helm templates podtap's chart
 * uses (see README.md beside this file). The template splits into text and
 * actions; `{{- ` trims the whitespace before an action and ` -}}` the
 * whitespace after it, exactly as Go does (spaces, tabs and newlines).
 * Comments `{{/* … *\/}}` vanish, with their trim markers honoured.
 */
import { TemplateError } from './errors.js';

export type Token =
  | { t: 'field'; path: string[]; attached: boolean }
  | { t: 'var'; name: string; path: string[] }
  | { t: 'dot' }
  | { t: 'ident'; name: string }
  | { t: 'string'; value: string }
  | { t: 'number'; value: number }
  | { t: '(' | ')' | '|' | ',' | ':=' | '=' };

export type Item = { kind: 'text'; text: string } | { kind: 'action'; tokens: Token[]; line: number };

const SPACE = /[ \t\r\n]/;
const IDENT = /[A-Za-z0-9_]/;

export function lex(src: string, file: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let trimNext = false;
  const lineAt = (i: number) => src.slice(0, i).split('\n').length;
  const pushText = (text: string) => {
    const t = trimNext ? text.replace(/^[ \t\r\n]+/, '') : text;
    if (t !== '') items.push({ kind: 'text', text: t });
  };
  for (;;) {
    const open = src.indexOf('{{', pos);
    if (open < 0) { pushText(src.slice(pos)); break; }
    const leftTrim = src[open + 2] === '-' && SPACE.test(src[open + 3] ?? '');
    let text = src.slice(pos, open);
    if (leftTrim) text = text.replace(/[ \t\r\n]+$/, '');
    pushText(text);
    let i = open + (leftTrim ? 3 : 2);
    const line = lineAt(open);
    if (src.startsWith('/*', leftTrim ? i + 1 : i)) {
      const end = src.indexOf('*/', i);
      if (end < 0) throw new TemplateError(file, line, 'unclosed comment');
      const close = /^[ \t\r\n]*(-?)[ \t\r\n]*\}\}/.exec(src.slice(end + 2));
      if (close === null) throw new TemplateError(file, line, 'comment must end with */}}');
      trimNext = close[1] === '-';
      pos = end + 2 + close[0].length;
      continue;
    }
    const tokens: Token[] = [];
    for (;;) {
      const c = src[i];
      if (c === undefined) throw new TemplateError(file, line, 'unclosed action');
      if (SPACE.test(c)) {
        if (src[i + 1] === '-' && src.startsWith('}}', i + 2)) { trimNext = true; pos = i + 4; break; }
        i++;
        continue;
      }
      if (src.startsWith('}}', i)) { trimNext = false; pos = i + 2; break; }
      i = lexToken(src, i, tokens, file, line);
    }
    items.push({ kind: 'action', tokens, line });
  }
  return items;
}

/** One token at `i`; returns the index after it. */
function lexToken(src: string, i: number, out: Token[], file: string, line: number): number {
  const c = src[i]!;
  // `(…).Field`: a field right after a closing parenthesis applies to its value.
  const attached = src[i - 1] === ')';
  if (c === '.' && IDENT.test(src[i + 1] ?? '')) {
    const { path, end } = chain(src, i);
    out.push({ t: 'field', path, attached });
    return end;
  }
  if (c === '.') { out.push({ t: 'dot' }); return i + 1; }
  if (c === '$') {
    let j = i + 1;
    while (IDENT.test(src[j] ?? '')) j++;
    const name = src.slice(i, j);
    const { path, end } = src[j] === '.' && IDENT.test(src[j + 1] ?? '') ? chain(src, j) : { path: [], end: j };
    out.push({ t: 'var', name, path });
    return end;
  }
  if (c === '"') {
    let j = i + 1;
    while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
    if (j >= src.length) throw new TemplateError(file, line, 'unclosed string');
    out.push({ t: 'string', value: JSON.parse(src.slice(i, j + 1)) as string });
    return j + 1;
  }
  if (c === '`') {
    const j = src.indexOf('`', i + 1);
    if (j < 0) throw new TemplateError(file, line, 'unclosed raw string');
    out.push({ t: 'string', value: src.slice(i + 1, j) });
    return j + 1;
  }
  const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i, i + 40));
  if (num !== null && (c !== '-' || /\d/.test(src[i + 1] ?? ''))) { out.push({ t: 'number', value: Number(num[0]) }); return i + num[0].length; }
  if (src.startsWith(':=', i)) { out.push({ t: ':=' }); return i + 2; }
  if ('()|,='.includes(c)) { out.push({ t: c as '(' | ')' | '|' | ',' | '=' }); return i + 1; }
  if (IDENT.test(c)) {
    let j = i;
    while (IDENT.test(src[j] ?? '')) j++;
    out.push({ t: 'ident', name: src.slice(i, j) });
    return j;
  }
  throw new TemplateError(file, line, `unexpected "${c}" in action`);
}

/** `.A.B.C` starting at a dot → ["A", "B", "C"]. */
function chain(src: string, i: number): { path: string[]; end: number } {
  const path: string[] = [];
  let j = i;
  while (src[j] === '.' && IDENT.test(src[j + 1] ?? '')) {
    let k = j + 1;
    while (IDENT.test(src[k] ?? '')) k++;
    path.push(src.slice(j + 1, k));
    j = k;
  }
  return { path, end: j };
}
