/**
 * What a fuzz worker shares with the watchdog on the main thread, in one
 * SharedArrayBuffer: when the current execution started (0 while idle) and a
 * copy of its input. If the execution never ends — a loop, a promise that
 * never settles — or the worker dies of it (out of memory), the main thread
 * still has the input to save.
 *
 *   bytes 0..8   f64 start time (Date.now() ms), 0 = idle
 *   bytes 8..12  i32 input length
 *   bytes 12..   input bytes (MAX_INPUT_BYTES at most)
 */
import { MAX_INPUT_BYTES } from './limits.js';

const INPUT_OFFSET = 12;

export class Heartbeat {
  private readonly started: Float64Array;
  private readonly length: Int32Array;
  private readonly bytes: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.started = new Float64Array(buffer, 0, 1);
    this.length = new Int32Array(buffer, 8, 1);
    this.bytes = new Uint8Array(buffer, INPUT_OFFSET);
  }

  static create(): Heartbeat {
    return new Heartbeat(new SharedArrayBuffer(INPUT_OFFSET + MAX_INPUT_BYTES));
  }

  /** Worker: an execution of `input` starts. */
  begin(input: Uint8Array): void {
    const n = Math.min(input.length, this.bytes.length);
    this.bytes.set(n === input.length ? input : input.subarray(0, n));
    this.length[0] = n;
    this.started[0] = Date.now();
  }

  /** Worker: the execution ended. */
  end(): void { this.started[0] = 0; }

  /** Watchdog: ms the current execution has run, or -1 while idle. */
  runningFor(now = Date.now()): number {
    const s = this.started[0];
    return s === 0 ? -1 : now - s;
  }

  /** Watchdog: a copy of the current (or last) input. */
  input(): Uint8Array { return this.bytes.slice(0, this.length[0]); }
}
