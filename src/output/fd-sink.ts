/**
 * A `ByteSink` over a file descriptor: stdout (fd 1) or a file opened for
 * `--out`. Text is encoded straight into one preallocated buffer and pushed
 * with `fs.writeSync` when the buffer is full, on `flush()` and on `end()`,
 * so a run of small writes costs one syscall per `bufferSize` bytes.
 *
 * Writes are synchronous: output keeps pace with the pipeline without a queue
 * that could grow without bound. stdout can be a non-blocking pipe (Node and
 * other processes set O_NONBLOCK on shared pipes); then a full pipe answers
 * EAGAIN and the sink sleeps briefly and retries, counting each wait in
 * `stats.eagainWaits`. Partial writes are resumed where they stopped.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { OutputClosedError, type ByteSink, type ByteSinkStats } from './types.js';

/** Default batch size: large enough to amortise syscalls, small enough to stay in cache. */
export const DEFAULT_SINK_BUFFER_BYTES = 64 * 1024;
/** First sleep after EAGAIN; doubles per consecutive EAGAIN up to the max. */
const EAGAIN_WAIT_MIN_MS = 1;
const EAGAIN_WAIT_MAX_MS = 64;

/** `fs.writeSync(fd, buffer, offset, length)`; replaceable in tests to simulate EAGAIN and short writes. */
export type WriteFn = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;

export interface FdSinkOptions {
  /** Bytes batched before a write(2); default `DEFAULT_SINK_BUFFER_BYTES`. */
  bufferSize?: number;
  /** Close the descriptor at `end()` (true for files the sink opened). Default false. */
  closeOnEnd?: boolean;
  writeFn?: WriteFn;
}

const defaultWrite: WriteFn = (fd, buffer, offset, length) => writeSync(fd, buffer, offset, length);
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

export class FdSink implements ByteSink {
  readonly stats: ByteSinkStats = { bytes: 0, writes: 0, flushes: 0, eagainWaits: 0 };
  private readonly buf: Buffer;
  private pos = 0;
  private ended = false;
  private readonly closeOnEnd: boolean;
  private readonly writeFn: WriteFn;

  constructor(readonly fd: number, options: FdSinkOptions = {}) {
    const size = options.bufferSize ?? DEFAULT_SINK_BUFFER_BYTES;
    if (!Number.isInteger(size) || size < 16) throw new RangeError(`bufferSize must be an integer >= 16, got ${size}`);
    this.buf = Buffer.allocUnsafe(size);
    this.closeOnEnd = options.closeOnEnd ?? false;
    this.writeFn = options.writeFn ?? defaultWrite;
  }

  /** A sink on the process's standard output (not closed at end). */
  static stdout(options: Omit<FdSinkOptions, 'closeOnEnd'> = {}): FdSink {
    return new FdSink(1, options);
  }

  /** Create or truncate `path` and return a sink that owns (and closes) the descriptor. */
  static open(path: string, options: Omit<FdSinkOptions, 'closeOnEnd'> = {}): FdSink {
    return new FdSink(openSync(path, 'w'), { ...options, closeOnEnd: true });
  }

  /** True when the descriptor is a terminal (decides colour and width for tables). */
  get isTTY(): boolean {
    return isatty(this.fd);
  }

  /** Bytes waiting in the buffer. */
  get buffered(): number {
    return this.pos;
  }

  write(text: string): void {
    if (this.ended) throw new Error('FdSink: write after end');
    const free = this.buf.length - this.pos;
    // One UTF-16 unit never takes more than 3 UTF-8 bytes: skip measuring in the common case.
    if (text.length * 3 <= free) {
      this.pos += this.buf.write(text, this.pos);
      return;
    }
    const n = Buffer.byteLength(text);
    if (n > free) this.flush();
    if (n > this.buf.length) {
      // Larger than the whole buffer: one write straight from a temporary copy.
      const bytes = Buffer.from(text);
      this.writeAll(bytes, 0, bytes.length);
      return;
    }
    this.pos += this.buf.write(text, this.pos);
  }

  writeBytes(bytes: Uint8Array, start: number, end: number): void {
    if (this.ended) throw new Error('FdSink: write after end');
    const n = end - start;
    if (n > this.buf.length - this.pos) this.flush();
    if (n > this.buf.length) {
      this.writeAll(bytes, start, n); // larger than the whole buffer: straight from the caller's bytes
      return;
    }
    this.buf.set(bytes.subarray(start, end), this.pos);
    this.pos += n;
  }

  flush(): void {
    if (this.pos === 0) return;
    const n = this.pos;
    // Reset first: if the reader is gone the bytes are lost anyway, and end() must not retry them.
    this.pos = 0;
    this.writeAll(this.buf, 0, n);
  }

  end(): void {
    if (this.ended) return;
    try {
      this.flush();
    } finally {
      this.ended = true;
      if (this.closeOnEnd) closeSync(this.fd);
    }
  }

  private writeAll(bytes: Uint8Array, offset: number, length: number): void {
    this.stats.flushes++;
    let wait = EAGAIN_WAIT_MIN_MS;
    while (length > 0) {
      let n: number;
      try {
        n = this.writeFn(this.fd, bytes, offset, length);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
          this.stats.eagainWaits++;
          Atomics.wait(sleepCell, 0, 0, wait);
          wait = Math.min(wait * 2, EAGAIN_WAIT_MAX_MS);
          continue;
        }
        if (code === 'EPIPE') throw new OutputClosedError(code);
        throw err;
      }
      if (n <= 0) {
        // Nothing accepted without an error: treat like EAGAIN rather than spin.
        this.stats.eagainWaits++;
        Atomics.wait(sleepCell, 0, 0, wait);
        wait = Math.min(wait * 2, EAGAIN_WAIT_MAX_MS);
        continue;
      }
      wait = EAGAIN_WAIT_MIN_MS;
      this.stats.writes++;
      this.stats.bytes += n;
      offset += n;
      length -= n;
    }
  }
}
