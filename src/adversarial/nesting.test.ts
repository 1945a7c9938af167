import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testCases } from './test-support.js';
import { deepBsonDocument, deepGraphqlJson, deepProtobuf } from './nesting-attacks.js';
import { newBudget, readDocument, MAX_DEPTH } from '../dissectors/mongodb/bson.js';
import { decodeProtobuf, MAX_PROTO_DEPTH, type ProtoLimitHits } from '../dissectors/http2/protobuf.js';
import { MAX_GRAPHQL_JSON_DEPTH, tooDeep } from '../dissectors/graphql/detect.js';

testCases(['json-100k-deep', 'bson-10k-deep', 'protobuf-10k-deep']);

test('the builders make what they claim: nesting depth as asked', () => {
  const json = deepGraphqlJson(MAX_GRAPHQL_JSON_DEPTH - 2);
  assert.ok(!tooDeep(json.toString('latin1')));
  assert.ok(tooDeep(deepGraphqlJson(MAX_GRAPHQL_JSON_DEPTH).toString('latin1')));
  const budget = newBudget();
  const { value } = readDocument(deepBsonDocument(3), 0, deepBsonDocument(3).length, budget);
  assert.deepEqual(value, { a: { a: { a: {} } } });
  assert.equal(budget.truncated, false);
  const hits: ProtoLimitHits = { depth: false, fields: false };
  let f = decodeProtobuf(deepProtobuf(3), hits);
  for (let i = 0; i < 3; i++) f = f![0]!.fields!;
  assert.equal(f![0]!.value, '150');
  assert.equal(hits.depth, false);
});

test('the decoders stop at their named depths', () => {
  const b = deepBsonDocument(MAX_DEPTH + 5);
  const budget = newBudget();
  readDocument(b, 0, b.length, budget);
  assert.equal(budget.truncated, true);
  const hits: ProtoLimitHits = { depth: false, fields: false };
  assert.notEqual(decodeProtobuf(deepProtobuf(MAX_PROTO_DEPTH + 5), hits), null);
  assert.equal(hits.depth, true);
});
