/**
 * The output contract of `podtap read`: entries go to an `EntryWriter`, which
 * renders them (JSON lines, a terminal table, HAR) as text into a `ByteSink`.
 *
 * Call order: `write()` once per entry, in the order the pipeline emits them,
 * then `end()` exactly once. Writers stream: they keep no entry after
 * `write()` returns (a writer may keep a few counters and column widths), so
 * memory stays flat however long the capture is. `end()` writes any footer
 * and ends the sink.
 *
 * Ownership: a writer reads the entry only during `write()` and never changes
 * it; the caller may drop or reuse it afterwards.
 */
import type { Entry } from '../entries/types.js';

export interface EntryWriter {
  write(entry: Entry): void;
  /** Write the footer (if the format has one) and end the sink. Call once. */
  end(): void;
}

/**
 * Where rendered text goes. Implementations buffer: `write()` is called once
 * or a few times per entry (300k+ entries/s) and must not cost a syscall
 * each time.
 *
 * Errors: a sink whose reader went away (EPIPE, e.g. `podtap read | head`)
 * throws `OutputClosedError` from `write()`, `flush()` or `end()`; other I/O
 * errors are thrown as they come (they are errors at a boundary, not traffic).
 */
export interface ByteSink {
  /** Append the UTF-8 bytes of `text`; may stay buffered until the buffer fills. */
  write(text: string): void;
  /** Append `bytes[start..end)` (UTF-8 text already encoded); the caller may reuse `bytes` when this returns. */
  writeBytes(bytes: Uint8Array, start: number, end: number): void;
  /** Push everything buffered so far to the destination now (e.g. when a live capture goes idle). */
  flush(): void;
  /** Flush and release the destination (closing it if the sink opened it). Idempotent. */
  end(): void;
}

/** Counters of one sink; shows how often the reader was slow (EAGAIN) and how output was batched. */
export interface ByteSinkStats {
  /** Bytes handed to the destination. */
  bytes: number;
  /** write(2) calls that wrote something. */
  writes: number;
  /** Times the buffer was pushed out (full, explicit flush, or end). */
  flushes: number;
  /** Times a write found the destination full (EAGAIN) and waited before retrying. */
  eagainWaits: number;
}

/** The reader of the output went away (EPIPE): stop producing output, this is not a failure of the run. */
export class OutputClosedError extends Error {
  override readonly name = 'OutputClosedError';
  constructor(readonly code: string) {
    super(`output closed by the reader (${code})`);
  }
}
