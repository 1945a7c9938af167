/**
 * Timestamp arithmetic shared by the readers. A double holds ms since the
 * epoch to about 0.24 µs today, so the aim is one rounding where possible and
 * the same result for the same instant whatever the file's resolution.
 */

/**
 * ms from whole seconds and nanoseconds (may be fractional). Whole-µs values
 * round once, exactly as `(sec * 1e6 + usec) / 1000` does for µs files.
 */
export function msFromSecNs(sec: number, ns: number): number {
  const us = Math.floor(ns / 1000);
  return (sec * 1e6 + us + (ns - us * 1000) / 1000) / 1000;
}

/** Largest units-per-second for which `splitUnits` is exact (its partial remainders stay below 2^53). */
export const SPLIT_MAX_UNITS_PER_SEC = 2 ** 37;

/** Whole seconds and leftover units, filled in by `splitUnits` (one per reader: no allocation per packet). */
export interface SecondsSplit {
  sec: number;
  rem: number;
}

/**
 * Split the 64-bit count hi*2^32+lo of 1/`perSec` s units into whole seconds
 * and leftover units, exactly, by long division in 16-bit digits.
 */
export function splitUnits(hi: number, lo: number, perSec: number, out: SecondsSplit): void {
  let r = hi >>> 16;
  let q = Math.floor(r / perSec);
  r -= q * perSec;
  let sec = q;
  r = r * 65536 + (hi & 0xffff);
  q = Math.floor(r / perSec);
  r -= q * perSec;
  sec = sec * 65536 + q;
  r = r * 65536 + (lo >>> 16);
  q = Math.floor(r / perSec);
  r -= q * perSec;
  sec = sec * 65536 + q;
  r = r * 65536 + (lo & 0xffff);
  q = Math.floor(r / perSec);
  out.sec = sec * 65536 + q;
  out.rem = r - q * perSec;
}
