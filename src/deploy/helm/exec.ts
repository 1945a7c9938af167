/**
 * Executing a parsed template with Go's rules: truth (false, 0, nil, "" and
 * empty lists and mappings are false), variable scopes that end with their
 * block, `$` for the top-level data, `and`/`or` that stop at the first
 * deciding argument, and a missing mapping key that is nil (Helm's
 * missingkey=zero; printed as ""), while a field of nil is an error.
 */
import { TemplateError } from './errors.js';
import { type Func, FUNCTIONS } from './functions.js';
import type { Command, Control, Node, Pipeline, Term } from './parser.js';
import { goPrint, isMap, truth, type Value } from './value.js';

export interface ExecContext {
  defines: Map<string, Node[]>;
  funcs: Readonly<Record<string, Func>>;
}

type Scopes = Array<Map<string, Value>>;

/** Renders `nodes` with `.` and `$` bound to `data`. */
export function execute(nodes: Node[], data: Value, ctx: ExecContext): string {
  const out: string[] = [];
  run(nodes, data, [new Map([['$', data]])], ctx, out);
  return out.join('');
}

function run(nodes: Node[], dot: Value, scopes: Scopes, ctx: ExecContext, out: string[]): void {
  for (const node of nodes) {
    switch (node.n) {
      case 'text': out.push(node.text); break;
      case 'action': {
        const v = pipeline(node.pipe, dot, scopes, ctx);
        if (node.pipe.decl === null) out.push(goPrint(v, node.pipe.file, node.pipe.line));
        break;
      }
      case 'if': case 'with': {
        const inner: Scopes = [...scopes, new Map()];
        const v = pipeline(node.pipe, dot, inner, ctx);
        if (truth(v)) run(node.body, node.n === 'with' ? v : dot, inner, ctx, out);
        else run(node.orElse, dot, [...scopes, new Map()], ctx, out);
        break;
      }
      case 'range': range(node, dot, scopes, ctx, out); break;
    }
  }
}

function range(node: Control<'range'>, dot: Value, scopes: Scopes, ctx: ExecContext, out: string[]): void {
  const decl = node.pipe.decl;
  const v = pipeline({ ...node.pipe, decl: null }, dot, scopes, ctx);
  const entries: Array<[Value, Value]> = Array.isArray(v) ? v.map((x, i) => [i, x])
    : isMap(v) ? Object.keys(v).sort().map((k) => [k, v[k]!])
    : v === null ? [] : fail(node.pipe, `range can't iterate over ${goPrint(v, node.pipe.file, node.pipe.line)}`);
  if (entries.length === 0) { run(node.orElse, dot, [...scopes, new Map()], ctx, out); return; }
  for (const [k, x] of entries) {
    const scope = new Map<string, Value>();
    if (decl !== null && decl.vars.length === 1) scope.set(decl.vars[0]!, x);
    if (decl !== null && decl.vars.length === 2) { scope.set(decl.vars[0]!, k); scope.set(decl.vars[1]!, x); }
    run(node.body, x, [...scopes, scope], ctx, out);
  }
}

function fail(p: Pipeline, message: string): never {
  throw new TemplateError(p.file, p.line, message);
}

export function pipeline(p: Pipeline, dot: Value, scopes: Scopes, ctx: ExecContext): Value {
  let v: Value | undefined;
  for (const cmd of p.cmds) v = command(cmd, dot, scopes, ctx, p, v);
  if (p.decl !== null) {
    const name = p.decl.vars[p.decl.vars.length - 1]!;
    if (p.decl.assign) {
      const scope = [...scopes].reverse().find((s) => s.has(name));
      if (scope === undefined) fail(p, `undefined variable: ${name}`);
      scope.set(name, v!);
    } else {
      scopes[scopes.length - 1]!.set(name, v!);
    }
  }
  return v!;
}

function command(cmd: Command, dot: Value, scopes: Scopes, ctx: ExecContext, p: Pipeline, piped: Value | undefined): Value {
  const [head, ...rest] = cmd.terms;
  if (head!.t !== 'fn') {
    if (rest.length > 0 || piped !== undefined) fail(p, 'only a function can take arguments');
    return term(head!, dot, scopes, ctx, p);
  }
  const args = () => [...rest.map((t) => term(t, dot, scopes, ctx, p)), ...(piped === undefined ? [] : [piped])];
  if (head.name === 'and' || head.name === 'or') {
    // Go evaluates arguments only until one decides the result, and returns that argument.
    const all = [...rest.map((t) => () => term(t, dot, scopes, ctx, p)), ...(piped === undefined ? [] : [() => piped])];
    let last: Value = null;
    for (const get of all) {
      last = get();
      if (truth(last) !== (head.name === 'and')) return last;
    }
    return last;
  }
  const fn = ctx.funcs[head.name] ?? FUNCTIONS[head.name];
  if (fn === undefined) fail(p, `function "${head.name}" is not in this renderer's Helm subset (add it to functions.ts with Helm's semantics)`);
  try {
    return fn(args(), { include: (name, data) => include(name, data, ctx, p) });
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    return fail(p, `${head.name}: ${(e as Error).message}`);
  }
}

function include(name: string, data: Value, ctx: ExecContext, p: Pipeline): string {
  const body = ctx.defines.get(name);
  if (body === undefined) fail(p, `no template "${name}"`);
  return execute(body, data, ctx);
}

function term(t: Term, dot: Value, scopes: Scopes, ctx: ExecContext, p: Pipeline): Value {
  switch (t.t) {
    case 'lit': return t.value;
    case 'dot': return dot;
    case 'field': return fields(dot, t.path, p);
    case 'var': {
      const scope = [...scopes].reverse().find((s) => s.has(t.name));
      if (scope === undefined) fail(p, `undefined variable: ${t.name}`);
      return fields(scope.get(t.name)!, t.path, p);
    }
    case 'fn': return command({ terms: [t] }, dot, scopes, ctx, p, undefined);
    case 'sub': return fields(pipeline(t.pipe, dot, scopes, ctx), t.path, p);
  }
}

function fields(v: Value, path: string[], p: Pipeline): Value {
  let cur = v;
  for (const name of path) {
    if (cur === null) fail(p, `nil pointer evaluating interface {}.${name}`);
    if (!isMap(cur)) fail(p, `can't evaluate field ${name} in type ${Array.isArray(cur) ? 'list' : typeof cur}`);
    cur = Object.hasOwn(cur, name) ? cur[name]! : null;
  }
  return cur;
}
