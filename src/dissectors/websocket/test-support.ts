/** Test helpers: a capture through a registry with websocketSpec, split into http and websocket entries. */
import { readCaptureFile } from '../../capture/open.js';
import type { Entry, HttpEntry } from '../../entries/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import type { PipelineStats } from '../../pipeline/types.js';
import { DissectorRegistry, DISSECTORS } from '../registry.js';
import type { WebSocketEntry } from './entry.js';
import { websocketSpec } from './index.js';

export interface WsRun { ws: WebSocketEntry[]; http: HttpEntry[]; stats: PipelineStats }

export function split(all: Entry[], stats: PipelineStats): WsRun {
  return {
    ws: all.filter((e) => (e.protocol as string) === 'websocket') as unknown as WebSocketEntry[],
    http: all.filter((e): e is HttpEntry => e.protocol === 'http'),
    stats,
  };
}

export async function runCapture(path: string): Promise<WsRun> {
  const all: Entry[] = [];
  const p = new Pipeline((e) => all.push(e), {}, new DissectorRegistry([...DISSECTORS, websocketSpec]));
  await readCaptureFile(path, p);
  return split(all, p.finish());
}
