/**
 * Open a capture: detect pcap / pcapng (under optional gzip) and stream it
 * through the matching reader into a PacketSink, never holding the whole file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { hexPrefix } from './bytes.js';
import type { ReaderOptions } from './framed-reader.js';
import { PcapReader, pcapMagic } from './pcap.js';
import { PcapngReader, isShbAt } from './pcapng.js';
import { CaptureFormatError, type CaptureReader, type CaptureReaderStats, type PacketSink } from './types.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/** Default read size: large reads keep syscalls and chunk-boundary copies rare. */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/** zlib refuses smaller output chunks. */
const MIN_GUNZIP_CHUNK = 64;

export interface ReadCaptureOptions extends ReaderOptions {
  /** Called after each chunk read from disk (compressed bytes for gzip files). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Read size in bytes; defaults to DEFAULT_CHUNK_BYTES. */
  chunkSize?: number;
}

export interface ReadCaptureResult {
  format: CaptureFormat;
  compressed: boolean;
  stats: CaptureReaderStats;
}

/** pcap or pcapng from the first (decompressed) bytes; null when neither or fewer than 4 bytes. */
export function detectCaptureFormat(firstBytes: Uint8Array): CaptureFormat | null {
  if (firstBytes.length < 4) return null;
  if (isShbAt(firstBytes, 0)) return 'pcapng';
  return pcapMagic(firstBytes) === null ? null : 'pcap';
}

/** gzip magic 1f 8b. */
export function isGzip(firstBytes: Uint8Array): boolean {
  return firstBytes.length >= 2 && firstBytes[0] === 0x1f && firstBytes[1] === 0x8b;
}

/** A reader for the format `firstBytes` start with, for callers that push bytes themselves. */
export function createCaptureReader(firstBytes: Uint8Array, sink: PacketSink, opts: ReaderOptions = {}): CaptureReader {
  const format = detectCaptureFormat(firstBytes);
  if (format === null) throw notACapture(`input starts with ${hexPrefix(firstBytes)}`);
  return format === 'pcap' ? new PcapReader(sink, opts) : new PcapngReader(sink, opts);
}

/**
 * Stream the capture file at `path` into `sink`. Errors: CaptureFormatError for
 * a file that cannot be opened or read, is not a capture, is corrupt or (unless
 * `tolerateTruncation`) truncated; errors thrown by the sink pass through as is.
 */
export async function readCaptureFile(path: string, sink: PacketSink, opts: ReadCaptureOptions = {}): Promise<ReadCaptureResult> {
  const chunkSize = checkChunkSize(opts.chunkSize ?? DEFAULT_CHUNK_BYTES);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw fsError('cannot open', path, e);
  }
  try {
    let total: number;
    const magic = new Uint8Array(2);
    try {
      total = (await fh.stat()).size;
      await fh.read(magic, 0, 2, 0);
    } catch (e) {
      throw fsError('cannot read', path, e);
    }
    if (total === 0) throw notACapture(`${path} is empty`);
    const compressed = isGzip(magic);
    let source: AsyncIterable<Buffer>;
    if (compressed) {
      const raw = fh.createReadStream({ start: 0, highWaterMark: chunkSize, autoClose: false });
      let read = 0;
      raw.on('data', (c: string | Buffer) => opts.onProgress?.((read += c.length), total));
      source = pipeline(raw, createGunzip({ chunkSize: Math.max(chunkSize, MIN_GUNZIP_CHUNK) }), () => {}); // errors surface through the iteration below
    } else source = fileChunks(fh, chunkSize);
    const reader = await pump(source, path, sink, opts, compressed ? undefined : total);
    reader.end();
    return { format: reader.format, compressed, stats: reader.stats };
  } finally {
    await fh.close();
  }
}

/**
 * The file's bytes in chunks read into one buffer, reused for every chunk: a
 * record is a view that lives only during `PacketSink.packet` (the readers
 * copy what crosses a chunk). A fresh buffer per chunk, as a ReadStream
 * makes, grows V8's external memory by the file's size and brings full
 * collections with it (7 on a 111 MiB capture, against none).
 */
