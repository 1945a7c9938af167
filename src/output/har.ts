/**
 * HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), streamed:
 *   1. the first `write()` (or `end()`, for an empty log) writes the header,
 *      `{"log":{"version":"1.2","creator":{...},"entries":[`;
 *   2. each HTTP entry is converted and written as it comes, one per line;
 *      entries of other protocols (DNS) have no HAR form and are counted in
 *      `skipped`;
 *   3. `end()` closes the array and writes `log._podtap` with the counts.
 * No entry is kept after `write()`, so the log can be as long as the capture.
 */
import type { Entry } from '../entries/types.js';
import { podtapVersion } from '../util/version.js';
import { toHarEntry } from './har-entry.js';
import type { ByteSink, EntryWriter } from './types.js';

export interface HarOptions {
  /** podtap's version, for `log.creator.version`; read from package.json when not given. */
  creatorVersion?: string;
}

export class HarWriter implements EntryWriter {
  /** HTTP entries written. */
  count = 0;
  /** Entries without a HAR form, by protocol. */
  readonly skipped: Record<string, number> = {};
  private started = false;

  constructor(private readonly sink: ByteSink, private readonly options: HarOptions = {}) {}

  write(entry: Entry): void {
    if (entry.protocol !== 'http') {
      this.skipped[entry.protocol] = (this.skipped[entry.protocol] ?? 0) + 1;
      return;
    }
    this.start();
    this.sink.write((this.count === 0 ? '\n' : ',\n') + JSON.stringify(toHarEntry(entry)));
    this.count++;
  }

  end(): void {
    this.start();
    const summary = { entries: this.count, skipped: this.skipped };
    this.sink.write(`\n],"_podtap":${JSON.stringify(summary)}}}\n`);
    this.sink.end();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const creator = { name: 'podtap', version: this.options.creatorVersion ?? podtapVersion() };
    this.sink.write(`{"log":{"version":"1.2","creator":${JSON.stringify(creator)},"entries":[`);
  }
}
