import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { Entry } from '../entries/types.js';
import { CASES, CASES_NOW } from './cases.js';
import { MAX_FILTER_LENGTH, MAX_NESTING_DEPTH } from './limits.js';
import { MACROS } from './macros.js';
import { parseFilter } from './parser.js';
import { compilePredicate } from './predicate.js';
import { compileSql } from './sql.js';
import { trustedSql } from './sql-fragment.js';
import { registerQueryFunctions } from './sql-functions.js';
import { jsonField, type SqlResolver } from './sql-resolver.js';
import { entryDatabase, loadFixtureEntries, matchBothWays } from './test-support.js';

const entries = loadFixtureEntries();
const db = entryDatabase(entries);

/** The only quoted text the compiler writes itself: json_type() names. */
const OWN_QUOTED = new Set(["'text'", "'null'", "'true'", "'false'", "'integer'", "'real'", "'array'", "'object'", "''"]);

const HOSTILE = [
  'request.path == "\'); DROP TABLE entries; --"',
  'request.headers["x\'); DROP TABLE entries; --"] == "1"',
  'request.headers["a\\"b"] == "1"',
  'request.path == r"\'; DELETE FROM entries; --"',
  'request.path.contains("\' OR 1=1 --") or request.path in ["\'", "\\"", "?"]',
];

