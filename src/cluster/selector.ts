/**
 * Kubernetes label selectors as kubectl and Kubeshark accept them
 * (k8s.io/apimachinery/pkg/labels): comma-separated requirements, all of
 * which must hold.
 *
 *   a=b  a==b   the label is b            a!=b        absent, or not b
 *   a in (x,y)  the label is x or y       a notin (x,y) absent, or neither
 *   a           the label exists          !a          the label is absent
 *   a>3  a<3    the label is an integer greater / less than 3
 *
 * Keys and values are validated as Kubernetes validates them; a
 * `RuleError` gives the 1-based column of the problem.
 */
import { RuleError } from './model.js';

export type SelectorOp = 'eq' | 'neq' | 'in' | 'notin' | 'exists' | 'notexists' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  op: SelectorOp;
  /** One value for eq/neq/gt/lt, the set for in/notin, none for exists/notexists. */
  values: string[];
  /** 1-based column of the key in the selector text. */
  column: number;
}

/** All requirements must hold; empty matches every pod. */
export type Selector = readonly Requirement[];

/** Longest selector text accepted. */
export const MAX_SELECTOR_CHARS = 4096;
const MAX_NAME = 63;
const MAX_PREFIX = 253;
const NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

type TokKind = 'id' | 'eq' | 'deq' | 'neq' | 'not' | 'gt' | 'lt' | 'lparen' | 'rparen' | 'comma' | 'end';
interface Token { kind: TokKind; text: string; column: number }

const SYMBOLS: [string, TokKind][] = [
  ['==', 'deq'], ['!=', 'neq'], ['=', 'eq'], ['!', 'not'], ['>', 'gt'], ['<', 'lt'], ['(', 'lparen'], [')', 'rparen'], [',', 'comma'],
];

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  outer: while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    for (const [sym, kind] of SYMBOLS) {
      if (text.startsWith(sym, i)) { out.push({ kind, text: sym, column: i + 1 }); i += sym.length; continue outer; }
    }
    const start = i;
    while (i < text.length && !/[\s!=<>(),]/.test(text[i])) i++;
    out.push({ kind: 'id', text: text.slice(start, i), column: start + 1 });
  }
  out.push({ kind: 'end', text: 'end of selector', column: text.length + 1 });
  return out;
}

/** Parses selector text; '' (or only spaces) is the empty selector, matching everything. */
export function parseSelector(text: string): Selector {
  const err = (column: number, problem: string): never => {
    throw new RuleError(`selector ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}, column ${column}: ${problem}`);
  };
  if (text.length > MAX_SELECTOR_CHARS) err(MAX_SELECTOR_CHARS + 1, `longer than ${MAX_SELECTOR_CHARS} characters (MAX_SELECTOR_CHARS); shorten it`);
  const toks = tokenize(text);
  let p = 0;
  const peek = () => toks[p];
  const next = () => toks[p++];
  const what = (t: Token) => (t.kind === 'end' ? 'the end of the selector' : `'${t.text}'`);
  const reqs: Requirement[] = [];
  if (peek().kind === 'end') return reqs;
  for (;;) {
    let t = next();
    let negated = false;
    if (t.kind === 'not') { negated = true; t = next(); }
    if (t.kind !== 'id') err(t.column, `found ${what(t)}, expected a label key`);
    checkKey(t.text, t.column, err);
    const key = t.text;
    const column = negated ? t.column - 1 : t.column;
    const op = peek();
    if (negated || op.kind === 'comma' || op.kind === 'end') {
      if (negated && op.kind !== 'comma' && op.kind !== 'end') err(op.column, `found ${what(op)} after '!${key}', expected ',' or the end ('!key' takes no value)`);
      reqs.push({ key, op: negated ? 'notexists' : 'exists', values: [], column });
    } else if (op.kind === 'eq' || op.kind === 'deq' || op.kind === 'neq' || op.kind === 'gt' || op.kind === 'lt') {
      next();
      const v = peek();
      let value = '';
      if (v.kind === 'id') { next(); value = v.text; } else if (v.kind !== 'comma' && v.kind !== 'end') err(v.column, `found ${what(v)}, expected a label value after '${op.text}'`);
      if (op.kind === 'gt' || op.kind === 'lt') {
        if (!/^-?\d{1,18}$/.test(value)) err(v.column, `'${op.text}' needs an integer value, found ${what(v)}`);
      } else checkValue(value, v.column, err);
      const kind: SelectorOp = op.kind === 'neq' ? 'neq' : op.kind === 'gt' ? 'gt' : op.kind === 'lt' ? 'lt' : 'eq';
      reqs.push({ key, op: kind, values: [value], column });
    } else if (op.kind === 'id' && (op.text === 'in' || op.text === 'notin')) {
      next();
      const open = next();
      if (open.kind !== 'lparen') err(open.column, `found ${what(open)}, expected '(' after '${op.text}'`);
      const values: string[] = [];
      for (;;) {
        const v = peek();
        if (v.kind === 'id') { next(); checkValue(v.text, v.column, err); values.push(v.text); }
        else if (v.kind === 'comma' || v.kind === 'rparen') values.push(''); // `(a,)` holds '' as in Kubernetes
        else err(v.column, `found ${what(v)}, expected a value or ')'`);
        const sep = next();
        if (sep.kind === 'rparen') break;
        if (sep.kind !== 'comma') err(sep.column, `found ${what(sep)}, expected ',' or ')'`);
      }
      if (values.length === 1 && values[0] === '' && toks[p - 2].kind === 'lparen') err(open.column, `'${op.text} ()' has no values; list at least one`);
      reqs.push({ key, op: op.text === 'in' ? 'in' : 'notin', values: [...new Set(values)], column });
    } else {
      err(op.column, `found ${what(op)} after key '${key}', expected '=', '==', '!=', 'in', 'notin', ',' or the end`);
    }
    const sep = next();
    if (sep.kind === 'end') return reqs;
    if (sep.kind !== 'comma') err(sep.column, `found ${what(sep)}, expected ',' between requirements`);
  }
}

