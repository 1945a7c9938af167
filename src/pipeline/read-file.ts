import type { Entry } from '../entries/types.js';
import type { PipelineOptions, PipelineResult, PipelineStats } from './types.js';
import { Pipeline } from './pipeline.js';
import { readCaptureFile, readCaptureStream } from '../capture/open.js';
import { CaptureFormatError } from '../capture/types.js';

export interface ReadFileOptions extends Partial<PipelineOptions> {
  /** Accept a capture whose last record is cut short (counted, not an error). */
  tolerateTruncation?: boolean;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * A capture that broke part-way (truncated record, corrupt block). Everything
 * before the break was processed and its entries emitted: `stats` counts it.
 */
export class PartialCaptureError extends CaptureFormatError {
  constructor(cause: CaptureFormatError, readonly stats: PipelineStats) {
    super(cause.message);
  }
}

/**
 * Run a capture file (or standard input, as `-`) through the pipeline. With `onEntry`, entries stream out
 * and are not kept (`entries` is empty); without it they are collected.
 * If the file breaks part-way, the connections seen so far are still closed
 * (their exchanges emitted) before a `PartialCaptureError` is thrown.
 */
export async function processCaptureFile(path: string, opts: ReadFileOptions = {}, onEntry?: (e: Entry) => void): Promise<PipelineResult & { captureFormat: string }> {
  const entries: Entry[] = [];
  const pipeline = new Pipeline(onEntry ?? ((e) => entries.push(e)), opts);
  let info;
  try {
    info = path === '-'
      ? await readCaptureStream(process.stdin, 'standard input', pipeline, { tolerateTruncation: opts.tolerateTruncation })
      : await readCaptureFile(path, pipeline, { tolerateTruncation: opts.tolerateTruncation, onProgress: opts.onProgress });
  } catch (err) {
    if (err instanceof CaptureFormatError && pipeline.stats.packets > 0) throw new PartialCaptureError(err, pipeline.finish());
    throw err;
  }
  const stats: PipelineStats = pipeline.finish();
  return { entries, stats, captureFormat: info.format + (info.compressed ? '.gz' : '') };
}