async function* fileChunks(fh: FileHandle, chunkSize: number): AsyncGenerator<Buffer> {
  const buf = Buffer.allocUnsafe(chunkSize);
  let position = 0;
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, chunkSize, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

/**
 * Stream a capture from any readable (standard input for `podtap read -`,
 * a pipe from tcpdump -w -), gunzipping it when its first bytes say gzip.
 * `name` is used in error messages. Same errors as readCaptureFile.
 */
export async function readCaptureStream(input: Readable, name: string, sink: PacketSink, opts: ReaderOptions = {}): Promise<ReadCaptureResult> {
  const it = (input as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let first: IteratorResult<Buffer>;
  try {
    first = await it.next();
  } catch (e) {
    throw streamError(name, e);
  }
  if (first.done === true || first.value.length === 0) throw notACapture(`${name} is empty`);
  const head = typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done === true) return;
      yield n.value;
    }
  }
  const compressed = isGzip(head);
  let source: Readable = Readable.from(all(), { objectMode: false });
  if (compressed) source = pipeline(source, createGunzip(), () => {}); // errors surface through the iteration in pump()
  const reader = await pump(source, name, sink, opts, undefined);
  reader.end();
  return { format: reader.format, compressed, stats: reader.stats };
}

/** Iterate `source` into a reader created from its first 4 bytes; reports progress when `total` is given. */
async function pump(
  source: AsyncIterable<Buffer>,
  path: string,
  sink: PacketSink,
  opts: ReadCaptureOptions,
  total: number | undefined,
): Promise<CaptureReader> {
  let reader: CaptureReader | undefined;
  let head: Buffer | undefined; // bytes gathered until the format is known (only if the first chunk has < 4)
  let read = 0;
  let pushing = false; // errors raised while pushing come from the reader or the sink: never remapped
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (total !== undefined) opts.onProgress?.((read += chunk.length), total);
      pushing = true;
      if (reader !== undefined) {
        reader.push(chunk);
      } else {
        head = Buffer.concat(head === undefined ? [chunk] : [head, chunk]); // a copy: the chunk's buffer may be reused
        if (head.length >= 4) {
          if (detectCaptureFormat(head) === null) throw notACapture(`${path} starts with ${hexPrefix(head)}`);
          reader = createCaptureReader(head, sink, opts);
          reader.push(head);
        }
      }
      pushing = false;
    }
  } catch (e) {
    throw pushing ? e : streamError(path, e);
  }
  if (reader === undefined) throw notACapture(`${path} is too short (${head?.length ?? 0} bytes)`);
  return reader;
}

/**
 * Parse a whole capture held in memory (optionally gzipped), synchronously.
 * `chunkSize` splits it into pushes of that size, to exercise chunk boundaries.
 */
export function readCaptureBuffer(
  buf: Uint8Array,
  sink: PacketSink,
  opts: ReaderOptions & { chunkSize?: number } = {},
): ReadCaptureResult {
  const compressed = isGzip(buf);
  const bytes = compressed ? gunzipSync(buf) : buf;
  const reader = createCaptureReader(bytes, sink, opts);
  const step = checkChunkSize(opts.chunkSize ?? (bytes.length || 1));
  for (let o = 0; o < bytes.length; o += step) reader.push(bytes.subarray(o, o + step));
  reader.end();
  return { format: reader.format, compressed, stats: reader.stats };
}

function checkChunkSize(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`chunkSize must be a positive integer, got ${n}`);
  return n;
}

function notACapture(detail: string): CaptureFormatError {
  return new CaptureFormatError(`not a capture file (pcap or pcapng): ${detail}`);
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  EIO: 'I/O error',
};

function fsError(verb: string, path: string, e: unknown): CaptureFormatError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code !== undefined && FS_REASONS[code]) || (e instanceof Error ? e.message : String(e));
  return new CaptureFormatError(`${verb} ${path}: ${reason}`);
}

/** Map errors from the file or gzip streams to CaptureFormatError. */
function streamError(path: string, e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const err = e as NodeJS.ErrnoException;
  if (typeof err.code === 'string' && err.code.startsWith('Z_')) {
    return new CaptureFormatError(`corrupt gzip data in ${path}: ${err.message}`);
  }
  if (typeof err.syscall === 'string') return fsError('cannot read', path, e);
  return e;
}
