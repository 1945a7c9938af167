/**
 * JSON lines: one entry per line, `JSON.stringify(entry)` of the entry as it
 * is (fields in docs/fields.md). JSON escapes every control character, so a
 * line never breaks inside an entry and `jq -c`, `grep` and `split` work.
 */
import type { Entry } from '../entries/types.js';
import type { ByteSink, EntryWriter } from './types.js';

export class JsonlWriter implements EntryWriter {
  /** Entries written. */
  count = 0;

  constructor(private readonly sink: ByteSink) {}

  write(entry: Entry): void {
    this.sink.write(JSON.stringify(entry) + '\n');
    this.count++;
  }

  end(): void {
    this.sink.end();
  }
}
