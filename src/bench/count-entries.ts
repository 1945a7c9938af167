/**
 * Runs `podtap read FILE --format jsonl` with output on a pipe and tallies the
 * entries as they stream (never holding them all), for the benchmark's
 * correctness check. Untimed: the timed run writes to /dev/null.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Entry } from '../entries/types.js';

export interface EntryTally {
  total: number;
  http: number;
  /** HTTP entries that have a request. */
  httpRequests: number;
  /** HTTP entries with both request and response. */
  httpComplete: number;
  /** HTTP entries flagged no-response. */
  httpNoResponse: number;
  /** HTTP entries whose response status is not 200. */
  httpNon200: number;
  dns: number;
  /** Count per flag over all entries. */
  flags: Record<string, number>;
}

export function emptyTally(): EntryTally {
  return { total: 0, http: 0, httpRequests: 0, httpComplete: 0, httpNoResponse: 0, httpNon200: 0, dns: 0, flags: {} };
}

/** Adds every entry of a JSON-lines stream to `t` as it arrives; blank lines are skipped. */
export async function tallyJsonl(input: NodeJS.ReadableStream, t: EntryTally = emptyTally()): Promise<EntryTally> {
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line === '') continue;
    const e = JSON.parse(line) as Entry;
    t.total++;
    for (const f of e.flags) t.flags[f] = (t.flags[f] ?? 0) + 1;
    if (e.protocol === 'dns') t.dns++;
    if (e.protocol !== 'http') continue;
    t.http++;
    if (e.request) t.httpRequests++;
    if (e.request && e.response) t.httpComplete++;
    if (e.flags.includes('no-response')) t.httpNoResponse++;
    if (e.response && e.response.status !== 200) t.httpNon200++;
  }
  return t;
}

export async function tallyPodtapEntries(bin: string, capture: string): Promise<EntryTally> {
  const child = spawn(process.execPath, [bin, 'read', capture, '--format', 'jsonl'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-8192)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const t = await tallyJsonl(child.stdout);
  const code = await exited;
  if (code !== 0) throw new Error(`podtap read exited ${code}: ${stderr.trim()}`);
  return t;
}
