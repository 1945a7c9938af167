/**
 * Live capture: packets from an interface (optionally inside a pod's network
 * namespace) to the same PacketSink the file pipeline uses.
 *
 * Lifecycle:
 *  1. `openLiveCapture()` opens the interface (TPACKET_V3 ring, immediate mode
 *     off), applies `filter` if given, and starts the addon's reader thread.
 *  2. Batches arrive on the event loop; each record goes to `sink.packet(rec)`
 *     synchronously, in capture order, with the contract of
 *     src/capture/types.ts (`rec` reused, `rec.data` valid during the call).
 *     While the event loop is busy the reader fills its other batch, then
 *     waits (`stats().batchesWaited`); the kernel ring holds the rest, and
 *     what it cannot hold shows in `droppedByKernel`.
 *  3. `close()` reads for one more block timeout, delivers the last batch and
 *     resolves; no `sink.packet()` call happens after it resolves.
 * An exception thrown by the sink propagates from the batch callback as an
 * uncaught exception (the batch is still returned to the reader first).
 */
import { endianness } from 'node:os';
import type { PacketSink } from '../capture/types.js';
import { BatchDecoder, RECORD_HEADER_BYTES, type BatchCounters } from './batch.js';
import { fromNativeError, LiveCaptureError } from './errors.js';
import { loadPcapAddon, type NativeFilterResult, type NativeHandle, type PcapAddon } from './native.js';

export { LiveCaptureError } from './errors.js';

/** Defaults; each is a named limit the caller may change. */
export const DEFAULT_SNAPLEN = 262_144;
export const DEFAULT_BUFFER_BYTES = 32 << 20;
export const DEFAULT_TIMEOUT_MS = 50;
export const DEFAULT_BATCH_BYTES = 4 << 20;
export const DEFAULT_BATCHES = 2;

export interface LiveCaptureOptions {
  /** Bytes kept per packet (default 262144: TSO/GRO frames on veths exceed 64 KiB). */
  snaplen?: number;
  /** Kernel ring size; what a stalled event loop can fall behind by (default 32 MiB). */
  bufferBytes?: number;
  /** Longest time a packet waits in the kernel before it is handed over (default 50 ms). */
  timeoutMs?: number;
  /** pcap filter expression, run in the kernel when it accepts the program. */
  filter?: string;
  /** A filter already compiled off the event loop (compileFilterAsync); wins over `filter`. Its link type must be the interface's. */
  program?: CompiledFilter;
  promisc?: boolean;
  /** Network namespace to capture in: /var/run/netns/NAME or /proc/PID/ns/net. */
  netns?: string;
  /** One batch buffer (default 4 MiB) and how many exist (default 2, at most 16). */
  batchBytes?: number;
  batches?: number;
  /** Copy each batch into a JS buffer instead of lending the native one (for measurement). */
  copyBatches?: boolean;
  /** The reader stopped on its own (e.g. the interface was deleted). Without it, close() rejects. */
  onError?: (err: LiveCaptureError) => void;
}

export interface FilterInfo extends NativeFilterResult {
  expression: string;
}

export interface LiveCaptureStats {
  /**
   * pcap_stats on Linux TPACKET_V3: `received` counts packets that passed the
   * filter, including dropped ones and those still in the ring; `droppedByKernel`
   * counts packets that found the ring full; `droppedByInterface` is the
   * interface's rx drop counter since open, read from sysfs (in another network
   * namespace that is the host's view: treat it as a hint). 32-bit, they wrap.
   */
  received: number;
  droppedByKernel: number;
  droppedByInterface: number;
  /** Times the reader found every batch lent to JS and had to wait. */
  batchesWaited: number;
  batchesDelivered: number;
  /** Packets and captured bytes handed to the sink. */
  packets: number;
  bytes: number;
  malformedBatches: number;
}

export interface LiveCapture {
  readonly iface: string;
  readonly linkType: number;
  /** Replaces the filter; throws LiveCaptureError('invalid-filter'). Check `attachedInKernel`. */
  /** The filter the capture runs now (the one given to open, or the last set), or null. */
  readonly filter: FilterInfo | null;
  setFilter(expression: string): FilterInfo;
  /** Attach a filter compiled by compileFilterAsync (nothing compiled on the event loop). */
  setProgram(compiled: CompiledFilter): FilterInfo;
  stats(): LiveCaptureStats;
  /** Flushes what the kernel holds, delivers it, releases the interface. Idempotent. */
  close(): Promise<void>;
}

