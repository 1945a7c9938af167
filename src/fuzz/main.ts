/**
 * `npm run fuzz`: fuzz every decoder, dissector, capture reader, the layers,
 * TCP reassembly and the filter language for a time budget, then print per
 * target: executions, executions/s, corpus, covered blocks, crashes, hangs,
 * heap high-water. Crash and hang inputs are written to fixtures/fuzz/<target>/
 * (replayed by src/fuzz/regressions.test.ts). Exit code 1 on any crash or hang.
 */
import { writeFileSync } from 'node:fs';
import { UsageError } from '../cli/errors.js';
import { USAGE, parseArgs } from './args.js';
import { formatReport, formatRow } from './report.js';
import { runTargets } from './runner.js';
import { TARGETS } from './targets/index.js';

async function main(argv: readonly string[]): Promise<number> {
  const a = parseArgs(argv);
  if (a.list) {
    for (const t of TARGETS) console.log(`${t.name.padEnd(10)} ${t.about}`);
    return 0;
  }
  const names = a.targets ?? TARGETS.map((t) => t.name);
  const unknown = names.filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length > 0) throw new UsageError(`unknown target ${unknown.join(', ')} (see --list)`);
  console.log(`fuzzing ${names.length} targets for ${(a.budgetMs / 1000).toFixed(0)} s on ${a.jobs} workers, seed ${a.seed}, coverage ${a.coverage ? 'on' : 'off'}`);
  const stats = await runTargets({ ...a, targets: names, onTarget: (s) => console.log(formatRow(s)) });
  console.log(`\n${formatReport(stats, a.seed)}`);
  if (a.json !== null) writeFileSync(a.json, `${JSON.stringify({ seed: a.seed, budgetMs: a.budgetMs, jobs: a.jobs, coverage: a.coverage, targets: stats }, null, 2)}\n`);
  return stats.some((s) => s.crashes > 0 || s.hangs > 0) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof UsageError) { console.error(e.message === USAGE ? USAGE : `podtap fuzz: ${e.message}`); process.exitCode = 2; return; }
    console.error(e);
    process.exitCode = 1;
  },
);
