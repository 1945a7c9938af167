/**
 * Lazy loader for the libpcap addon (native/pcap, built at install time by
 * scripts/build-native.mjs). Nothing is loaded until live capture is asked
 * for, so `podtap read` works on machines where the addon could not be built.
 * The types below are the addon's contract; native/pcap/src/*.h say the same.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { BUILD_FIX, LiveCaptureError } from './errors.js';

/** Where node-gyp puts the addon (same relative path from src/live and dist/live). */
export const ADDON_PATH = fileURLToPath(new URL('../../native/pcap/build/Release/podtap_pcap.node', import.meta.url));

export interface NativeOpenOptions {
  snaplen: number;
  /** Kernel ring size (TPACKET_V3). */
  bufferBytes: number;
  /** Block timeout: the longest a packet waits in a partly filled block. */
  timeoutMs: number;
  /** Size of one batch buffer (raised to fit two snaplen packets). */
  batchBytes?: number;
  /** Number of batch buffers, 2–16: the bound on batches lent to JS. */
  batches?: number;
  promisc?: boolean;
  /** Hand JS a copy of each batch instead of a view detached after the callback. */
  copyBatches?: boolean;
  /** Path of a network namespace to open the interface in. */
  netns?: string;
}

export interface NativeFilterResult {
  /** Instructions of the optimized program. */
  instructions: number;
  /** The kernel runs the program; false means libpcap filters in user space. */
  attachedInKernel: boolean;
  /** Instructions the kernel reports for the attached program (0 if none). */
  kernelInstructions: number;
}

export interface NativeStats {
  received: number;
  droppedByKernel: number;
  droppedByInterface: number;
  batchesWaited: number;
  batchesDelivered: number;
}

/**
 * Called on the JS thread with one batch (layout: src/live/batch.ts). The
 * ArrayBuffer is detached when the call returns (unless copyBatches). A null
 * batch with count -1 means the reader stopped on `error`.
 */
export type NativeBatchCallback = (batch: ArrayBuffer | null, count: number, linkType: number, error?: string) => void;

export interface NativeHandle {
  readonly linkType: number;
  start(cb: NativeBatchCallback): void;
  setFilter(expr: string): NativeFilterResult;
  /** Attach a program from compileAsync: no compile on the calling thread. */
  setProgram(program: Buffer): NativeFilterResult;
  stats(): NativeStats;
  close(): Promise<void>;
}

export interface PcapAddon {
  open(iface: string, opts: NativeOpenOptions): NativeHandle;
  compile(linkType: number, snaplen: number, expr: string): { instructions: number };
  /** Compiled on the libuv pool; `program` is the struct bpf_insn array for NativeHandle.setProgram. */
  compileAsync(linkType: number, snaplen: number, expr: string): Promise<{ instructions: number; program: Buffer }>;
  readonly libVersion: string;
  readonly recordHeaderBytes: number;
}

let cached: PcapAddon | LiveCaptureError | undefined;

/** The addon, or a LiveCaptureError('not-built') naming the fix. Loads once. */
export function loadPcapAddon(): PcapAddon {
  if (cached === undefined) {
    try {
      cached = createRequire(import.meta.url)(ADDON_PATH) as PcapAddon;
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' ? 'native module not built' : `native module does not load: ${(err as Error).message.split('\n')[0]}`;
      cached = new LiveCaptureError('not-built', `live capture unavailable (${why}); run: ${BUILD_FIX}`);
    }
  }
  if (cached instanceof LiveCaptureError) throw cached;
  return cached;
}

/** Why live capture cannot be used here (for test skips), or undefined. */
export function pcapAddonSkipReason(): string | undefined {
  try {
    loadPcapAddon();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
