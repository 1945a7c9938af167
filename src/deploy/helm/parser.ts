/**
 * Go text/template parsing for the chart subset: text, pipelines (with
 * `$var :=` / `$var =`), if / else if / else, with / else, range (lists and
 * mappings, `$i, $v :=`), define. `template` and `block` are refused: the
 * chart uses `include`, as Helm recommends.
 */
import { TemplateError } from './errors.js';
import { lex, type Item, type Token } from './lexer.js';

export type Term =
  | { t: 'field'; path: string[] }
  | { t: 'var'; name: string; path: string[] }
  | { t: 'dot' }
  | { t: 'lit'; value: string | number | boolean | null }
  | { t: 'fn'; name: string }
  | { t: 'sub'; pipe: Pipeline; path: string[] };

export interface Command { terms: Term[] }
export interface Pipeline { decl: { vars: string[]; assign: boolean } | null; cmds: Command[]; file: string; line: number }

export type Node =
  | { n: 'text'; text: string }
  | { n: 'action'; pipe: Pipeline }
  | Control<'if'> | Control<'with'> | Control<'range'>;

export interface Control<N extends 'if' | 'with' | 'range'> { n: N; pipe: Pipeline; body: Node[]; orElse: Node[] }

export interface Parsed { root: Node[]; defines: Map<string, Node[]> }

export function parseTemplate(src: string, file: string, defines: Map<string, Node[]> = new Map()): Parsed {
  const p = new Parser(lex(src, file), file, defines);
  const { nodes, stop } = p.list();
  if (stop !== null) throw new TemplateError(file, stop.line, `unexpected {{${stop.word}}}`);
  return { root: nodes, defines };
}

type Stop = { word: 'else' | 'end'; rest: Token[]; line: number } | null;

class Parser {
  private i = 0;
  constructor(private readonly items: Item[], private readonly file: string, private readonly defines: Map<string, Node[]>) {}

  /** Nodes up to an `else` or `end` (returned as `stop`), or the end of input. */
  list(): { nodes: Node[]; stop: Stop } {
    const nodes: Node[] = [];
    while (this.i < this.items.length) {
      const item = this.items[this.i++]!;
      if (item.kind === 'text') { nodes.push({ n: 'text', text: item.text }); continue; }
      const [first, ...rest] = item.tokens;
      const word = first?.t === 'ident' ? first.name : null;
      if (word === 'else' || word === 'end') return { nodes, stop: { word, rest, line: item.line } };
      if (word === 'if' || word === 'with' || word === 'range') nodes.push(this.control(word, rest, item.line));
      else if (word === 'define') this.define(rest, item.line);
      else if (word === 'template' || word === 'block' || word === 'break' || word === 'continue') throw new TemplateError(this.file, item.line, `{{${word}}} is not supported here: use include`);
      else nodes.push({ n: 'action', pipe: this.pipeline(item.tokens, item.line) });
    }
    return { nodes, stop: null };
  }

  private control(word: 'if' | 'with' | 'range', tokens: Token[], line: number): Control<typeof word> {
    const pipe = this.pipeline(tokens, line);
    const { nodes: body, stop } = this.list();
    if (stop === null) throw new TemplateError(this.file, line, `{{${word}}} without {{end}}`);
    let orElse: Node[] = [];
    if (stop.word === 'else') {
      const next = stop.rest[0];
      if (next?.t === 'ident' && (next.name === 'if' || next.name === 'with')) {
        orElse = [this.control(next.name, stop.rest.slice(1), stop.line)]; // shares this block's {{end}}
      } else {
        const tail = this.list();
        if (tail.stop?.word !== 'end') throw new TemplateError(this.file, line, `{{${word}}} … {{else}} without {{end}}`);
        orElse = tail.nodes;
      }
    }
    return { n: word, pipe, body, orElse };
  }

  private define(tokens: Token[], line: number): void {
    const name = tokens[0];
    if (name?.t !== 'string' || tokens.length !== 1) throw new TemplateError(this.file, line, '{{define}} takes one quoted name');
    const { nodes, stop } = this.list();
    if (stop?.word !== 'end') throw new TemplateError(this.file, line, `{{define "${name.value}"}} without {{end}}`);
    this.defines.set(name.value, nodes);
  }

  pipeline(tokens: Token[], line: number): Pipeline {
    let decl: Pipeline['decl'] = null;
    const vars: string[] = [];
    let k = 0;
    while (tokens[k]?.t === 'var' && (tokens[k + 1]?.t === ',' || tokens[k + 1]?.t === ':=' || tokens[k + 1]?.t === '=')) {
      vars.push((tokens[k] as { name: string }).name);
      const sep = tokens[k + 1]!.t;
      k += 2;
      if (sep !== ',') { decl = { vars, assign: sep === '=' }; break; }
    }
    if (decl === null) k = 0;
    const cmds: Command[] = [];
    let terms: Term[] = [];
    while (k < tokens.length) {
      const tok = tokens[k]!;
      if (tok.t === '|') { cmds.push(this.command(terms, line)); terms = []; k++; continue; }
      const [term, next] = this.term(tokens, k, line);
      terms.push(term);
      k = next;
    }
    cmds.push(this.command(terms, line));
    return { decl, cmds, file: this.file, line };
  }

  private command(terms: Term[], line: number): Command {
    if (terms.length === 0) throw new TemplateError(this.file, line, 'empty command');
    return { terms };
  }

  private term(tokens: Token[], k: number, line: number): [Term, number] {
    const tok = tokens[k]!;
    switch (tok.t) {
      case 'field': return [{ t: 'field', path: tok.path }, k + 1];
      case 'var': return [{ t: 'var', name: tok.name, path: tok.path }, k + 1];
      case 'dot': return [{ t: 'dot' }, k + 1];
      case 'string': case 'number': return [{ t: 'lit', value: tok.value }, k + 1];
      case 'ident':
        if (tok.name === 'true' || tok.name === 'false') return [{ t: 'lit', value: tok.name === 'true' }, k + 1];
        if (tok.name === 'nil') return [{ t: 'lit', value: null }, k + 1];
        return [{ t: 'fn', name: tok.name }, k + 1];
      case '(': {
        let depth = 1;
        let j = k + 1;
        for (; j < tokens.length && depth > 0; j++) depth += tokens[j]!.t === '(' ? 1 : tokens[j]!.t === ')' ? -1 : 0;
        if (depth !== 0) throw new TemplateError(this.file, line, 'unclosed (');
        const pipe = this.pipeline(tokens.slice(k + 1, j - 1), line);
        const after = tokens[j];
        if (after?.t === 'field' && after.attached) return [{ t: 'sub', pipe, path: after.path }, j + 1];
        return [{ t: 'sub', pipe, path: [] }, j];
      }
      default: throw new TemplateError(this.file, line, `unexpected "${tok.t}"`);
    }
  }
}
