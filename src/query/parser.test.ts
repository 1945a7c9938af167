import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Expr, LogicalNode } from './ast.js';
import { parseFilter } from './parser.js';
import { stripColumns } from './property-support.js';

const shape = (text: string): unknown => stripColumns(parseFilter(text));
const key = (k: string) => ({ kind: 'key', key: k });
const field = (...path: Array<string | number>) => ({
  kind: 'field', path: path.map((p) => (typeof p === 'number' ? { kind: 'index', index: p } : key(p))),
});
const lit = (value: unknown) => ({ kind: 'literal', value });

test('the examples of the brief parse', () => {
  for (const f of [
    'http and response.status >= 500',
    'request.path.startsWith("/api")',
    'dst.name == "cart" and elapsedTime > 250',
    'dns and request.questions[0].name == r".*\\.svc\\..*"',
    'redis and request.command == "GET"',
    '!(src.namespace == "kube-system")',
    'request.headers["user-agent"].contains("curl")',
    'timestamp > now() - minutes(5)',
  ]) assert.doesNotThrow(() => parseFilter(f), f);
});

test('macro, comparison, and', () => {
  assert.deepEqual(shape('http and response.status >= 500'), {
    kind: 'and', operands: [{ kind: 'macro', name: 'http' }, { kind: 'compare', op: '>=', left: field('response', 'status'), right: lit(500) }],
  });
});

test('and binds tighter than or; ! tighter than and; chains stay flat', () => {
  assert.deepEqual(shape('tcp or udp and !dns'), {
    kind: 'or', operands: [{ kind: 'macro', name: 'tcp' }, { kind: 'and', operands: [{ kind: 'macro', name: 'udp' }, { kind: 'not', operand: { kind: 'macro', name: 'dns' } }] }],
  });
  assert.deepEqual(shape('http and dns and tcp'), { kind: 'and', operands: ['http', 'dns', 'tcp'].map((name) => ({ kind: 'macro', name })) });
  assert.deepEqual(shape('(http or dns) and tcp'), {
    kind: 'and', operands: [{ kind: 'or', operands: [{ kind: 'macro', name: 'http' }, { kind: 'macro', name: 'dns' }] }, { kind: 'macro', name: 'tcp' }],
  });
});

test('&&, ||, not and ! are synonyms of and, or, !', () => {
  assert.deepEqual(shape('http && !dns || not tcp'), shape('http and !dns or !tcp'));
});

test('! applies to the whole comparison after it', () => {
  assert.deepEqual(shape('!src.namespace == "kube-system"'), shape('!(src.namespace == "kube-system")'));
});

test('paths: dots, indexes, quoted keys; keywords are plain keys after a dot', () => {
  assert.deepEqual(shape('request.questions[0].name'), { kind: 'truthy', value: field('request', 'questions', 0, 'name') });
  assert.deepEqual(shape('request.query["a b"]'), { kind: 'truthy', value: field('request', 'query', 'a b') });
  assert.deepEqual(shape('request.query.in'), { kind: 'truthy', value: field('request', 'query', 'in') });
});

test('header and trailer keys are lower-cased; other keys are not', () => {
  assert.deepEqual(shape('request.headers["User-Agent"]'), { kind: 'truthy', value: field('request', 'headers', 'user-agent') });
  assert.deepEqual(shape('response.headers.Content_Type'), { kind: 'truthy', value: field('response', 'headers', 'content_type') });
  assert.deepEqual(shape('response.trailers["X-Sum"]'), { kind: 'truthy', value: field('response', 'trailers', 'x-sum') });
  assert.deepEqual(shape('request.query["Q"]'), { kind: 'truthy', value: field('request', 'query', 'Q') });
});

test('literals: strings with escapes, numbers, booleans, null, negatives', () => {
  const right = (text: string): unknown => (parseFilter(`id == ${text}`) as Extract<Expr, { kind: 'compare' }>).right;
  assert.deepEqual(stripColumns({ kind: 'truthy', value: right('"a\\"b\\n\\u00e9\\\\"') } as Expr), { kind: 'truthy', value: lit('a"b\né\\') });
  assert.equal((right("'it\\'s'") as { value: unknown }).value, "it's");
  assert.equal((right('12.5e2') as { value: unknown }).value, 1250);
  assert.equal((right('-3') as { value: unknown }).value, -3);
  assert.equal((right('true') as { value: unknown }).value, true);
  assert.equal((right('null') as { value: unknown }).value, null);
});

test('regex literals are raw: a backslash keeps the next character, r\'...\' works too', () => {
  const re = (text: string): unknown => (parseFilter(`id == ${text}`) as Extract<Expr, { kind: 'compare' }>).right;
  assert.deepEqual(stripColumns({ kind: 'truthy', value: re('r"a\\.b\\"c"') } as unknown as Expr), { kind: 'truthy', value: { kind: 'regex', source: 'a\\.b\\"c' } });
  assert.equal((re("r'x\"y'") as { source: string }).source, 'x"y');
});

test('in lists, methods, arithmetic and time helpers', () => {
  assert.deepEqual(shape('request.method in ["GET", 3, true, null]'), { kind: 'in', value: field('request', 'method'), list: ['GET', 3, true, null].map(lit) });
  assert.deepEqual(shape('flags.contains("gap")'), { kind: 'method', method: 'contains', target: field('flags'), arg: 'gap' });
  assert.deepEqual(shape('request.path.matches("^/a")'), { kind: 'method', method: 'matches', target: field('request', 'path'), arg: { kind: 'regex', source: '^/a' } });
  assert.deepEqual(shape('timestamp > now() - minutes(5) + seconds(-1)'), {
    kind: 'compare', op: '>', left: field('timestamp'),
    right: { kind: 'arith', op: '+', left: { kind: 'arith', op: '-', left: { kind: 'now' }, right: { kind: 'duration', unit: 'minutes', amount: 5 } }, right: { kind: 'duration', unit: 'seconds', amount: -1 } },
  });
});

test('a lone value is "present and truthy"; whitespace and newlines are free', () => {
  assert.deepEqual(shape('src.name'), { kind: 'truthy', value: field('src', 'name') });
  assert.deepEqual(shape(' \n\thttp\n and\tdns '), shape('http and dns'));
});

test('columns point at the start of each node', () => {
  const e = parseFilter('http and  response.status == 5') as LogicalNode;
  assert.equal(e.operands[0].column, 1);
  assert.equal(e.operands[1].column, 11);
  assert.equal((e.operands[1] as Extract<Expr, { kind: 'compare' }>).right.column, 30);
});