type Fail = (column: number, problem: string) => never;

/** A qualified name: `[prefix/]name`, prefix a DNS subdomain (≤ 253), name ≤ 63 of [A-Za-z0-9-_.], alphanumeric at both ends. */
function checkKey(key: string, column: number, err: Fail): void {
  const slash = key.indexOf('/');
  let name = key;
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    name = key.slice(slash + 1);
    if (prefix === '') err(column, `label key '${key}' has an empty prefix before '/'`);
    if (prefix.length > MAX_PREFIX) err(column, `label key prefix is ${prefix.length} characters, at most ${MAX_PREFIX} allowed`);
    const bad = prefix.split('.').findIndex((l) => !DNS_LABEL_RE.test(l) || l.length > MAX_NAME);
    if (bad >= 0) err(column, `label key prefix '${prefix}' is not a DNS subdomain (lower-case letters, digits, '-' and '.')`);
    if (name.includes('/')) err(column + slash + 1 + name.indexOf('/'), `label key '${key}' has more than one '/'`);
  }
  const nameCol = column + (slash >= 0 ? slash + 1 : 0);
  if (name === '') err(nameCol, `label key '${key}' has an empty name`);
  if (name.length > MAX_NAME) err(nameCol, `label key name is ${name.length} characters, at most ${MAX_NAME} allowed`);
  if (!NAME_RE.test(name)) err(nameCol + badCharIndex(name), `label key name '${name}' must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
}

/** A label value: empty, or ≤ 63 of [A-Za-z0-9-_.] with alphanumeric ends. */
function checkValue(value: string, column: number, err: Fail): void {
  if (value === '') return;
  if (value.length > MAX_NAME) err(column, `label value is ${value.length} characters, at most ${MAX_NAME} allowed`);
  if (!NAME_RE.test(value)) err(column + badCharIndex(value), `label value '${value}' must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit`);
}

/** Index of the first character that makes `s` an invalid name. */
function badCharIndex(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const alnum = /[A-Za-z0-9]/.test(c);
    if (!alnum && !/[-_.]/.test(c)) return i;
    if (!alnum && (i === 0 || i === s.length - 1)) return i;
  }
  return 0;
}

/** Whether `labels` satisfy every requirement. */
export function matchesSelector(selector: Selector, labels: Record<string, string>): boolean {
  for (const r of selector) {
    const has = Object.hasOwn(labels, r.key);
    const v = has ? labels[r.key] : undefined;
    switch (r.op) {
      case 'exists': if (!has) return false; break;
      case 'notexists': if (has) return false; break;
      case 'eq': if (v !== r.values[0]) return false; break;
      case 'neq': if (v === r.values[0]) return false; break;
      case 'in': if (v === undefined || !r.values.includes(v)) return false; break;
      case 'notin': if (v !== undefined && r.values.includes(v)) return false; break;
      case 'gt': case 'lt': {
        if (v === undefined || !/^-?\d{1,18}$/.test(v)) return false;
        const n = Number(v), bound = Number(r.values[0]);
        if (r.op === 'gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}

/** Selector text in kubectl's form (`a=b,c in (x,y),!d`). */
export function formatSelector(selector: Selector): string {
  return selector.map((r) => {
    switch (r.op) {
      case 'exists': return r.key;
      case 'notexists': return `!${r.key}`;
      case 'eq': return `${r.key}=${r.values[0]}`;
      case 'neq': return `${r.key}!=${r.values[0]}`;
      case 'gt': return `${r.key}>${r.values[0]}`;
      case 'lt': return `${r.key}<${r.values[0]}`;
      default: return `${r.key} ${r.op} (${r.values.join(',')})`;
    }
  }).join(',');
}
