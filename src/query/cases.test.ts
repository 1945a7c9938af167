import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fixturePath } from '../util/paths.js';
import { CASES, CASES_NOW } from './cases.js';
import { entryDatabase, loadFixtureEntries, matchBothWays } from './test-support.js';
import { parseFilter } from './parser.js';
import { formatFilter } from './format.js';
import { stripColumns } from './property-support.js';

const entries = loadFixtureEntries();
const db = entryDatabase(entries);

test('the fixture holds the entries the counts were made for', () => {
  assert.equal(entries.length, 75);
  assert.equal(new Set(entries.map((e) => e.id)).size, 75, 'ids are unique');
});

test(`the table has at least 60 filters (${CASES.length})`, () => {
  assert.ok(CASES.length >= 60);
  assert.equal(new Set(CASES.map((c) => c.filter)).size, CASES.length, 'no filter twice');
});

for (const c of CASES) {
  test(`${c.filter}  →  ${c.count}`, () => {
    const got = matchBothWays(db, entries, c.filter, { now: CASES_NOW });
    assert.equal(got.predicate.length, c.count, 'predicate count');
    assert.equal(got.sql.length, c.count, 'SQL count');
    assert.deepEqual(got.sql, got.predicate, 'the same entries');
    const ast = parseFilter(c.filter);
    assert.deepEqual(stripColumns(parseFilter(formatFilter(ast))), stripColumns(ast), 'formatFilter round trip');
  });
}

test('the expected counts are what jq says (independent of the compilers)', (t) => {
  const program = 'def num: type == "number"; def str: type == "string"; ['
    + CASES.map((c) => `([.[] | select(${c.jq})] | length)`).join(', ') + ']';
  const r = spawnSync('jq', ['-s', '-c', '--argjson', 'now', String(CASES_NOW), program, fixturePath('query', 'entries.jsonl')], { encoding: 'utf8' });
  if (r.error !== undefined) { t.skip('jq is not installed'); return; }
  assert.equal(r.status, 0, r.stderr);
  const counts = JSON.parse(r.stdout) as number[];
  CASES.forEach((c, i) => assert.equal(counts[i], c.count, `jq count for ${c.filter}`));
});
