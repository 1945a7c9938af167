/**
 * GraphQL request summaries (dissectors/graphql): `graphqlOf` on a request
 * built from the input. First byte: method and content type; the rest: the
 * body text, or for GET the query string (`query=…&operationName=…&variables=…`).
 */
import type { HttpRequest } from '../../entries/types.js';
import { graphqlOf } from '../../dissectors/graphql/index.js';
import { mutateBytes } from '../bytes-mutate.js';
import { type FuzzTarget, tokens } from '../target.js';

const METHODS = ['POST', 'GET', 'PUT', 'post'];
const MIMES = ['application/json', 'application/graphql', 'application/json; charset=utf-8', 'text/plain', 'application/graphql-response+json'];

function request(input: Uint8Array): HttpRequest {
  const sel = input.length > 0 ? input[0] : 0;
  const method = METHODS[sel % METHODS.length];
  const text = Buffer.from(input.subarray(1)).toString('utf8');
  const query: Record<string, string> = {};
  if (method === 'GET') {
    for (const part of text.split('&')) {
      const eq = part.indexOf('=');
      if (eq > 0) query[part.slice(0, eq)] = part.slice(eq + 1);
    }
  }
  const body = method === 'GET' && (sel & 0x80) === 0 ? null
    : { size: text.length, content: text, encoding: 'text' as const, mimeType: MIMES[(sel >> 2) % MIMES.length], truncated: (sel & 0x40) !== 0 };
  return { method, path: '/graphql', host: 'api', query, httpVersion: 'HTTP/1.1', headers: {}, headersSize: 0, body };
}

const seed = (sel: number, text: string): Uint8Array => Buffer.concat([Buffer.from([sel]), Buffer.from(text, 'utf8')]);
const json = (o: unknown): string => JSON.stringify(o);

export const graphqlTarget: FuzzTarget = {
  name: 'graphql',
  about: 'GraphQL operation summaries on HTTP requests (JSON bodies, batches, GET, application/graphql)',
  dict: tokens('{', '}', '[', ']', '"query"', '"variables"', '"operationName"', 'query ', 'mutation ', 'subscription ', 'fragment F on T ', '...F', '$x: Int', '#', '"""', '\\u0000', '\\"', '(', ')', ':', ','),
  seeds: () => [
    seed(0, json({ query: 'query Me { me { id } }' })),
    seed(0, json({ query: 'mutation A($x: Int, $y: Int) { a }', variables: { x: 1, y: 2 }, operationName: 'A' })),
    seed(0, json({ query: 'query A { a } mutation B { b }', operationName: 'B', variables: '{"z":1}' })),
    seed(0, json([{ query: '{ a }', variables: { a: 1 } }, { query: 'mutation M { m }', variables: { b: 1, c: 2 } }, { query: '{ c }' }])),
    seed(1, 'query=query%20Q%20%7B%20q%20%7D&operationName=Q&variables=%7B%22id%22%3A%227%22%7D'),
    seed(1, 'query=query Q { q }&operationName=Q&variables={"id":"7"}'),
    seed(4, 'subscription S { s }'),
    seed(4, '# comment\nfragment F on T { a } query Q($v: [Int!]! = [1]) @dir(a: "x\\"y") { ...F b(c: """block\nstring""") }'),
    seed(0, json({ query: '{ a }', extensions: { persistedQuery: { version: 1 } } })),
  ],
  mutate(input, cx, rounds) {
    let b = input;
    for (let k = 0; k < rounds; k++) b = mutateBytes(b, cx);
    return b;
  },
  run(input) {
    graphqlOf(request(input), { weird: () => {} });
  },
};
