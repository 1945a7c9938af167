import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { elapsedMs } from './time.js';

test('elapsed time is kept to the microsecond, never negative', () => {
  const start = 1_795_805_374_505.338;
  assert.equal(start + 0.107 - start === 0.107, false, 'the raw difference carries float noise');
  assert.equal(elapsedMs(start, start + 0.107), 0.107);
  assert.equal(elapsedMs(start, start + 12.5), 12.5);
  assert.equal(elapsedMs(start, start), 0);
  assert.equal(elapsedMs(start + 1, start), 0);
});
