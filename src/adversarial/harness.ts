/**
 * Runs one attack through the real pipeline, with the normal connections
 * (normal.ts) spread over it, and reports what a test asserts on: counters,
 * the entries of both kinds, and memory.
 *
 * 1. Frames come from a generator (attacks of a million packets are never
 *    held whole) and go to `Pipeline.packet()` the way a capture reader
 *    hands them over: copied into one scratch buffer that the next packet
 *    overwrites, so a module that keeps a view instead of a copy breaks here.
 * 2. One normal frame goes out after every `stride` attack frames.
 * 3. Every `sampleEvery` packets the live bytes (after a full GC) and the
 *    pipeline's own buffered-byte counter are sampled; the peaks are the
 *    result. Entries of the attack are counted, and kept only up to
 *    MAX_KEPT_ATTACK_ENTRIES so that collecting them costs no memory.
 */
import type { PacketRecord } from '../capture/types.js';
import type { Entry } from '../entries/types.js';
import type { PipelineOptions, PipelineStats } from '../pipeline/types.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { MemoryProbe } from './memory.js';
import { NORMAL_PREFIX, normalConnections, normalProblems, roundRobin, type NormalConnection } from './normal.js';

/** Attack entries kept for assertions; the rest are only counted. */
export const MAX_KEPT_ATTACK_ENTRIES = 1000;
/** Capture-time step between packets (ms): a million packets span ten seconds. */
export const PACKET_STEP_MS = 0.01;
const T0 = 1_700_000_000_000;
/** Memory samples (full GCs) per run, spread evenly over the attack's frames. */
const SAMPLES_PER_RUN = 25;
/** Largest frame a generator may yield (the scratch buffer's size). */
const MAX_FRAME_BYTES = 256 * 1024;

export interface Attack {
  /** What the attack is, for reports. */
  name: string;
  /** The hostile frames, produced lazily (Ethernet). */
  frames: Iterable<Buffer>;
  /** About how many frames `frames` yields (spreads the normal traffic over it). */
  count: number;
}

export interface RunOptions {
  /** Pipeline options (limits) for this run. */
  options?: Partial<PipelineOptions>;
  /** Packets between memory samples (each sample runs a full GC); default: 25 samples over the attack. */
  sampleEvery?: number;
  /** Called between packets every `tickEvery` packets (a memory guard's check, say). */
  tick?: (p: Pipeline) => void;
  tickEvery?: number;
}

export interface RunResult {
  stats: PipelineStats;
  normal: NormalConnection[];
  normalEntries: Entry[];
  /** Attack entries (the first MAX_KEPT_ATTACK_ENTRIES) and how many there were. */
  attackEntries: Entry[];
  attackEntryCount: number;
  /** Problems of the normal connections' entries (normal.ts); empty when all are complete. */
  normalProblems: string[];
  /** Highest growth of live bytes over the baseline. */
  peakLiveBytes: number;
  /** Highest value of the pipeline's own buffered-byte counter (reassembly + fragments). */
  peakBufferedBytes: number;
  /** Most TCP connections tracked at once. */
  peakOpenConnections: number;
  packets: number;
  ms: number;
}

export function runAttack(attack: Attack, o: RunOptions = {}): RunResult {
  const normal = normalConnections();
  const normalFrames = roundRobin(normal);
  const normalEntries: Entry[] = [];
  const attackEntries: Entry[] = [];
  let attackEntryCount = 0;
  const onEntry = (e: Entry): void => {
    if (e.src.ip.startsWith(NORMAL_PREFIX)) { normalEntries.push(e); return; }
    attackEntryCount++;
    if (attackEntries.length < MAX_KEPT_ATTACK_ENTRIES) attackEntries.push(e);
  };
  const probe = new MemoryProbe();
  const pipeline = new Pipeline(onEntry, o.options ?? {});
  const scratch = Buffer.allocUnsafe(MAX_FRAME_BYTES);
  const rec: PacketRecord = { ts: T0, linkType: 1, iface: 0, data: scratch, origLength: 0 };
  const sampleEvery = o.sampleEvery ?? Math.max(500, Math.floor(attack.count / SAMPLES_PER_RUN));
  const tickEvery = o.tickEvery ?? 10_000;
  const stride = Math.max(1, Math.floor(attack.count / (normalFrames.length + 1)));
  let packets = 0;
  let peakBuffered = 0;
  let peakOpen = 0;
  let nextNormal = 0;
  const started = performance.now();
  const send = (frame: Buffer): void => {
    frame.copy(scratch);
    scratch.fill(0xee, frame.length, Math.min(frame.length + 64, scratch.length)); // stale bytes past the end, as in a reused buffer
    rec.data = scratch.subarray(0, frame.length);
    rec.origLength = frame.length;
    rec.ts = T0 + packets * PACKET_STEP_MS;
    pipeline.packet(rec);
    packets++;
    if (pipeline.openConnections > peakOpen) peakOpen = pipeline.openConnections;
    if (o.tick !== undefined && packets % tickEvery === 0) o.tick(pipeline);
    if (packets % sampleEvery === 0) {
      probe.sample();
      peakBuffered = Math.max(peakBuffered, pipeline.bufferedBytes);
    }
  };
  let n = 0;
  for (const frame of attack.frames) {
    if (frame.length > MAX_FRAME_BYTES) throw new RangeError(`${attack.name}: a frame of ${frame.length} bytes (at most ${MAX_FRAME_BYTES})`);
    peakBuffered = Math.max(peakBuffered, pipeline.bufferedBytes);
    send(frame);
    if (++n % stride === 0 && nextNormal < normalFrames.length) send(normalFrames[nextNormal++]!);
  }
  while (nextNormal < normalFrames.length) send(normalFrames[nextNormal++]!);
  peakBuffered = Math.max(peakBuffered, pipeline.bufferedBytes);
  probe.sample();
  const stats = pipeline.finish();
  return {
    stats, normal, normalEntries, attackEntries, attackEntryCount,
    normalProblems: normalProblems(normal, normalEntries),
    peakLiveBytes: probe.peakGrowth, peakBufferedBytes: peakBuffered, peakOpenConnections: peakOpen, packets, ms: performance.now() - started,
  };
}