/** Opens `iface` and starts delivering its packets to `sink`. Throws LiveCaptureError. */
export function openLiveCapture(iface: string, sink: PacketSink, opts: LiveCaptureOptions = {}): LiveCapture {
  const addon = checkedAddon();
  let handle: NativeHandle;
  try {
    handle = addon.open(iface, {
      snaplen: opts.snaplen ?? DEFAULT_SNAPLEN,
      bufferBytes: opts.bufferBytes ?? DEFAULT_BUFFER_BYTES,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      batchBytes: opts.batchBytes ?? DEFAULT_BATCH_BYTES,
      batches: opts.batches ?? DEFAULT_BATCHES,
      promisc: opts.promisc ?? false,
      copyBatches: opts.copyBatches ?? false,
      ...(opts.netns === undefined ? {} : { netns: opts.netns }),
    });
  } catch (err) {
    throw fromNativeError(err, iface, opts.netns);
  }
  const capture = new Capture(iface, handle, sink, opts);
  if (opts.program !== undefined || opts.filter !== undefined) {
    try {
      if (opts.program !== undefined && opts.program.linkType === capture.linkType) capture.setProgram(opts.program);
      else capture.setFilter(opts.program?.expression ?? opts.filter!);
    } catch (err) {
      void handle.close();
      throw err;
    }
  }
  capture.start();
  return capture;
}

/** Compiles a filter without an interface: instruction count for the filter generator (kernel limit 4096). */
export function compileFilter(expression: string, linkType = 1, snaplen = DEFAULT_SNAPLEN): { instructions: number } {
  try {
    return checkedAddon().compile(linkType, snaplen, expression);
  } catch (err) {
    if (err instanceof LiveCaptureError) throw err;
    throw fromNativeError(err, '', undefined, expression);
  }
}

export interface CompiledFilter {
  expression: string;
  linkType: number;
  instructions: number;
  program: Buffer;
}

/** Compiles a filter on the libuv pool (libpcap's optimizer takes tens of ms on large filters). */
export async function compileFilterAsync(expression: string, linkType = 1, snaplen = DEFAULT_SNAPLEN): Promise<CompiledFilter> {
  try {
    const r = await checkedAddon().compileAsync(linkType, snaplen, expression);
    return { expression, linkType, instructions: r.instructions, program: r.program };
  } catch (err) {
    if (err instanceof LiveCaptureError) throw err;
    throw fromNativeError(err, '', undefined, expression);
  }
}

/** The kernel's limit on classic BPF program length (BPF_MAXINSNS). */
export const KERNEL_MAX_FILTER_INSTRUCTIONS = 4096;

function checkedAddon(): PcapAddon {
  const addon = loadPcapAddon();
  if (addon.recordHeaderBytes !== RECORD_HEADER_BYTES || endianness() !== 'LE') {
    throw new LiveCaptureError('not-built', 'the native module does not match this podtap (batch layout); run: npm rebuild podtap');
  }
  return addon;
}

class Capture implements LiveCapture {
  readonly linkType: number;
  private readonly counters: BatchCounters = { packets: 0, bytes: 0, malformedBatches: 0 };
  private readonly decoder: BatchDecoder;
  private closing: Promise<void> | undefined;
  private failure: LiveCaptureError | undefined;
  filter: FilterInfo | null = null;

  constructor(readonly iface: string, private readonly handle: NativeHandle, sink: PacketSink, private readonly opts: LiveCaptureOptions) {
    this.linkType = handle.linkType;
    this.decoder = new BatchDecoder(sink, this.counters);
  }

  start(): void {
    this.handle.start((batch, count, linkType, error) => {
      if (batch !== null) { this.decoder.deliver(batch, count, linkType); return; }
      this.failure = new LiveCaptureError('capture', `capture on "${this.iface}" stopped: ${error ?? 'unknown error'}`);
      this.opts.onError?.(this.failure);
    });
  }

  setFilter(expression: string): FilterInfo {
    try {
      return (this.filter = { expression, ...this.handle.setFilter(expression) });
    } catch (err) {
      throw fromNativeError(err, this.iface, this.opts.netns, expression);
    }
  }

  setProgram(compiled: CompiledFilter): FilterInfo {
    try {
      return (this.filter = { expression: compiled.expression, ...this.handle.setProgram(compiled.program) });
    } catch (err) {
      throw fromNativeError(err, this.iface, this.opts.netns, compiled.expression);
    }
  }

  stats(): LiveCaptureStats {
    return { ...this.handle.stats(), ...this.counters };
  }

  close(): Promise<void> {
    this.closing ??= this.handle.close().then(() => {
      if (this.failure !== undefined && this.opts.onError === undefined) throw this.failure;
    });
    return this.closing;
  }
}
