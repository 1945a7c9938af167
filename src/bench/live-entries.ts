/**
 * Tallies a worker's JSON-lines output as it streams from disk (never holding
 * every entry), with the same tally the recorded benchmark uses.
 */
import { createReadStream } from 'node:fs';
import { emptyTally, tallyJsonl, type EntryTally } from './count-entries.js';

export { emptyTally };

export async function tallyJsonlFile(file: string, t: EntryTally = emptyTally()): Promise<EntryTally> {
  return tallyJsonl(createReadStream(file), t);
}
