/**
 * Times one tool run: pinned to one CPU with `taskset`, wall time measured
 * here, peak RSS from GNU time (`/usr/bin/time -f %M`, KiB) of the tool
 * process. Output goes to /dev/null unless the argv names a file itself.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from '../lab/proc.js';

export const GNU_TIME = '/usr/bin/time';
/** Most stderr kept per run (podtap --stats prints a few lines). */
const MAX_STDERR_CHARS = 16 * 1024;

export interface Timing {
  tool: string;
  argv: string[];
  wallSeconds: number;
  /** Peak resident set of the tool in bytes; undefined when GNU time is missing. */
  maxRssBytes: number | undefined;
  exitCode: number | null;
  stderr: string;
}

export interface TimeOptions {
  /** CPU list for taskset; undefined runs unpinned. */
  cpu?: string;
  timeoutMs?: number;
}

export async function timeCommand(tool: string, argv: string[], o: TimeOptions = {}): Promise<Timing> {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-bench-time-'));
  const rssFile = join(dir, 'rss');
  const haveTime = which(GNU_TIME) !== undefined;
  let cmd = argv;
  if (haveTime) cmd = [GNU_TIME, '-f', '%M', '-o', rssFile, ...cmd];
  if (o.cpu !== undefined && which('taskset')) cmd = ['taskset', '-c', o.cpu, ...cmd];
  const started = process.hrtime.bigint();
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(cmd[0] as string, cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-MAX_STDERR_CHARS)));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30 * 60_000);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, stderr: err });
    });
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  let maxRssBytes: number | undefined;
  if (haveTime) {
    const lines = (await readFile(rssFile, 'utf8').catch(() => '')).trim().split('\n');
    const kib = Number(lines[lines.length - 1]);
    if (Number.isFinite(kib) && kib > 0) maxRssBytes = kib * 1024;
  }
  await rm(dir, { recursive: true, force: true });
  return { tool, argv, wallSeconds, maxRssBytes, exitCode: code, stderr };
}
