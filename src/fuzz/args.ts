/**
 * `npm run fuzz -- [--budget 60s] [--target NAME[,NAME…]] [--seed N] [--jobs N]
 *                  [--execs N] [--out DIR | --no-save] [--no-coverage] [--json FILE] [--list]`
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../cli/errors.js';
import { fixturePath } from '../util/paths.js';

export interface FuzzArgs {
  budgetMs: number;
  targets: string[] | null;
  seed: number;
  jobs: number;
  maxExecs: number;
  outDir: string | null;
  coverage: boolean;
  json: string | null;
  list: boolean;
}

export const DEFAULT_BUDGET_MS = 60_000;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export const USAGE = `usage: npm run fuzz -- [--budget 60s|20m|1h] [--target NAME[,NAME...]] [--seed N] [--jobs N]
                     [--execs N] [--out DIR | --no-save] [--no-coverage] [--json FILE] [--list]`;

/** "90", "90s", "20m", "1h", "1500ms" → ms. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) throw new UsageError(`--budget: not a duration: ${text} (try 60s, 20m, 1h)`);
  return Math.round(Number(m[1]) * UNITS[m[2] ?? 's']);
}

function count(flag: string, text: string | undefined, min: number): number {
  const n = Number(text);
  if (text === undefined || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag}: expected an integer >= ${min}, got ${text ?? 'nothing'}`);
  return n;
}

export function parseArgs(argv: readonly string[]): FuzzArgs {
  const a: FuzzArgs = {
    budgetMs: DEFAULT_BUDGET_MS, targets: null, seed: Math.floor(Math.random() * 2 ** 31), jobs: availableParallelism(),
    maxExecs: Number.MAX_SAFE_INTEGER, outDir: fixturePath('fuzz'), coverage: true, json: null, list: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string | undefined => argv[++i];
    switch (flag) {
      case '--budget': a.budgetMs = parseDuration(value() ?? ''); break;
      case '--target': a.targets = (value() ?? '').split(',').filter((t) => t !== ''); break;
      case '--seed': a.seed = count(flag, value(), 0); break;
      case '--jobs': a.jobs = count(flag, value(), 1); break;
      case '--execs': a.maxExecs = count(flag, value(), 1); break;
      case '--out': a.outDir = value() ?? ''; break;
      case '--no-save': a.outDir = null; break;
      case '--no-coverage': a.coverage = false; break;
      case '--json': a.json = value() ?? null; break;
      case '--list': a.list = true; break;
      case '--help': case '-h': throw new UsageError(USAGE);
      default: throw new UsageError(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return a;
}
