/**
 * JSON lines: one entry per line, the text `JSON.stringify(entry)` gives
 * (fields in docs/fields.md), written as bytes by http-json.ts. JSON escapes
 * every control character, so a line never breaks inside an entry and
 * `jq -c`, `grep` and `split` work.
 */
import type { Entry } from '../entries/types.js';
import type { ByteSink, EntryWriter } from './types.js';
import { writeEntryJson } from './http-json.js';
import { JsonBytes } from './json-bytes.js';

export class JsonlWriter implements EntryWriter {
  /** Entries written. */
  count = 0;

  /** One entry's bytes at a time: handed to the sink after each entry, so nothing waits here. */
  private readonly scratch = new JsonBytes();

  constructor(private readonly sink: ByteSink) {}

  write(entry: Entry): void {
    const out = this.scratch;
    out.pos = 0;
    writeEntryJson(entry, out);
    out.ascii('\n');
    this.sink.writeBytes(out.buf, 0, out.pos);
    this.count++;
  }

  end(): void {
    this.sink.end();
  }
}
