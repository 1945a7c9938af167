/**
 * Stateful zlib inflate for the dissectors that inflate many small messages
 * (WebSocket permessage-deflate, MongoDB OP_COMPRESSED): one stream kept
 * between calls by the podtap_inflate addon (native/pcap/src/inflate.cc),
 * where Node's synchronous zlib builds a stream per call (~3 µs each) and
 * cannot carry a window from one call to the next.
 *
 * The addon is built at install time with the capture addon and is
 * optional: `openInflater()` gives null when it is not there (or when
 * PODTAP_NATIVE_INFLATE=0), and the callers keep their node:zlib path,
 * which gives the same bytes.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ADDON_PATH = fileURLToPath(new URL('../../native/pcap/build/Release/podtap_inflate.node', import.meta.url));

/** Raw DEFLATE (RFC 1951) and zlib-wrapped (RFC 1950) streams. */
export const RAW_DEFLATE = -15;
export const ZLIB_DEFLATE = 15;

export interface StreamInflater {
  /**
   * Inflates `input`, continuing the stream. `finish`: the stream must end
   * within `input`; otherwise all that can be decoded so far comes out (sync
   * flush). Throws (code EINFLATE or ETOOLARGE) on bad data or output past
   * `maxOutput`; the stream then needs `reset()`.
   */
  inflate(input: Uint8Array, finish: boolean, maxOutput: number): Buffer;
  /** The same, output into `out` when it fits there (its length comes back), else a new Buffer. */
  inflate(input: Uint8Array, finish: boolean, maxOutput: number, out: Uint8Array): Buffer | number;
  /** Starts a new stream (the window is forgotten). */
  reset(): void;
  /** Frees the native state now rather than at garbage collection. */
  close(): void;
}

interface InflateAddon { Inflater: new (windowBits: number) => StreamInflater }

let addon: InflateAddon | null | undefined;

function load(): InflateAddon | null {
  if (addon === undefined) {
    if (process.env.PODTAP_NATIVE_INFLATE === '0') addon = null;
    else {
      try {
        addon = createRequire(import.meta.url)(ADDON_PATH) as InflateAddon;
      } catch {
        addon = null; // not built here: node:zlib instead, same output
      }
    }
  }
  return addon;
}

let disabled = false;
/** One stream per windowBits for one-shot use (reset before each message). */
const shared = new Map<number, StreamInflater | null>();

/** Streams given back, reset, per windowBits: zlib's state and window are reused by the next connection. */
const idle = new Map<number, StreamInflater[]>();
/** Idle streams kept per windowBits (~40 KiB of native memory each). */
const MAX_IDLE_STREAMS = 16;

/** A new (or reused, reset) stream, or null when the addon is not available. */
export function openInflater(windowBits: number): StreamInflater | null {
  const a = disabled ? null : load();
  if (a === null) return null;
  return idle.get(windowBits)?.pop() ?? new a.Inflater(windowBits);
}

/** Gives a stream from `openInflater` back (it must not be used after); closed when enough are idle. */
export function releaseInflater(windowBits: number, s: StreamInflater): void {
  let list = idle.get(windowBits);
  if (list === undefined) idle.set(windowBits, list = []);
  if (list.length >= MAX_IDLE_STREAMS || disabled) { s.close(); return; }
  s.reset();
  list.push(s);
}

/** A stream shared by every caller on this thread, for messages inflated whole: reset it first. Null without the addon. */
export function sharedInflater(windowBits: number): StreamInflater | null {
  let s = shared.get(windowBits);
  if (s === undefined) shared.set(windowBits, s = openInflater(windowBits));
  return s;
}

/** Output of `inflateShort()`: one per thread, reused by every call. */
const SHORT_OUTPUT_BYTES = 64 * 1024;
let shortOutput: Buffer | null = null;

/**
 * Inflates with `stream` into this thread's reusable output buffer: the
 * answer is a view of it, valid until the next call (callers decode or copy
 * it at once), or a new Buffer when the output is bigger. Why: most
 * messages are small, and a Buffer per message was a third of the native
 * call's cost.
 */
export function inflateShort(stream: StreamInflater, input: Uint8Array, finish: boolean, maxOutput: number): Buffer {
  const out = (shortOutput ??= Buffer.allocUnsafe(SHORT_OUTPUT_BYTES));
  const r = stream.inflate(input, finish, maxOutput, out);
  return typeof r === 'number' ? out.subarray(0, r) : r;
}

/** Whether the native inflater is in use. */
export function nativeInflateAvailable(): boolean {
  return !disabled && load() !== null;
}

/** Tests: turn the native inflater off (or back on) for streams opened from now on. */
export function setNativeInflate(enabled: boolean): void {
  disabled = !enabled;
  for (const s of shared.values()) s?.close();
  shared.clear();
  for (const list of idle.values()) for (const s of list.splice(0)) s.close();
}
