import type { ByteSink } from './types.js';

/**
 * A `ByteSink` that keeps the text in memory: for tests and for small outputs
 * built as one string (e.g. a HAR of a few entries for an HTTP response).
 * It holds everything written, so it is not for whole captures.
 */
export class MemorySink implements ByteSink {
  private readonly chunks: string[] = [];
  ended = false;
  flushes = 0;

  write(text: string): void {
    if (this.ended) throw new Error('MemorySink: write after end');
    this.chunks.push(text);
  }

  writeBytes(bytes: Uint8Array, start: number, end: number): void {
    this.write(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8'));
  }

  flush(): void {
    this.flushes++;
  }

  end(): void {
    this.ended = true;
  }

  /** Everything written so far. */
  text(): string {
    return this.chunks.join('');
  }
}
