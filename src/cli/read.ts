import { statSync } from 'node:fs';
import type cliProgress from 'cli-progress';
import type { Entry } from '../entries/types.js';
import type { EntryWriter } from '../output/types.js';
import { FdSink } from '../output/fd-sink.js';
import { OutputClosedError } from '../output/types.js';
import { PartialCaptureError, processCaptureFile } from '../pipeline/read-file.js';
import { formatStats } from './stats-report.js';
import { UsageError } from './errors.js';
import { fixturePath } from '../util/paths.js';
import type { EntryPredicate } from '../query/index.js';

// The filter compiler, the table and HAR writers and the progress bar are imported when asked for:
// a read that needs none of them starts about 20 ms sooner (module loading is most of podtap's start-up).

export const FORMATS = ['table', 'jsonl', 'har'] as const;
export type Format = (typeof FORMATS)[number];

/** Captures smaller than this get no progress bar: they finish before it would draw. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

export interface ReadOptions {
  format: string;
  out?: string;
  stats?: boolean;
  maxBodyBytes: string;
  decodeBodies: boolean;
  progress: boolean;
  tolerateTruncation?: boolean;
  /** KFL filter text (docs/filters.md); only matching entries are written. */
  filter?: string;
}

/** The capture `podtap read` uses when none is named: HTTP and DNS recorded from real clients. */
export function demoCapture(): string {
  return fixturePath('demo', 'demo.pcap');
}

function parseSize(text: string): number {
  const m = /^(\d+)\s*([kKmM]i?[bB]?)?$/.exec(text.trim());
  if (!m) throw new UsageError(`--max-body-bytes: expected a size like 65536, 64k or 1m, got "${text}"`);
  const unit = (m[2] ?? '').toLowerCase()[0];
  const n = Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : 1);
  if (!Number.isSafeInteger(n) || n > 1024 * 1024 * 1024) throw new UsageError(`--max-body-bytes: ${text} is too large (max 1g)`);
  return n;
}

/** The --filter predicate; an invalid filter is a usage error (one line, exit code 2), reported before any output is opened. */
async function readFilter(text: string | undefined): Promise<EntryPredicate | undefined> {
  if (text === undefined) return undefined;
  const { FilterError, compilePredicate, parseFilter } = await import('../query/index.js');
  try {
    return compilePredicate(parseFilter(text), { now: Date.now() });
  } catch (err) {
    if (err instanceof FilterError) throw new UsageError(`invalid filter at column ${err.column}: ${err.detail}`);
    throw err;
  }
}

async function makeWriter(format: Format, sink: FdSink): Promise<EntryWriter> {
  switch (format) {
    case 'jsonl': return new (await import('../output/jsonl.js')).JsonlWriter(sink);
    case 'har': return new (await import('../output/har.js')).HarWriter(sink);
    case 'table': {
      const { TableWriter, terminalWidth, useColor } = await import('../output/table.js');
      return new TableWriter(sink, { color: useColor(sink.isTTY), width: sink.isTTY ? terminalWidth() : 160 });
    }
  }
}

export async function runRead(file: string | undefined, o: ReadOptions): Promise<number> {
  if (!(FORMATS as readonly string[]).includes(o.format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${o.format}"`);
  }
  const maxBodyBytes = parseSize(o.maxBodyBytes);
  const keep = await readFilter(o.filter);
  const path = file ?? demoCapture();
  let total = 0;
  if (path !== '-') try { total = statSync(path).size; } catch { /* reported by the reader with a clear message */ }
  const sink = o.out !== undefined ? FdSink.open(o.out) : FdSink.stdout();
  const writer = await makeWriter(o.format as Format, sink);
  let bar: cliProgress.SingleBar | null = null;
  if (o.progress && process.stderr.isTTY && total >= PROGRESS_MIN_BYTES) {
    const { default: cliProgress } = await import('cli-progress');
    bar = new cliProgress.SingleBar({ stream: process.stderr, format: 'reading [{bar}] {percentage}% | {value}/{total} MiB | {eta}s', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
    bar.start(Math.ceil(total / 1048576), 0);
  }
  let written = 0;
  let outputClosed = false;
  const onEntry = (e: Entry): void => {
    if (outputClosed || (keep !== undefined && !keep(e))) return;
    try { writer.write(e); written++; } catch (err) {
      if (err instanceof OutputClosedError) outputClosed = true; else throw err;
    }
  };
  const started = process.hrtime.bigint();
  try {
    const r = await processCaptureFile(path, {
      maxBodyBytes, decodeBodies: o.decodeBodies, tolerateTruncation: o.tolerateTruncation,
      onProgress: bar ? (n) => bar!.update(Math.floor(n / 1048576)) : undefined,
    }, onEntry);
    bar?.stop();
    try { writer.end(); } catch (err) { if (!(err instanceof OutputClosedError)) throw err; }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (o.stats) process.stderr.write(formatStats(r.stats, { seconds, format: r.captureFormat, written }));
    return 0;
  } catch (err) {
    bar?.stop();
    // A capture that broke part-way: what came before is still written, then the error is reported.
    try { if (err instanceof PartialCaptureError) writer.end(); else sink.end(); } catch { /* already reporting an error */ }
    if (err instanceof PartialCaptureError && o.stats) {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      process.stderr.write(formatStats(err.stats, { seconds, format: 'partial', written }));
    }
    throw err;
  }
}
