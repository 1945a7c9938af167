/**
 * permessage-deflate (RFC 7692) for one direction, synchronously.
 *
 * With the native inflater (src/util/inflate.ts) one raw DEFLATE stream
 * lives per direction and each message is fed to it with a sync flush: its
 * window is the sliding window a context-taking-over compressor refers back
 * to (§7.2.3.3); with `<side>_no_context_takeover` the stream is reset per
 * message. Without the addon, each message is inflated by node:zlib on its
 * own with the last 32 KiB of this direction's output as the preset
 * dictionary, which gives the same bytes.
 *
 * Memory: a stream is ~7 KiB of zlib state plus its 32 KiB window (native,
 * allocated at the first message), so a deflate connection costs ~80 KiB,
 * more than the 4 KiB a connection is budgeted (pipeline/memory-budget.ts).
 * It is bounded apart: MAX_INFLATING_DIRECTIONS below. A closed direction's
 * stream goes back to the pool (16 kept) or is freed.
 */
import { constants, inflateRawSync } from 'node:zlib';
import { inflateShort, openInflater, RAW_DEFLATE, releaseInflater, type StreamInflater } from '../../util/inflate.js';

/** The DEFLATE window: what a later message may refer back to. */
export const WINDOW_BYTES = 32 * 1024;
/** Inflated bytes per message; a bigger message is not decoded (and the window is lost). */
export const MAX_INFLATED_BYTES = 4 * 1024 * 1024;

export interface DeflateParams {
  /** The extension was accepted by the server's 101. */
  enabled: boolean;
  clientNoContextTakeover: boolean;
  serverNoContextTakeover: boolean;
}

/** Sec-WebSocket-Extensions of the 101 response to what it negotiated. */
export function parseExtensions(header: string | undefined): DeflateParams {
  const p: DeflateParams = { enabled: false, clientNoContextTakeover: false, serverNoContextTakeover: false };
  if (header === undefined) return p;
  for (const ext of header.split(',')) {
    const parts = ext.split(';').map((x) => x.trim().toLowerCase());
    if (parts[0] !== 'permessage-deflate' || p.enabled) continue;
    p.enabled = true;
    for (const param of parts.slice(1)) {
      const name = param.split('=')[0]!.trim();
      if (name === 'client_no_context_takeover') p.clientNoContextTakeover = true;
      else if (name === 'server_no_context_takeover') p.serverNoContextTakeover = true;
    }
  }
  return p;
}

/** Output chunk per zlib call: about what a message inflates to (the default 16 KiB per call cost a GC-heavy allocation for small messages). */
function chunkSizeFor(compressed: number): number {
  let n = 1024;
  while (n < compressed * 4 && n < 64 * 1024) n *= 2;
  return n;
}

/**
 * Directions holding inflate state at once (a native stream or a JS window,
 * ~40 KiB each): past it, a new direction's compressed messages are shown
 * as they are on the wire, flagged, and counted as the weird
 * `websocket_inflate_streams_limit`. 2,048 directions hold ~80 MiB.
 */
export const MAX_INFLATING_DIRECTIONS = 2048;
let maxInflating = MAX_INFLATING_DIRECTIONS;
let inflating = 0;

/** A direction dropped without close() (a dissector abandoned by its owner) gives its slot back when collected. */
const slotKeeper = new FinalizationRegistry<null>(() => { inflating--; });

/** Directions holding inflate state now. */
export const inflatingDirections = (): number => inflating;

/** Tests: a lower limit (undefined: the default). */
export function setMaxInflatingDirections(n: number | undefined): void {
  maxInflating = n ?? MAX_INFLATING_DIRECTIONS;
}

export class Inflater {
  /** This direction counts against MAX_INFLATING_DIRECTIONS (from its first message to close). */
  private holdsSlot = false;
  /** Refused a slot: its messages are not inflated. */
  limited = false;
  /** The last WINDOW_BYTES of this direction's output, at win[winStart, winEnd); capacity grows to 2 × WINDOW_BYTES. */
  private win: Buffer | null = null;
  private winStart = 0;
  private winEnd = 0;
  /** A message could not be inflated: later ones that rely on the window cannot be either. */
  broken = false;
  failures = 0;

