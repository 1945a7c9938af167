/**
 * Content-Encoding removal for display: gzip/x-gzip, deflate (zlib-wrapped or
 * raw, as some servers send), br. Synchronous zlib with a bounded output and
 * a sync flush at the end, so a body cut by the cap or by the capture still
 * yields what it holds. Never throws.
 */
import { brotliDecompressSync, constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** Decoded bytes kept for display. */
export const MAX_DECODED_BODY_BYTES = 1024 * 1024;
/** Below this much input, shrinking it to fit the output bound is not worth another try. */
const MIN_RETRY_INPUT_BYTES = 64;

export interface Decoded {
  bytes: Buffer;
  /** The output bound was reached: `bytes` is a prefix of the content. */
  capped: boolean;
}

type Inflate = (raw: Buffer) => Buffer;

const zlibOpts = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_DECODED_BODY_BYTES };
const brOpts = { finishFlush: constants.BROTLI_OPERATION_FLUSH, maxOutputLength: MAX_DECODED_BODY_BYTES };

/** RFC 1950 header: CM 8, window ≤ 32K, FCHECK makes the pair a multiple of 31. */
function hasZlibHeader(b: Buffer): boolean {
  return b.length >= 2 && (b[0] & 0x0f) === 8 && b[0] >> 4 <= 7 && ((b[0] << 8) | b[1]) % 31 === 0;
}

const gunzip: Inflate = (b) => gunzipSync(b, zlibOpts);
const inflateAny: Inflate = (b) => {
  if (!hasZlibHeader(b)) return inflateRawSync(b, zlibOpts);
  try {
    return inflateSync(b, zlibOpts);
  } catch (err) {
    if (isTooLarge(err)) throw err;
    return inflateRawSync(b, zlibOpts);
  }
};
const unbrotli: Inflate = (b) => brotliDecompressSync(b, brOpts);

function inflaterFor(coding: string): Inflate | null {
  switch (coding) {
    case 'gzip': case 'x-gzip': return gunzip;
    case 'deflate': return inflateAny;
    case 'br': return unbrotli;
    default: return null;
  }
}

function isTooLarge(err: unknown): boolean {
  return err instanceof RangeError || (err as { code?: string } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}

/** Is every coding in a Content-Encoding value one we can remove? */
export function canDecode(codings: readonly string[]): boolean {
  return codings.length > 0 && codings.every((c) => c === 'identity' || inflaterFor(c) !== null);
}

/** Split a Content-Encoding value into lower-cased codings, in the order they were applied. */
export function codingsOf(value: string): string[] {
  return value.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '');
}

/**
 * Remove the codings (last applied first). Returns null when a coding is
 * unknown or the data does not decode. Output past MAX_DECODED_BODY_BYTES
 * makes zlib throw, so the input is halved until the output fits.
 */
export function decodeContent(raw: Buffer, codings: readonly string[]): Decoded | null {
  let bytes = raw;
  let capped = false;
  for (let i = codings.length - 1; i >= 0; i--) {
    if (codings[i] === 'identity') continue;
    const inflate = inflaterFor(codings[i]);
    if (inflate === null) return null;
    let input = bytes;
    for (;;) {
      try {
        bytes = inflate(input);
        break;
      } catch (err) {
        if (!isTooLarge(err) || input.length < MIN_RETRY_INPUT_BYTES) return null;
        input = input.subarray(0, input.length >> 1);
        capped = true;
      }
    }
  }
  return { bytes, capped };
}
