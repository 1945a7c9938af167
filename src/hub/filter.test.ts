import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileHubFilter, HubFilterError, NOW_REFRESH_MS } from './filter.js';
import { httpGet } from '../output/sample-entries.js';

test('a live predicate with now() slides with the clock', () => {
  let clock = 1_000_000;
  const f = compileHubFilter('timestamp > now() - seconds(10)', clock, () => clock);
  const e = { ...httpGet(), timestamp: clock - 5000 };
  assert.equal(f.match(e), true);
  clock += 20_000 + NOW_REFRESH_MS;
  assert.equal(f.match(e), false, 'twenty seconds later the entry is out of the window');
});

test('an invalid filter is a HubFilterError with its column', () => {
  assert.throws(() => compileHubFilter('http and', 0), (err: unknown) => err instanceof HubFilterError && err.column === 9 && /invalid filter at column 9/.test(err.message));
});
