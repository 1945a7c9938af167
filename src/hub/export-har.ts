/**
 * `GET /api/export.har`: the matching stored entries as one HAR 1.2 log,
 * streamed (the HarWriter renders into a small buffer that is handed to the
 * response every few hundred entries), so an export of any size holds only
 * one page of rows in memory.
 */
import { Readable } from 'node:stream';
import { HarWriter } from '../output/har.js';
import type { ByteSink } from '../output/types.js';
import type { StoredRow } from './store.js';

class ChunkSink implements ByteSink {
  chunks: string[] = [];
  write(text: string): void { this.chunks.push(text); }
  writeBytes(bytes: Uint8Array, start: number, end: number): void { this.chunks.push(Buffer.from(bytes.subarray(start, end)).toString('utf8')); }
  flush(): void {}
  end(): void {}
  take(): string { const s = this.chunks.join(''); this.chunks = []; return s; }
}

/** Entries handed to the response per chunk. */
const ROWS_PER_CHUNK = 200;

export function exportHar(rows: Iterable<StoredRow>): Readable {
  function* render(): Generator<string> {
    const sink = new ChunkSink();
    const har = new HarWriter(sink);
    let n = 0;
    for (const r of rows) {
      // A stored entry the HAR form cannot read (a worker sent a body that is not text) is counted, not a broken export.
      try { har.write(r.entry); } catch { har.skipped.unreadable = (har.skipped.unreadable ?? 0) + 1; }
      if (++n % ROWS_PER_CHUNK === 0) yield sink.take();
    }
    har.end();
    yield sink.take();
  }
  return Readable.from(render(), { objectMode: false });
}
