/**
 * Test support: read a capture through a pipeline with the Kafka dissector,
 * and cut a recorded connection back into request/response byte pairs (for
 * the conformance suite's samples).
 */
import { readCaptureBuffer, readCaptureFile } from '../../capture/open.js';
import type { Entry } from '../../entries/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import type { PipelineStats } from '../../pipeline/types.js';
import { DISSECTORS, DissectorRegistry } from '../registry.js';
import type { StreamDissectorSpec } from '../types.js';
import type { KafkaEntry } from './entry.js';
import { detectKafka } from './detect.js';
import { kafkaSpec } from './index.js';

export interface CaptureResult { entries: KafkaEntry[]; stats: PipelineStats }

export async function readKafkaCapture(file: string): Promise<CaptureResult> {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e), {}, new DissectorRegistry([...DISSECTORS, kafkaSpec]));
  await readCaptureFile(file, p);
  const stats = p.finish();
  return { entries: entries as unknown as KafkaEntry[], stats };
}

export function runKafkaBuffer(buf: Uint8Array): CaptureResult {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e), {}, new DissectorRegistry([...DISSECTORS, kafkaSpec]));
  readCaptureBuffer(buf, p);
  const stats = p.finish();
  return { entries: entries as unknown as KafkaEntry[], stats };
}

/** Reassembled bytes of each Kafka connection of a capture, in connection order. */
export async function connectionStreams(file: string): Promise<Array<{ client: Buffer; server: Buffer }>> {
  const out: Array<{ client: Buffer[]; server: Buffer[] }> = [];
  const recorder: StreamDissectorSpec = {
    name: 'kafka', transport: 'tcp', ports: [], detect: detectKafka,
    create: () => {
      const c = { client: [] as Buffer[], server: [] as Buffer[] };
      out.push(c);
      return {
        deliver: (d, isClient) => { (isClient ? c.client : c.server).push(Buffer.from(d)); }, // copy: views are reused
        gap: () => undefined, end: () => undefined, close: () => undefined,
      };
    },
  };
  const p = new Pipeline(() => undefined, {}, new DissectorRegistry([recorder]));
  await readCaptureFile(file, p);
  p.finish();
  return out.map((c) => ({ client: Buffer.concat(c.client), server: Buffer.concat(c.server) }));
}

/** Whole frames (size prefix included) of one direction. */
export function frames(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos + 4 <= b.length) {
    const end = pos + 4 + b.readInt32BE(pos);
    if (end > b.length) break;
    out.push(b.subarray(pos, end));
    pos = end;
  }
  return out;
}

/** Requests paired with responses by position (every request of the sample is answered). */
export function exchangesOf(s: { client: Buffer; server: Buffer }): Array<[Buffer, Buffer]> {
  const req = frames(s.client); const res = frames(s.server);
  return req.map((q, i) => [q, res[i] ?? Buffer.alloc(0)]);
}
