/**
 * Random filters for the property test: syntax trees over fields the
 * fixture has (and some it lacks), literals of every kind, regexes, methods,
 * lists, arithmetic and nesting. Seeded, so a failure replays.
 */
import type { CompareOp, DurationUnit, Expr, LiteralNode, LiteralValue, Operand, PathSegment, RegexNode } from './ast.js';
import { MACROS } from './macros.js';
import { parseFilter } from './parser.js';
import { readPath } from './values.js';

type Rand = () => number;

/** The random source plus, per path, scalar values some entry really has (so comparisons split the entries). */
export interface Generator { r: Rand; seen: LiteralValue[][] }

const PATHS = [
  'protocol', 'transport', 'timestamp', 'elapsedTime', 'id', 'src.ip', 'src.port', 'src.name', 'src.namespace', 'dst.name',
  'dst.port', 'flags', 'flags[0]', 'request', 'request.method', 'request.path', 'request.headers["user-agent"]',
  'request.headers.accept', 'request.query', 'response.status', 'response.body', 'response.body.truncated', 'response.body.size',
  'request.questions[0].name', 'request.questions', 'request.recursionDesired', 'response.answers', 'response.answers[0].ttl',
  'response.nope', 'request.a', 'request.b', 'request.c', 'request.d', 'request.e', 'request.e[0]', 'request.e[4]', 'request.f',
  'request.g', 'request.h', 'request.u', 'request.s',
];
const STRINGS = ['', 'GET', 'POST', 'http', 'dns', 'cart', 'shop', '/x', 'curl/7.88.1', 'é', '1', 'true', 'null', 'www.lab.test',
  'kube-system', '\uE000', '😀', 'x', 'a"b', 'tcp'];
const NUMBERS = [0, 1, -1, 53, 80, 200, 404, 500, 1.5, 250, 1e12, 1_795_798_000_000];
const REGEXES = ['.*', 'a', '^/[a-z]+$', '[0-9]+', '(GET|POST)', '.*\\.test', 'curl/.*', '', 'é', '\\d{1,3}', '[^/]*', 'x|y'];
const OPS: CompareOp[] = ['==', '!=', '<', '<=', '>', '>='];
const UNITS: DurationUnit[] = ['seconds', 'minutes', 'hours', 'days'];

/** Odd JSON the real entries lack, kept under `request` so paths reach it. */
export const ODD_REQUEST = { a: 1, b: '1', c: true, d: null, e: [1, 'x', true, null, []], f: {}, g: '', h: 0, u: 'é😀', s: '\uE000' };

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const pathOf = (text: string): PathSegment[] => {
  const e = parseFilter(text);
  if (e.kind !== 'truthy' || e.value.kind !== 'field') throw new Error(`not a path: ${text}`);
  return e.value.path;
};
const PARSED_PATHS = PATHS.map(pathOf);

function literalValue(r: Rand): LiteralValue {
  const k = r();
  if (k < 0.45) return pick(r, STRINGS);
  if (k < 0.85) return pick(r, NUMBERS);
  return pick(r, [true, false, null]);
}

const lit = (value: LiteralValue): LiteralNode => ({ kind: 'literal', value, column: 0 });
const field = (r: Rand): Operand => ({ kind: 'field', path: pick(r, PARSED_PATHS), column: 0 });

export function generator(r: Rand, entries: readonly unknown[]): Generator {
  const seen = PARSED_PATHS.map((p) => {
    const values = entries.map((e) => readPath(e, p)).filter((v): v is LiteralValue => v !== undefined && (v === null || typeof v !== 'object'));
    return [...new Set(values)];
  });
  return { r, seen };
}

/** A field and a value it really has (or, when it has none, any literal). */
function fieldWithValue(g: Generator): [Operand, LiteralValue] {
  const i = Math.floor(g.r() * PARSED_PATHS.length);
  const values = g.seen[i];
  const value = values.length > 0 ? pick(g.r, values) : literalValue(g.r);
  return [{ kind: 'field', path: PARSED_PATHS[i], column: 0 }, value];
}

