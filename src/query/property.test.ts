import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry } from '../entries/types.js';
import { seededRandom } from '../testing/random.js';
import { CASES_NOW } from './cases.js';
import { formatFilter } from './format.js';
import { parseFilter } from './parser.js';
import { ODD_REQUEST, generator, randomFilter, stripColumns } from './property-support.js';
import { entryDatabase, loadFixtureEntries, matchBothWays } from './test-support.js';

const real = loadFixtureEntries();
// Entries with odd JSON under `request`: strings that look like numbers, booleans, nulls, mixed arrays, empty values, non-BMP text.
const odd = [ODD_REQUEST, { ...ODD_REQUEST, a: 2.5, b: 'é', c: false, e: [], g: 'x', h: -1, u: '\uE000', s: '😀' }, { a: null, e: [[1], { k: 1 }, 1e12] }]
  .map((request, i) => ({ ...real[0], id: `odd/${i}`, request }) as unknown as Entry);
const entries = [...real, ...odd];
const db = entryDatabase(entries);
const RUNS = 1500;

test(`${RUNS} random filters: text round trip, and SQL matches the predicate`, () => {
  const g = generator(seededRandom(20260101), entries);
  let nonTrivial = 0;
  for (let i = 0; i < RUNS; i++) {
    const ast = randomFilter(g);
    const text = formatFilter(ast);
    const parsed = parseFilter(text);
    assert.deepEqual(stripColumns(parsed), stripColumns(ast), `round trip of ${text}`);
    const got = matchBothWays(db, entries, parsed, { now: CASES_NOW });
    assert.deepEqual(got.sql, got.predicate, `run ${i}: ${text}`);
    if (got.predicate.length > 0 && got.predicate.length < entries.length) nonTrivial++;
  }
  // The generator must produce filters that split the entries, or the agreement proves little.
  assert.ok(nonTrivial > RUNS / 4, `only ${nonTrivial} filters matched some but not all entries`);
});
