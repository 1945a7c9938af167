/**
 * What the engine needs from a fuzz target: where its seeds come from, how
 * to mutate an input with the target's structure in mind, and how to run one
 * input through the code under test.
 *
 * Contract: `run()` must not let any exception escape except those
 * `expected()` accepts (the named boundary errors: CaptureFormatError for a
 * file that is not a capture, FilterError for an invalid filter). Anything
 * else that escapes is a crash. `run()` may return a promise (the gzip
 * target streams); it must settle within HANG_MS. Every byte string is a
 * valid input for `run()` (crash files replay through it as they are).
 */
import type { MutateContext } from './bytes-mutate.js';

export interface FuzzTarget {
  readonly name: string;
  /** One line for `--list` and the report. */
  readonly about: string;
  /** Seed inputs (from fixtures, plus a few built here); computed once per process. */
  seeds(): Uint8Array[];
  /** `rounds` stacked mutations of `input` (never changed in place). */
  mutate(input: Uint8Array, cx: MutateContext, rounds: number): Uint8Array;
  run(input: Uint8Array): void | Promise<void>;
  /** Errors the code may throw at its boundary on bad input: not crashes. */
  expected?(e: unknown): boolean;
  /** Tokens for `insertToken` mutations. */
  readonly dict?: readonly Uint8Array[];
}

export const tokens = (...xs: string[]): Uint8Array[] => xs.map((x) => Buffer.from(x, 'latin1'));
