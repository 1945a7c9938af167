import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry, HttpEntry, HttpRequest } from '../../entries/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { tcpConversation } from '../../testing/packets.js';
import { parseFilter } from '../../query/parser.js';
import { compilePredicate } from '../../query/predicate.js';
import { runBytes, TestEncoder, exchange } from '../http2/test-support.js';
import { graphqlOf, MAX_GRAPHQL_BODY_CHARS } from './detect.js';

function req(o: { method?: string; body?: string; mime?: string; query?: Record<string, string> }): HttpRequest {
  return {
    method: o.method ?? 'POST', path: '/graphql', host: 'api.test', query: o.query ?? {}, httpVersion: 'HTTP/1.1',
    headers: {}, headersSize: 0,
    body: o.body === undefined ? null : { size: o.body.length, content: o.body, encoding: 'text', mimeType: o.mime ?? 'application/json', truncated: false },
  };
}

test('graphqlOf: JSON bodies, batches, GET and application/graphql', () => {
  const body = (o: unknown): string => JSON.stringify(o);
  assert.deepEqual(graphqlOf(req({ body: body({ query: 'query Me { me { id } }' }) })),
    { operationType: 'query', operationName: 'Me', operations: 1, variables: 0 });
  assert.deepEqual(graphqlOf(req({ body: body({ query: 'mutation A($x: Int, $y: Int) { a }', variables: { x: 1, y: 2 }, operationName: 'A' }) })),
    { operationType: 'mutation', operationName: 'A', operations: 1, variables: 2 });
  assert.deepEqual(graphqlOf(req({ body: body({ query: 'query A { a } mutation B { b }', operationName: 'B', variables: '{"z":1}' }) })),
    { operationType: 'mutation', operationName: 'B', operations: 1, variables: 1 });
  assert.deepEqual(graphqlOf(req({ body: body([{ query: '{ a }', variables: { a: 1 } }, { query: 'mutation M { m }', variables: { b: 1, c: 2 } }, { query: '{ c }' }]) })),
    { operationType: 'query', operationName: null, operations: 3, variables: 3 });
  assert.deepEqual(graphqlOf(req({ method: 'GET', query: { query: 'query Q { q }', operationName: 'Q', variables: '{"id":"7"}' } })),
    { operationType: 'query', operationName: 'Q', operations: 1, variables: 1 });
  assert.deepEqual(graphqlOf(req({ body: 'subscription S { s }', mime: 'application/graphql' })),
    { operationType: 'subscription', operationName: 'S', operations: 1, variables: 0 });
  // Not GraphQL: no field.
  for (const r of [
    req({ body: body({ name: 'x' }) }),
    req({ body: body({ query: 'select * from t' }) }),
    req({ body: body({ query: 42 }) }),
    req({ body: '{"query": "{ a }"', mime: 'application/json' }), // cut JSON
    req({ body: body([]) }),
    req({ body: body({ query: '{ a }' }), mime: 'text/html' }),
    req({ method: 'GET', query: { q: '{ a }' } }),
    req({ method: 'GET' }),
  ]) assert.equal(graphqlOf(r), null, JSON.stringify(r.body ?? r.query));
  const weirds: string[] = [];
  const big = body({ query: '{ a }', pad: 'x'.repeat(MAX_GRAPHQL_BODY_CHARS) });
  assert.equal(graphqlOf(req({ body: big }), { weird: (w) => weirds.push(w) }), null);
  assert.deepEqual(weirds, ['graphql_body_over_limit']);
});

function http1Entries(exchanges: Array<[string, string]>): HttpEntry[] {
  const out: Entry[] = [];
  const p = new Pipeline((e) => out.push(e));
  const frames = tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40_000, sport: 4000, exchanges });
  frames.forEach((data, i) => p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
  p.finish();
  return out.filter((e): e is HttpEntry => e.protocol === 'http');
}

const post = (body: string): string =>
  `POST /graphql HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const OK = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"data":{}}';

test('HTTP/1 entries carry request.graphql; filters on it work through compilePredicate', () => {
  const entries = http1Entries([
    [post(JSON.stringify({ query: 'mutation CreateUser($n: String) { createUser(name: $n) { id } }', variables: { n: 'a' } })), OK],
    [post(JSON.stringify({ query: '# list\n{ users { id } }' })), OK],
    [`GET /graphql?query=${encodeURIComponent('query Ping { ping }')} HTTP/1.1\r\nHost: api.test\r\n\r\n`, OK],
    [post('{"not":"graphql"}'), OK],
  ]);
  assert.equal(entries.length, 4);
  assert.deepEqual(entries.map((e) => e.request?.graphql ?? null), [
    { operationType: 'mutation', operationName: 'CreateUser', operations: 1, variables: 1 },
    { operationType: 'query', operationName: null, operations: 1, variables: 0 },
    { operationType: 'query', operationName: 'Ping', operations: 1, variables: 0 },
    null,
  ]);
  const rows: Array<[string, number[]]> = [
    ['request.graphql.operationType == "mutation"', [0]],
    ['request.graphql.operationName == "Ping"', [2]],
    ['request.graphql', [0, 1, 2]],
    ['request.graphql.operationType == "query" and request.graphql.variables == 0', [1, 2]],
  ];
  for (const [filter, want] of rows) {
    const match = compilePredicate(parseFilter(filter), { now: 0 });
    assert.deepEqual(entries.flatMap((e, i) => (match(e) ? [i] : [])), want, filter);
  }
});

test('HTTP/2 entries carry request.graphql', () => {
  const ce = new TestEncoder();
  const se = new TestEncoder();
  const body = JSON.stringify([{ query: 'mutation M1 { a }' }, { query: 'mutation M2 { b }', variables: { v: 1 } }]);
  const ex = exchange(ce, se, 1, { method: 'POST', path: '/graphql', reqBody: body, resBody: '[]', first: true, ctype: 'application/json' });
  const { entries } = runBytes([[ex.client, ex.server]]);
  assert.equal(entries.length, 1);
  const e = entries[0] as unknown as Entry;
  assert.deepEqual((e as HttpEntry).request?.graphql, { operationType: 'mutation', operationName: 'M1', operations: 2, variables: 1 });
  assert.equal(compilePredicate(parseFilter('request.graphql.operationType == "mutation" && request.graphql.operations == 2'), { now: 0 })(e), true);
});
