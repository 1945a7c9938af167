/**
 * What every pipeline-driving target does with the entries it gets: what the
 * writers and the UI would do first — describe it and turn it into JSON.
 * Entries are plain JSON by contract (ARCHITECTURE.md), so both must work.
 */
import { describeEntry } from '../../dissectors/describe.js';
import type { Entry } from '../../entries/types.js';

export function consumeEntry(e: Entry): void {
  describeEntry(e);
  JSON.stringify(e);
}