  /** The native stream, opened at the first message (undefined: not yet; null: no addon). */
  private stream: StreamInflater | null | undefined;

  constructor(private readonly takeover: boolean) {}

  /**
   * Inflate one whole message: the concatenated payloads of its frames
   * followed by 00 00 ff ff. Null when it cannot be. The answer may be a
   * view of a buffer the next message reuses: use it before then.
   */
  inflate(withTail: Uint8Array): Buffer | null {
    if (this.broken) return null;
    if (!this.holdsSlot) {
      if (inflating >= maxInflating) {
        this.limited = this.broken = true;
        return null;
      }
      inflating++;
      this.holdsSlot = true;
      slotKeeper.register(this, null, this);
    }
    if (this.stream === undefined) this.stream = openInflater(RAW_DEFLATE);
    if (this.stream !== null) return this.inflateNative(this.stream, withTail);
    try {
      const out = inflateRawSync(withTail, {
        finishFlush: constants.Z_SYNC_FLUSH,
        maxOutputLength: MAX_INFLATED_BYTES,
        chunkSize: chunkSizeFor(withTail.length),
        ...(this.win !== null && this.winEnd > this.winStart ? { dictionary: this.win.subarray(this.winStart, this.winEnd) } : {}),
      });
      if (this.takeover) this.remember(out);
      return out;
    } catch {
      this.failures++;
      this.lose();
      return null;
    }
  }

  /** Appends `out` to the window, keeping its last WINDOW_BYTES. */
  private remember(out: Buffer): void {
    if (out.length >= WINDOW_BYTES) {
      this.win ??= Buffer.allocUnsafe(2 * WINDOW_BYTES);
      if (this.win.length < WINDOW_BYTES) this.win = Buffer.allocUnsafe(2 * WINDOW_BYTES);
      out.copy(this.win, 0, out.length - WINDOW_BYTES);
      this.winStart = 0;
      this.winEnd = WINDOW_BYTES;
      return;
    }
    let w = this.win;
    if (w === null || this.winEnd + out.length > w.length) {
      const kept = Math.min(this.winEnd - this.winStart, WINDOW_BYTES - out.length); // old bytes still inside the window
      const size = Math.min(2 * WINDOW_BYTES, Math.max(4096, 2 * (kept + out.length)));
      const next = w !== null && w.length >= size ? w : Buffer.allocUnsafe(size);
      if (w !== null) w.copy(next, 0, this.winEnd - kept, this.winEnd); // copyWithin when `next` is `w`: the source is behind
      this.win = w = next;
      this.winStart = 0;
      this.winEnd = kept;
    }
    out.copy(w, this.winEnd);
    this.winEnd += out.length;
    if (this.winEnd - this.winStart > WINDOW_BYTES) this.winStart = this.winEnd - WINDOW_BYTES;
  }

  private inflateNative(stream: StreamInflater, withTail: Uint8Array): Buffer | null {
    try {
      const out = inflateShort(stream, withTail, false, MAX_INFLATED_BYTES); // a view: the entry copies what it keeps
      if (!this.takeover) stream.reset();
      return out;
    } catch {
      this.failures++;
      this.lose();
      if (!this.takeover) stream.reset(); // each message stands alone: the next one may still inflate
      return null;
    }
  }

  /** A message was lost or too big to inflate: the window is unknown from here on. */
  lose(): void {
    if (!this.takeover) return;
    this.broken = true;
    this.close();
  }

  /** Gives the native stream back (the connection is over, or the window is lost). */
  close(): void {
    if (this.stream) releaseInflater(RAW_DEFLATE, this.stream);
    if (this.stream !== undefined) this.stream = null;
    this.win = null;
    if (this.holdsSlot) {
      inflating--;
      slotKeeper.unregister(this);
    }
    this.holdsSlot = false;
  }
}
