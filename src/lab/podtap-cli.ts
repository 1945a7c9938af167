/**
 * Runs the built podtap CLI (`node bin/podtap.js read …`) as a separate
 * process, the way users run it, and reads its JSON-lines output back.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry } from '../entries/types.js';
import { packageRoot } from '../util/paths.js';
import { run } from './proc.js';

/** Longest a golden `podtap read` may take. */
export const PODTAP_READ_TIMEOUT_MS = 60_000;

export function podtapBin(): string {
  return join(packageRoot(), 'bin', 'podtap.js');
}

/** Why the CLI cannot be run yet (not written or not built), or undefined. */
export function podtapSkipReason(): string | undefined {
  const root = packageRoot();
  if (!existsSync(podtapBin())) return 'bin/podtap.js does not exist yet';
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) return 'dist/cli/main.js is not built (run npx tsc -p .)';
  return undefined;
}

/** Runs `podtap read <capture> --format jsonl --out <outFile>` and parses every line. */
export async function podtapReadEntries(capture: string, outFile: string): Promise<Entry[]> {
  await run(process.execPath, [podtapBin(), 'read', capture, '--format', 'jsonl', '--out', outFile], { timeoutMs: PODTAP_READ_TIMEOUT_MS });
  const text = await readFile(outFile, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Entry);
}
