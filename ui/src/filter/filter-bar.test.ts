import { test } from 'node:test';
import assert from 'node:assert/strict';
import { highlight } from './highlight.js';
import { addCondition, applyCompletion, completionContext, fieldSuggestions, valueLiteral } from './complete.js';
import { HISTORY_KEY, HISTORY_MAX, loadHistory, remember } from './history.js';
import { parseFilter } from '../../../src/query/parser.js';

const kinds = (s: string): string[] => highlight(s).filter((x) => x.kind !== 'space').map((x) => `${x.kind}:${s.slice(x.from, x.to)}`);

test('highlight: fields, macros, keywords, literals, operators and functions', () => {
  assert.deepEqual(kinds('http and response.status >= 500'), ['macro:http', 'keyword:and', 'field:response', 'punct:.', 'field:status', 'op:>=', 'number:500']);
  assert.deepEqual(kinds('request.path.startsWith("/api")'), ['field:request', 'punct:.', 'field:path', 'punct:.', 'function:startsWith', 'punct:(', 'string:"/api"', 'punct:)']);
  assert.deepEqual(kinds(`dst.name == r"a\\"b" || timestamp > now() - minutes(5)`),
    ['field:dst', 'punct:.', 'field:name', 'op:==', 'regex:r"a\\"b"', 'op:||', 'field:timestamp', 'op:>', 'function:now', 'punct:(', 'punct:)', 'op:-', 'function:minutes', 'punct:(', 'number:5', 'punct:)']);
  assert.deepEqual(kinds('reqest.path == "x'), ['unknown:reqest', 'punct:.', 'field:path', 'op:==', 'string:"x']);
});

test('highlight: spans cover the text exactly, whatever it is (never throws)', () => {
  for (const s of ['', '   ', '"unterminated \\', '@#$%^', 'a.b[0]["x y"] in [1, 2]', '\u{1F600} == 1', 'r"', "'"]) {
    const spans = highlight(s);
    assert.equal(spans.map((x) => s.slice(x.from, x.to)).join(''), s);
    for (let i = 1; i < spans.length; i++) assert.equal(spans[i]!.from, spans[i - 1]!.to);
  }
});

test('completion: a field being typed, at any place a condition can start', () => {
  assert.deepEqual(completionContext('res', 3), { kind: 'field', prefix: 'res', from: 0, to: 3 });
  assert.deepEqual(completionContext('http and src.na', 15), { kind: 'field', prefix: 'src.na', from: 9, to: 15 });
  assert.deepEqual(completionContext('!(dst', 5), { kind: 'field', prefix: 'dst', from: 2, to: 5 });
  assert.equal(completionContext('"abc', 4).kind, 'none');
  const s = fieldSuggestions('src.n', ['src.namespace', 'src.name', 'src.node']);
  assert.deepEqual(s.slice(0, 3), ['src.name', 'src.node', 'src.namespace']);
  assert.ok(fieldSuggestions('red', []).includes('redis'), 'macros are offered');
  assert.ok(fieldSuggestions('', []).length > 0);
});

test('completion: a value compared with a field, quoted or not', () => {
  assert.deepEqual(completionContext('src.namespace == "sh', 20), { kind: 'value', field: 'src.namespace', prefix: 'sh', from: 17, to: 20, quoted: true });
  assert.deepEqual(completionContext('response.status >= 5', 20), { kind: 'value', field: 'response.status', prefix: '5', from: 19, to: 20, quoted: false });
  assert.deepEqual(completionContext('http and request.method == ', 27), { kind: 'value', field: 'request.method', prefix: '', from: 27, to: 27, quoted: false });
  // The closing quote after the cursor is replaced too.
  const ctx = completionContext('dst.name == "ca" and http', 14);
  assert.equal(ctx.kind, 'value');
  const out = applyCompletion('dst.name == "ca" and http', ctx, valueLiteral('cart'));
  assert.equal(out.text, 'dst.name == "cart" and http');
  assert.equal(out.cursor, 18);
  parseFilter(out.text);
});

test('completion: applying a field keeps the rest of the text', () => {
  const text = 'http and src.na == "x"';
  const ctx = completionContext(text, 15);
  assert.equal(applyCompletion(text, ctx, 'src.namespace').text, 'http and src.namespace == "x"');
  assert.equal(valueLiteral(503), '503');
  assert.equal(valueLiteral('a "quoted" \\ value'), '"a \\"quoted\\" \\\\ value"');
});

test('clicking a value adds a condition that parses, grouping an or', () => {
  assert.equal(addCondition('', 'src.name', 'web'), 'src.name == "web"');
  assert.equal(addCondition('http', 'response.status', 500), 'http and response.status == 500');
  assert.equal(addCondition('redis or dns', 'dst.namespace', 'shop'), '(redis or dns) and dst.namespace == "shop"');
  for (const v of ['a"b', 'x\\y', '\n', '<script>alert(1)</script>']) parseFilter(addCondition('http', 'request.headers["x-weird key"]', v));
  parseFilter(addCondition('http', 'response.body', null));
});

test('history: newest first, no repeats, bounded, survives broken storage', () => {
  const mem = new Map<string, string>();
  const store = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => { mem.set(k, v); } };
  let h = loadHistory(store);
  assert.deepEqual(h, []);
  h = remember(store, h, 'http');
  h = remember(store, h, 'dns');
  h = remember(store, h, ' http ');
  assert.deepEqual(h, ['http', 'dns']);
  assert.deepEqual(loadHistory(store), ['http', 'dns']);
  for (let i = 0; i < 80; i++) h = remember(store, h, `response.status == ${i}`);
  assert.equal(h.length, HISTORY_MAX);
  mem.set(HISTORY_KEY, '{not json');
  assert.deepEqual(loadHistory(store), []);
  const full = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
  assert.deepEqual(remember(full, [], 'tcp'), ['tcp']);
  assert.deepEqual(loadHistory(undefined), []);
});

test('the browser regex check refuses what the hub refuses, with the same words', async () => {
  const browser = await import('./browser-regex.js');
  const server = await import('../../../src/query/regex.js');
  for (const src of ['(a)\\1', 'a(?=b)', '(?<!x)y', 'x'.repeat(2000)]) {
    const err = (f: () => unknown): string => { try { f(); return 'accepted'; } catch (e) { return (e as Error).message; } };
    assert.equal(err(() => browser.compileFilterRegex(src, 'full', 5)), err(() => server.compileFilterRegex(src, 'full', 5)), src.slice(0, 20));
  }
  assert.ok(browser.compileFilterRegex('^/api/v[0-9]+', 'search', 1).test('/api/v2/x'));
  assert.ok(!browser.compileFilterRegex('/api', 'full', 1).test('/api/v2'));
  assert.match(String((() => { try { browser.compileFilterRegex('(', 'full', 3); return ''; } catch (e) { return (e as Error).message; } })()), /column 3: invalid regex r"\(":/);
});
