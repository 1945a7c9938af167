/**
 * Internet checksum (RFC 1071) arithmetic for rewriting packets in place: the
 * bench's capture rewriting and the hub's export redaction both change bytes
 * of captured packets and fix the checksum incrementally, never from scratch,
 * so a checksum left to offload stays as wrong as it was.
 */

/** RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit word m → m', or for the folded sums of several. */
export function adjustChecksum(sum: number, oldWord: number, newWord: number): number {
  let s = (~sum & 0xffff) + (~oldWord & 0xffff) + newWord;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Ones'-complement sum of `b[start, end)` as big-endian 16-bit words (a last odd byte padded with zero), folded to 16 bits. */
export function onesSum(b: Uint8Array, start: number, end: number): number {
  let sum = 0;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}
