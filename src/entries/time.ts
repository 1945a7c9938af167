/**
 * Durations on entries. Capture times are ms since the epoch as doubles, so
 * their difference carries float noise below a microsecond (107 µs comes out
 * as 0.10693359375): `elapsedTime` is kept to the microsecond, the precision
 * of a classic pcap, which also keeps its text short.
 */
export function elapsedMs(from: number, to: number): number {
  return Math.max(0, Math.round((to - from) * 1000) / 1000);
}
