/**
 * `npm run soak -- [--minutes 30] [--hub-restarts 2] [--churn-every 4] [--requests-per-pod 60]
 *                  [--pod-rate 8] [--steady-rate 10] [--shop-rate 20] [--sample-every 10]
 *                  [--packet-ring 4m] [--out test-artifacts/soak/report.json]`
 * Runs the soak (soak.ts; root, Linux, the demo's tools), prints the tables
 * and writes the whole report (samples included) as JSON to --out, the hub
 * and worker logs beside it (`logs/`). Exit status: 0 when every goal is
 * met, 1 when one is not, 2 when the soak could not run (one line says why).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../util/paths.js';
import { formatReport } from './report.js';
import { DEFAULT_SOAK_OPTIONS, runSoak, SoakError } from './soak.js';

const log = (line: string): void => void process.stdout.write(`${line}\n`);

function num(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new SoakError(`--${name}: expected a non-negative number, got "${v}"`);
  return n;
}

async function main(): Promise<number> {
  const { values: f } = parseArgs({
    options: {
      minutes: { type: 'string' }, 'hub-restarts': { type: 'string' }, 'churn-every': { type: 'string' }, 'requests-per-pod': { type: 'string' },
      'pod-rate': { type: 'string' }, 'steady-rate': { type: 'string' }, 'shop-rate': { type: 'string' }, 'sample-every': { type: 'string' },
      'packet-ring': { type: 'string' }, out: { type: 'string' },
    },
    strict: true,
  });
  const d = DEFAULT_SOAK_OPTIONS;
  const out = resolve(f.out ?? join(packageRoot(), 'test-artifacts', 'soak', 'report.json'));
  const logDir = join(dirname(out), 'logs');
  await mkdir(dirname(out), { recursive: true });
  await rm(logDir, { recursive: true, force: true });
  const report = await runSoak({
    minutes: num(f.minutes, 'minutes', d.minutes),
    hubRestarts: num(f['hub-restarts'], 'hub-restarts', d.hubRestarts),
    churnEveryMs: num(f['churn-every'], 'churn-every', d.churnEveryMs / 1000) * 1000,
    requestsPerPod: num(f['requests-per-pod'], 'requests-per-pod', d.requestsPerPod),
    podRate: num(f['pod-rate'], 'pod-rate', d.podRate),
    maxAlive: d.maxAlive,
    steadyRate: num(f['steady-rate'], 'steady-rate', d.steadyRate),
    shopRate: num(f['shop-rate'], 'shop-rate', d.shopRate),
    sampleMs: num(f['sample-every'], 'sample-every', d.sampleMs / 1000) * 1000,
    packetRing: f['packet-ring'] ?? d.packetRing,
    logDir,
    log,
  });
  await writeFile(out, `${JSON.stringify(report, null, 1)}\n`);
  log('');
  log(formatReport(report));
  log('');
  log(`soak: report in ${out}, hub and worker logs in ${logDir}`);
  return Object.values(report.goals).every(Boolean) ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  // A SoakError or a bad flag is one line; anything else is a bug of the soak: its stack.
  const known = err instanceof SoakError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE';
  process.stderr.write(`podtap soak: ${known || !(err instanceof Error) ? String((err as Error).message ?? err) : err.stack ?? err.message}\n`);
  process.exitCode = 2;
});
