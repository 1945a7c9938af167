import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry } from '../entries/types.js';
import { FilterError } from './errors.js';
import { REGEX_CACHE_SIZE } from './limits.js';
import { parseFilter } from './parser.js';
import { cachedRegex, regexCounters } from './regex.js';
import { entryDatabase, loadFixtureEntries, matchBothWays } from './test-support.js';

const base = loadFixtureEntries()[0];
const withPath = (id: string, path: string): Entry => ({ ...base, id, request: { ...(base as Extract<Entry, { protocol: 'http' }>).request!, path } }) as Entry;

/** Patterns that take exponential time on a backtracking engine. */
const REDOS = ['(a+)+$', '(a|aa)+$', '(a|a?)+$', '(\\w+\\s?)+$', '(.*a){10}$', '^(a+)+b'];

// On a backtracking engine each of these would not finish on 100,001 characters (exponential time): the test's
// timeout is the check, not a time per pattern (this machine's speed varies too much for a timing assertion; one of
// 2 s failed under a loaded CI run). Both compilers must use V8's linear engine (flag `l`).
test('classic ReDoS patterns run in linear time, in the predicate and in SQL', { timeout: 120_000 }, () => {
  const hostile = `${'a'.repeat(100_000)}!`;
  const entries = [withPath('long', hostile), withPath('short', 'aaa')];
  const db = entryDatabase(entries);
  for (const p of REDOS) {
    assert.ok(cachedRegex(p).flags.includes('l'), `${p}: SQL side on the linear engine`);
    for (const filter of [`request.path == r"${p}"`, `request.path.matches(r"${p}")`]) {
      const got = matchBothWays(db, entries, filter, { now: 0 });
      assert.deepEqual(got.sql, got.predicate, filter);
    }
  }
});

test('what the linear engine cannot run is a FilterError, never a fallback', () => {
  for (const p of ['(a)\\1', '(?=a)', '(?!a)', '(?<=a)b', '(?<!a)b', 'a{1000}', '\\k<n>(?<n>a)']) {
    assert.throws(() => parseFilter(`request.path.matches(r"${p}")`), (e: unknown) => e instanceof FilterError && /invalid regex/.test(e.detail), p);
  }
});

test('== r"..." matches the whole string; matches() searches anywhere', () => {
  const entries = [withPath('a', '/api/v1'), withPath('b', 'x/api/v1')];
  const db = entryDatabase(entries);
  const ids = (f: string): string[] => {
    const got = matchBothWays(db, entries, f, { now: 0 });
    assert.deepEqual(got.sql, got.predicate, f);
    return got.predicate;
  };
  assert.deepEqual(ids('request.path == r"/api/v[0-9]"'), ['a']);
  assert.deepEqual(ids('request.path == r"/api"'), []);
  assert.deepEqual(ids('request.path.matches(r"/api")'), ['a', 'b']);
  assert.deepEqual(ids('request.path.matches(r"^/api")'), ['a']);
  assert.deepEqual(ids('request.path != r"/api/v[0-9]"'), ['b']);
  // The source is checked alone before it is wrapped, so it cannot escape the ^(?:...)$ around it.
  assert.deepEqual(ids('request.path == r"x|/api/v1"'), ['a']);
  assert.throws(() => parseFilter('request.path == r"a)|(b"'), FilterError);
});

test('the SQL functions keep a bounded cache of compiled patterns and count evictions', () => {
  const before = { ...regexCounters };
  for (let i = 0; i < REGEX_CACHE_SIZE + 10; i++) cachedRegex(`^cache-test-${i}$`);
  assert.equal(regexCounters.compiled - before.compiled, REGEX_CACHE_SIZE + 10);
  assert.ok(regexCounters.cacheEvictions - before.cacheEvictions >= 10);
  const compiled = regexCounters.compiled;
  cachedRegex(`^cache-test-${REGEX_CACHE_SIZE + 9}$`);
  assert.equal(regexCounters.compiled, compiled, 'a recent pattern is a cache hit');
  assert.throws(() => cachedRegex('(a)\\1'), /linear time/);
});
