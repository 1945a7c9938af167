/**
 * One node:test test per adversarial case, at the case's test scale under
 * TEST_MEMORY_CAP_BYTES: the run must not throw, stay under the cap, leave
 * the normal connections complete and show the named limits (cases.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CASES, runCase, TEST_MEMORY_CAP_BYTES } from './cases.js';
import { mib } from './memory.js';

export function testCases(names: readonly string[]): void {
  for (const name of names) {
    const c = CASES.find((x) => x.name === name);
    if (c === undefined) throw new Error(`no adversarial case named ${name}`);
    test(`${c.name}: ${c.what} (scale ${c.testScale}, cap ${mib(TEST_MEMORY_CAP_BYTES)})`, () => {
      const { result, problems } = runCase(c, c.testScale, TEST_MEMORY_CAP_BYTES);
      assert.deepEqual(problems, [], `${c.name}: ${result.packets} packets, live +${mib(result.peakLiveBytes)}, buffered ${mib(result.peakBufferedBytes)}`);
    });
  }
}
