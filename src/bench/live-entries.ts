/**
 * Tallies a worker's JSON-lines output as it streams from disk (never holding
 * every entry), with the same tally the recorded benchmark uses.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Entry } from '../entries/types.js';
import type { EntryTally } from './count-entries.js';

export function emptyTally(): EntryTally {
  return { total: 0, http: 0, httpRequests: 0, httpComplete: 0, httpNoResponse: 0, httpNon200: 0, dns: 0, flags: {} };
}

export async function tallyJsonlFile(file: string, t: EntryTally = emptyTally()): Promise<EntryTally> {
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
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
