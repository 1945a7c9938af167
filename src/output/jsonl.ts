/**
 * JSON lines: one entry per line, the text `JSON.stringify(entry)` gives
 * (fields in docs/fields.md), made by http-json.ts. JSON escapes every control character, so a
 * line never breaks inside an entry and `jq -c`, `grep` and `split` work.
 */
import type { Entry } from '../entries/types.js';
import type { ByteSink, EntryWriter } from './types.js';
import { entryJson } from './http-json.js';

export class JsonlWriter implements EntryWriter {
  /** Entries written. */
  count = 0;

  constructor(private readonly sink: ByteSink) {}

  write(entry: Entry): void {
    this.sink.write(entryJson(entry) + '\n');
    this.count++;
  }

  end(): void {
    this.sink.end();
  }
}