test('no filter text ever reaches the SQL: only ? placeholders and the compiler\'s own words', () => {
  for (const f of [...CASES.map((c) => c.filter), ...HOSTILE]) {
    const { where, params } = compileSql(parseFilter(f), { now: CASES_NOW });
    for (const q of where.match(/'[^']*'/g) ?? []) assert.ok(OWN_QUOTED.has(q), `${f}: unexpected quoted text ${q} in ${where}`);
    assert.doesNotMatch(where, /["`;]|--/, f);
    assert.equal((where.match(/\?/g) ?? []).length, params.length, `${f}: one parameter per placeholder`);
    assert.ok(params.every((p) => typeof p === 'string' || typeof p === 'number'));
  }
});

test('hostile strings are matched as data, and the table survives', () => {
  const base = entries[0] as Extract<Entry, { protocol: 'http' }>;
  const evil = "'); DROP TABLE entries; --";
  const list = [...entries, { ...base, id: 'evil', request: { ...base.request!, path: evil, headers: { "x'); drop table entries; --": '1', 'a"b': '1' } } } as Entry];
  const d = entryDatabase(list);
  for (const f of HOSTILE) {
    const got = matchBothWays(d, list, f, { now: 0 });
    assert.deepEqual(got.sql, got.predicate, f);
  }
  assert.deepEqual(matchBothWays(d, list, HOSTILE[0], { now: 0 }).sql, ['evil']);
  assert.deepEqual(matchBothWays(d, list, HOSTILE[1], { now: 0 }).sql, ['evil']);
  assert.deepEqual(matchBothWays(d, list, HOSTILE[2], { now: 0 }).sql, ['evil']);
  assert.equal((d.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n, list.length);
});

test('every compiled clause is 0 or 1 on every row, never NULL', () => {
  for (const c of CASES) {
    const { where, params } = compileSql(parseFilter(c.filter), { now: CASES_NOW });
    const values = db.prepare(`SELECT (${where}) AS v FROM entries`).all(...params) as Array<{ v: unknown }>;
    for (const { v } of values) assert.ok(v === 0 || v === 1, `${c.filter}: got ${String(v)}`);
    const negated = db.prepare(`SELECT count(*) AS n FROM entries WHERE NOT (${where})`).get(...params) as { n: number };
    assert.equal(negated.n, entries.length - c.count, `NOT (${c.filter})`);
  }
});

test('long chains and the deepest nesting stay within SQLite\'s expression depth', () => {
  const longest = (unit: string, sep: string): string => {
    const n = Math.floor((MAX_FILTER_LENGTH + sep.length) / (unit.length + sep.length));
    return Array(n).fill(unit).join(sep);
  };
  const d = MAX_NESTING_DEPTH;
  const filters = [
    longest('http', '&&'),
    longest('dns', '||'),
    longest('src.port>1', '&&'),
    longest('!tcp', '||'),
    `${'('.repeat(d)}http${')'.repeat(d)}`,
    `${'!'.repeat(d)}http`,
    Array.from({ length: d }, (_, i) => `(src.port > ${i} ${i % 2 ? 'and' : 'or'} `).join('') + 'http' + ')'.repeat(d),
  ];
  for (const f of filters) {
    assert.ok(f.length <= MAX_FILTER_LENGTH);
    const got = matchBothWays(db, entries, f, { now: 0 });
    assert.deepEqual(got.sql, got.predicate, f.slice(0, 60));
  }
});

test('a resolver can map paths to indexed columns and body contents elsewhere; results do not change', () => {
  // A store-like table: some fields as generated columns, body contents out of `doc` in their own JSON column.
  const store = new Database(':memory:');
  registerQueryFunctions(store);
  store.exec(`CREATE TABLE entries (seq INTEGER PRIMARY KEY, id TEXT, doc TEXT, bodies TEXT,
    dst_name TEXT GENERATED ALWAYS AS (json_extract(doc, '$.dst.name')) VIRTUAL,
    status INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.response.status')) VIRTUAL);
    CREATE INDEX entries_dst_name ON entries(dst_name);`);
  const insert = store.prepare('INSERT INTO entries (id, doc, bodies) VALUES (?, ?, ?)');
  for (const e of entries) {
    const copy = JSON.parse(JSON.stringify(e)) as { request?: { body?: { content: string } | null } | null; response?: { body?: { content: string } | null } | null };
    const bodies = { request: { body: { content: copy.request?.body?.content ?? null } }, response: { body: { content: copy.response?.body?.content ?? null } } };
    if (copy.request?.body) copy.request.body.content = '';
    if (copy.response?.body) copy.response.body.content = '';
    insert.run(e.id, JSON.stringify(copy), JSON.stringify(bodies));
  }
  const COLUMNS: Record<string, string> = { 'dst.name': 'dst_name', 'response.status': 'status' };
  const resolve: SqlResolver = (f) => {
    if (Object.hasOwn(COLUMNS, f.name)) return { value: trustedSql(COLUMNS[f.name]), type: jsonField(trustedSql('doc'), f.jsonPath).type };
    if (/^(request|response)\.body\.content$/.test(f.name)) return jsonField(trustedSql('bodies'), f.jsonPath);
    return undefined;
  };
  const ids = (f: string): string[] => {
    const { where, params } = compileSql(parseFilter(f), { now: CASES_NOW, resolve });
    return (store.prepare(`SELECT id FROM entries WHERE ${where} ORDER BY seq`).all(...params) as Array<{ id: string }>).map((r) => r.id);
  };
  for (const c of [...CASES.map((x) => x.filter), 'response.body.content.contains("hello from")', 'request.body.content == "hello=world&lab=1"']) {
    assert.deepEqual(ids(c), entries.filter(compilePredicate(parseFilter(c), { now: CASES_NOW })).map((e) => e.id), c);
  }
  assert.equal(ids('response.body.content.contains("hello from")').length, 8); // jq: select(.response.body.content? // "" | contains("hello from"))
  const { where, params } = compileSql(parseFilter('dst.name == "cart"'), { resolve });
  const plan = store.prepare(`EXPLAIN QUERY PLAN SELECT id FROM entries WHERE ${where}`).all(...params) as Array<{ detail: string }>;
  assert.ok(plan.some((p) => /USING INDEX entries_dst_name/.test(p.detail)), JSON.stringify(plan));
});

test('every protocol macro matches exactly its protocols, including ones podtap does not decode yet', () => {
  const base = entries[0];
  const protocols = [...new Set(Object.values(MACROS).filter((m) => m.field === 'protocol').flatMap((m) => m.values))];
  // Future protocols' entries, shaped as their dissectors will make them (the compilers only see JSON).
  const future = protocols.map((p, i) => ({ ...base, id: `p${i}`, protocol: p, request: { command: p === 'redis' ? 'GET' : 'X' }, response: null }) as unknown as Entry);
  const all = [...future, { ...base, id: 'redis-set', protocol: 'redis', request: { command: 'SET' }, response: null } as unknown as Entry];
  const d = entryDatabase(all);
  for (const [name, def] of Object.entries(MACROS)) {
    const got = matchBothWays(d, all, name, { now: 0 });
    assert.deepEqual(got.sql, got.predicate, name);
    const want = all.filter((e) => (def.values as readonly unknown[]).includes((e as unknown as Record<string, unknown>)[def.field])).map((e) => e.id);
    assert.deepEqual(got.predicate, want, name);
  }
  assert.deepEqual(matchBothWays(d, all, 'redis and request.command == "GET"', { now: 0 }).sql, [`p${protocols.indexOf('redis')}`]);
  assert.deepEqual(matchBothWays(d, all, 'ws', { now: 0 }).sql, matchBothWays(d, all, 'websocket', { now: 0 }).sql);
});

test('now() comes from the options, fixed at compile time', () => {
  const ast = parseFilter('timestamp > now() - minutes(5)');
  const early = compileSql(ast, { now: 1000 });
  assert.deepEqual(early.params.slice(-1), [1000 - 300_000]);
  const match = compilePredicate(ast, { now: entries[0].timestamp + 1 });
  assert.equal(match(entries[0]), true);
  assert.equal(compilePredicate(ast, { now: entries[0].timestamp + 300_001 })(entries[0]), false);
});
