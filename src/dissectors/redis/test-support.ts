/** Test helpers: a registry with redis, captures through the pipeline, RESP encoding. */
import { DissectorRegistry, DISSECTORS } from '../registry.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { readCaptureFile } from '../../capture/open.js';
import type { PipelineStats } from '../../pipeline/types.js';
import type { Entry } from '../../entries/types.js';
import { redisSpec, type RedisEntry } from './index.js';

export function redisRegistry(): DissectorRegistry {
  return new DissectorRegistry([...DISSECTORS, redisSpec]);
}

export async function readRedisCapture(path: string): Promise<{ entries: RedisEntry[]; stats: PipelineStats }> {
  const entries: RedisEntry[] = [];
  const p = new Pipeline((e: Entry) => { if ((e as { protocol: string }).protocol === 'redis') entries.push(e as unknown as RedisEntry); }, {}, redisRegistry());
  await readCaptureFile(path, p);
  const stats = p.finish();
  return { entries, stats };
}

/** A RESP request: `*N` of bulk strings. */
export function cmd(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}