function sampledLeaf(g: Generator): Expr {
  const [f, v] = fieldWithValue(g);
  const r = g.r;
  const k = r();
  if (typeof v === 'string' && k < 0.3) {
    const chars = Array.from(v); // whole code points: half a surrogate pair is not a valid filter string
    const cut = Math.floor(r() * (chars.length + 1));
    const m = pick(r, ['startsWith', 'endsWith', 'contains'] as const);
    const arg = (m === 'startsWith' ? chars.slice(0, cut) : chars.slice(cut)).join('');
    return { kind: 'method', method: m, target: f, arg, column: 0 };
  }
  if (k < 0.5) return { kind: 'in', value: f, list: [lit(v), lit(literalValue(r))], column: 0 };
  return { kind: 'compare', op: pick(r, OPS), left: f, right: lit(v), column: 0 };
}
const regex = (r: Rand): RegexNode => ({ kind: 'regex', source: pick(r, REGEXES), column: 0 });

/** A value; arithmetic keeps a plain value on the right, as the grammar reads it. */
function operand(r: Rand, depth = 0): Operand {
  const k = r();
  if (k < 0.55) return field(r);
  if (k < 0.8) return lit(literalValue(r));
  if (k < 0.85) return { kind: 'now', column: 0 };
  if (k < 0.9) return { kind: 'duration', unit: pick(r, UNITS), amount: pick(r, [1, 5, -2, 0.5]), column: 0 };
  if (depth > 2) return field(r);
  const right: Operand = r() < 0.5 ? field(r) : lit(r() < 0.8 ? pick(r, NUMBERS) : literalValue(r));
  return { kind: 'arith', op: r() < 0.5 ? '+' : '-', left: operand(r, depth + 1), right, column: 0 };
}

function leaf(r: Rand): Expr {
  const k = r();
  if (k < 0.4) return { kind: 'compare', op: pick(r, OPS), left: operand(r), right: operand(r), column: 0 };
  if (k < 0.5) return { kind: 'compare', op: r() < 0.5 ? '==' : '!=', left: operand(r), right: regex(r), column: 0 };
  if (k < 0.6) return { kind: 'in', value: operand(r), list: Array.from({ length: Math.floor(r() * 5) }, () => lit(literalValue(r))), column: 0 };
  if (k < 0.8) {
    const target: Operand = r() < 0.85 ? field(r) : lit(pick(r, STRINGS));
    const m = pick(r, ['startsWith', 'endsWith', 'contains', 'matches'] as const);
    if (m === 'matches') return { kind: 'method', method: m, target, arg: regex(r), column: 0 };
    if (m === 'contains') return { kind: 'method', method: m, target, arg: literalValue(r), column: 0 };
    return { kind: 'method', method: m, target, arg: pick(r, STRINGS), column: 0 };
  }
  if (k < 0.87) return { kind: 'macro', name: pick(r, Object.keys(MACROS)), column: 0 };
  return { kind: 'truthy', value: operand(r), column: 0 };
}

export function randomFilter(g: Generator, depth = 0): Expr {
  const r = g.r;
  const k = r();
  if (depth >= 4 || k < 0.45) return r() < 0.5 ? sampledLeaf(g) : leaf(r);
  if (k < 0.6) return { kind: 'not', operand: randomFilter(g, depth + 1), column: 0 };
  const n = 2 + Math.floor(r() * 2);
  return { kind: r() < 0.5 ? 'and' : 'or', operands: Array.from({ length: n }, () => randomFilter(g, depth + 1)), column: 0 };
}

/** The tree without columns, for comparing a parse with a generated or reformatted tree. */
export function stripColumns(x: Expr): unknown {
  return JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'column' ? undefined : v)));
}
