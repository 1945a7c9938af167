/**
 * The dissectors' throughput scripts share this: run capture bytes (or
 * built frames) through a fresh pipeline a number of times, and print
 * packets/s, entries/s and MiB/s in one format.
 */
import { createCaptureReader } from '../capture/open.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { DissectorRegistry } from './registry.js';

export interface Throughput { packets: number; entries: number; bytes: number; seconds: number }

/** A whole capture file's bytes, `repeats` times, each through a new pipeline. */
export function replayCapture(registry: DissectorRegistry, capture: Buffer, repeats: number): Throughput {
  return timed(capture.length, repeats, (count) => {
    const p = new Pipeline(count, {}, registry);
    const reader = createCaptureReader(capture.subarray(0, 64), p);
    reader.push(capture);
    reader.end();
    return p.finish().packets;
  });
}

/** Ethernet frames (e.g. from tcpConversation), `repeats` times, each through a new pipeline. */
export function replayFrames(registry: DissectorRegistry, frames: readonly Buffer[], repeats: number): Throughput {
  return timed(frames.reduce((a, f) => a + f.length, 0), repeats, (count) => {
    const p = new Pipeline(count, {}, registry);
    frames.forEach((data, k) => p.packet({ ts: 1_700_000_000_000 + k, linkType: 1, iface: 0, data, origLength: data.length }));
    return p.finish().packets;
  });
}

function timed(bytesPerRound: number, repeats: number, round: (countEntry: () => void) => number): Throughput {
  let packets = 0, entries = 0;
  const count = (): void => { entries++; };
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < repeats; i++) packets += round(count);
  return { packets, entries, bytes: bytesPerRound * repeats, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

export function reportThroughput(name: string, t: Throughput): void {
  const s = t.seconds;
  console.log(`${name}: ${t.packets} packets, ${t.entries} entries in ${s.toFixed(2)} s: ${Math.round(t.packets / s)} packets/s, ${Math.round(t.entries / s)} entries/s, ${(t.bytes / s / 2 ** 20).toFixed(1)} MiB/s`);
}
