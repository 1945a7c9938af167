import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { fastest, formatTable, type ToolResult } from './report.js';

const run = (wallSeconds: number, exitCode: number | null = 0): ToolResult => ({
  tool: 'podtap', input: 'full', packets: 1000, wallSeconds, packetsPerSecond: 1000 / wallSeconds,
  maxRssBytes: undefined, exitCode, podtapRatio: undefined, argv: [], runs: [wallSeconds],
});

test('rounds keep the fastest successful run and list every run', () => {
  let best: ToolResult | undefined;
  for (const r of [run(3), run(2), run(1, 1), run(2.5)]) best = fastest(best, r);
  assert.equal(best!.wallSeconds, 2);
  assert.equal(best!.exitCode, 0);
  assert.deepEqual(best!.runs, [3, 2, 1, 2.5]);
  assert.match(formatTable([best!]), /3\.00 2\.00 1\.00 2\.50/);
  assert.equal(fastest(run(1, 1), run(5)).wallSeconds, 5, 'a failed run never wins');
});
