import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanOperation, MAX_GRAPHQL_SCAN_CHARS } from './scan.js';

/** [document, operationName wanted, expected type, expected name] — type null: not recognized. */
const DOCUMENTS: Array<[string, string | null, string | null, string | null]> = [
  ['query GetUser($id: ID!) { user(id: $id) { name } }', null, 'query', 'GetUser'],
  ['{ user { name } }', null, 'query', null],
  ['query { me { id } }', null, 'query', null],
  ['query($id: ID) { me { id } }', null, 'query', null],
  ['mutation AddTodo($t: String!) { addTodo(text: $t) { id } }', null, 'mutation', 'AddTodo'],
  ['subscription OnEvent { event { id } }', null, 'subscription', 'OnEvent'],
  ['fragment F on User { id name } query WithFragment { me { ...F } }', null, 'query', 'WithFragment'],
  ['fragment A on T { x { y } } fragment B on T @include(if: true) { z } mutation M { m }', null, 'mutation', 'M'],
  ['# query Commented { x }\nmutation Real { x }', null, 'mutation', 'Real'],
  ['  \ufeff\n# leading comment\n{ a }', null, 'query', null],
  ['query Q { search(text: "} mutation Fake {") { id } }', null, 'query', 'Q'],
  ['query Q { a(s: """ block { "quoted" } \\""" still """) }', null, 'query', 'Q'],
  ['query Q @cached(ttl: 60) { a }', null, 'query', 'Q'],
  ['query A { a } mutation B { b }', 'B', 'mutation', 'B'],
  ['query A { a } mutation B { b }', 'Missing', 'query', 'A'],
  ['query A { a } mutation B { b }', null, 'query', 'A'],
  ['query,Commas,{a}', null, 'query', 'Commas'],
  ['', null, null, null],
  ['hello world', null, null, null],
  ['type Query { me: User }', null, null, null],
  ['query Q { a(s: "unterminated) }', null, null, null],
  ['fragment F on T { a }', null, null, null],
  ['query Q', null, null, null],
  ['} {', null, null, null],
  ['query Cut { a { b', null, null, null],
  ['mutation M { m } query Cut { a {', 'Cut', null, null],
];

test('scanOperation: operation type and name over a table of documents', () => {
  for (const [doc, wanted, type, name] of DOCUMENTS) {
    const r = scanOperation(doc, wanted);
    if (type === null) assert.equal(r, null, doc);
    else assert.deepEqual(r, { operationType: type, operationName: name }, doc);
  }
});

test('scanOperation: bounded by MAX_GRAPHQL_SCAN_CHARS and never throws on noise', () => {
  const late = ' '.repeat(MAX_GRAPHQL_SCAN_CHARS) + 'query Late { a }';
  assert.equal(scanOperation(late), null);
  const deep = 'query Deep ' + '{ a '.repeat(10_000) + '}'.repeat(10_000);
  assert.deepEqual(scanOperation(deep), { operationType: 'query', operationName: 'Deep' });
  let seed = 7;
  for (let n = 0; n < 2000; n++) {
    let s = '';
    for (let i = 0; i < 40; i++) { seed = (seed * 1103515245 + 12345) & 0x7fffffff; s += '{}()"#\\ qm\n$@aQ'[seed % 16]; }
    scanOperation(s); // must not throw
  }
});
