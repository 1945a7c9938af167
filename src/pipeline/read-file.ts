import type { Entry } from '../entries/types.js';
import type { PipelineOptions, PipelineResult, PipelineStats } from './types.js';
import { Pipeline } from './pipeline.js';
import { readCaptureFile } from '../capture/open.js';

export interface ReadFileOptions extends Partial<PipelineOptions> {
  /** Accept a capture whose last record is cut short (counted, not an error). */
  tolerateTruncation?: boolean;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Run a capture file through the pipeline. With `onEntry`, entries stream out
 * and are not kept (`entries` is empty); without it they are collected.
 */
export async function processCaptureFile(path: string, opts: ReadFileOptions = {}, onEntry?: (e: Entry) => void): Promise<PipelineResult & { captureFormat: string }> {
  const entries: Entry[] = [];
  const pipeline = new Pipeline(onEntry ?? ((e) => entries.push(e)), opts);
  const info = await readCaptureFile(path, pipeline, { tolerateTruncation: opts.tolerateTruncation, onProgress: opts.onProgress });
  const stats: PipelineStats = pipeline.finish();
  return { entries, stats, captureFormat: info.format + (info.compressed ? '.gz' : '') };
}
