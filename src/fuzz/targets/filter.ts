/**
 * The filter language (src/query): the input is filter text (UTF-8). It is
 * parsed, compiled both ways and run on fixture entries — the predicate in
 * JS, the SQL in SQLite with podtap's functions (query/test-support.ts) — and
 * two properties the docs promise are checked as oracles: both compilers
 * match the same entries, and formatting the tree parses back to it.
 *
 * Expected: FilterError (an invalid filter). Anything else, or a broken
 * property (FilterOracleError), is a crash.
 */
import type Database from 'better-sqlite3';
import { isDeepStrictEqual } from 'node:util';
import type { Entry } from '../../entries/types.js';
import { CASES, CASES_NOW } from '../../query/cases.js';
import { FilterError } from '../../query/errors.js';
import { formatFilter } from '../../query/format.js';
import { parseFilter } from '../../query/parser.js';
import { ODD_REQUEST, stripColumns } from '../../query/property-support.js';
import { entryDatabase, loadFixtureEntries, matchBothWays } from '../../query/test-support.js';
import { Rng } from '../rng.js';
import { FILTER_WORDS, generatedFilter, mutateFilter } from '../filter-mutate.js';
import type { FuzzTarget } from '../target.js';

/** Every this-many fixture entry is matched (all of them would make each execution several times slower). */
const ENTRY_STRIDE = 3;
/** Generated filters among the seeds, beside the fixture table. */
const GENERATED_SEEDS = 64;
const SEED_FOR_GENERATED = 20260101;

/** A property of the filter language broke: a bug, not a bad filter. */
export class FilterOracleError extends Error {
  override readonly name = 'FilterOracleError';
}

let data: { entries: Entry[]; db: Database.Database } | undefined;

function fixture(): { entries: Entry[]; db: Database.Database } {
  if (data !== undefined) return data;
  const real = loadFixtureEntries().filter((_, i) => i % ENTRY_STRIDE === 0);
  const odd = [ODD_REQUEST, { a: null, e: [[1], { k: 1 }, 1e12] }].map((request, i) => ({ ...real[0], id: `odd/${i}`, request }) as unknown as Entry);
  const entries = [...real, ...odd];
  return (data = { entries, db: entryDatabase(entries) });
}

export const filterTarget: FuzzTarget = {
  name: 'filter',
  about: 'filter parser, predicate and SQL compilers (agreement and format round trip as oracles)',
  dict: FILTER_WORDS.map((w) => Buffer.from(w, 'utf8')),
  seeds() {
    const rng = new Rng(SEED_FOR_GENERATED);
    const generated = Array.from({ length: GENERATED_SEEDS }, () => generatedFilter(rng, fixture().entries));
    return [...CASES.map((c) => c.filter), ...generated].map((f) => Buffer.from(f, 'utf8'));
  },
  mutate: (input, cx, rounds) => mutateFilter(input, cx, rounds, fixture().entries),
  run(input) {
    const { entries, db } = fixture();
    const text = Buffer.from(input).toString('utf8');
    const ast = parseFilter(text);
    const got = matchBothWays(db, entries, ast, { now: CASES_NOW });
    if (!isDeepStrictEqual(got.sql, got.predicate)) {
      throw new FilterOracleError(`predicate and SQL disagree: predicate [${got.predicate.join(' ')}], SQL [${got.sql.join(' ')}]`);
    }
    const again = parseFilter(formatFilter(ast));
    if (!isDeepStrictEqual(stripColumns(again), stripColumns(ast))) throw new FilterOracleError(`format round trip changed the tree: ${formatFilter(ast)}`);
  },
  expected: (e) => e instanceof FilterError,
};
