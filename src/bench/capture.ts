/**
 * The benchmark capture, recorded once and reused from .bench/ while it holds
 * enough packets (record-http.ts records it). Shared by the file benchmark
 * (main.ts) and the live replay row (live.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { netnsSkipReason } from '../lab/netns.js';
import { missingTools } from '../lab/proc.js';
import { recordHttpCapture, type BenchCaptureMeta } from './record-http.js';
import { mib } from './report.js';

/** Bump the version when the recording changes meaning, so old caches are not reused. */
export const CAPTURE_NAME = 'http-keepalive-v2.pcap';
const RECORD_TOOLS = ['tcpdump', 'wrk', 'curl', 'taskset'];

const log = (line: string): void => void process.stdout.write(line + '\n');

export async function ensureCapture(dir: string, target: number, connections: number, rerecord: boolean): Promise<BenchCaptureMeta> {
  const file = join(dir, CAPTURE_NAME);
  const metaFile = join(dir, CAPTURE_NAME.replace(/\.pcap$/, '.json'));
  if (!rerecord && existsSync(file) && existsSync(metaFile)) {
    const meta = JSON.parse(await readFile(metaFile, 'utf8')) as BenchCaptureMeta;
    if (meta.packets >= target && statSync(file).size === meta.bytes) {
      log(`capture: reusing ${file} (${meta.packets} packets, recorded ${meta.recordedAt}; --rerecord to redo)`);
      return meta;
    }
  }
  const reason = netnsSkipReason() ?? (missingTools(RECORD_TOOLS).length ? `missing tools: ${missingTools(RECORD_TOOLS).join(', ')}` : undefined);
  if (reason !== undefined) throw new Error(`cannot record the benchmark capture: ${reason}`);
  log(`capture: recording >= ${target} packets of keep-alive HTTP (wrk -c ${connections}) in network namespaces…`);
  const meta = await recordHttpCapture({ dir, file, targetPackets: target, connections, log });
  await writeFile(metaFile, JSON.stringify(meta, null, 2) + '\n');
  log(`capture: ${meta.packets} packets, ${mib(meta.bytes)}, server ${meta.server}, tcpdump dropped ${meta.tcpdump.droppedByKernel}`);
  return meta;
}
