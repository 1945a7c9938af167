/**
 * Buffers for frames that span deliveries grow with the bytes that arrived,
 * never with the length a header declares: a header is a few bytes, the
 * length it claims can be a gigabyte, and a thousand connections each
 * claiming a megabyte must not cost a gigabyte before they send anything
 * (src/adversarial/length-attacks.ts).
 */

/** First size of a growing frame buffer. */
export const INITIAL_FRAME_BUFFER_BYTES = 4096;

/**
 * `buf` (its first `used` bytes meaningful) with room for `need` bytes,
 * never more than `cap`: the same buffer when it is big enough, else a new
 * one of double the size (or `need`), the used bytes copied.
 */
export function growFor(buf: Uint8Array, used: number, need: number, cap: number): Uint8Array {
  if (need <= buf.length) return buf;
  const next = new Uint8Array(Math.min(cap, Math.max(need, buf.length * 2, INITIAL_FRAME_BUFFER_BYTES)));
  next.set(buf.subarray(0, used)); // copy: the frame so far
  return next;
}
