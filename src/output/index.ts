/**
 * Output of `podtap read`: pick a format, give it a sink.
 *
 *   const sink = out ? FdSink.open(out) : FdSink.stdout();
 *   const writer = createEntryWriter('table', sink, {
 *     color: useColor(sink.isTTY), width: terminalWidth(),
 *   });
 *   for (const e of entries) writer.write(e);
 *   writer.end();
 */
import { HarWriter } from './har.js';
import { JsonlWriter } from './jsonl.js';
import { TableWriter } from './table.js';
import type { ByteSink, EntryWriter } from './types.js';

export type OutputFormat = 'jsonl' | 'table' | 'har';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['jsonl', 'table', 'har'];

export interface WriterOptions {
  /** Table only: ANSI colours. */
  color: boolean;
  /** Table only: line width in columns. */
  width: number;
  /** HAR only: podtap's version for `log.creator` (default: from package.json). */
  creatorVersion?: string;
}

export function createEntryWriter(format: OutputFormat, sink: ByteSink, options: WriterOptions): EntryWriter {
  switch (format) {
    case 'jsonl':
      return new JsonlWriter(sink);
    case 'table':
      return new TableWriter(sink, { color: options.color, width: options.width });
    case 'har':
      return new HarWriter(sink, { creatorVersion: options.creatorVersion });
  }
}

export type { ByteSink, ByteSinkStats, EntryWriter } from './types.js';
export { OutputClosedError } from './types.js';
export { DEFAULT_SINK_BUFFER_BYTES, FdSink, type FdSinkOptions, type WriteFn } from './fd-sink.js';
export { MemorySink } from './memory-sink.js';
export { JsonlWriter } from './jsonl.js';
export { TableWriter, terminalWidth, useColor, type TableOptions } from './table.js';
export { HarWriter, type HarOptions } from './har.js';
export { toHarEntry } from './har-entry.js';
export type { HarEntry } from './har-types.js';
