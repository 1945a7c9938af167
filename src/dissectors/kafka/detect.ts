/**
 * Cheap checks for a frame start, used by detection and by resync after a
 * gap. Requests have a rich header (api key, version, correlation id,
 * client id length); responses only a correlation id, so a response start
 * is accepted only for a correlation id the connection is waiting for, and
 * detection on the server side requires the first frame to end exactly at
 * the end of the bytes or where another plausible size begins.
 */
import type { DetectResult } from '../types.js';
import { MAX_KNOWN_API_KEY, MAX_PLAUSIBLE_API_VERSION } from './apis.js';
import { MAX_FRAME_BYTES } from './framer.js';

/** Size prefix + api key + version + correlation id + client id length. */
export const REQUEST_HEADER_PROBE = 14;
/** Smallest request: header with a null client id. */
export const MIN_REQUEST_FRAME = 10;
/** Smallest response: a correlation id (a Heartbeat v0 response adds 2 bytes). */
export const MIN_RESPONSE_FRAME = 4;
/** Client id bytes checked for text. */
const CLIENT_ID_PROBE = 64;
/** Largest first response a server-side detection waits for ('more'); bigger ones answer 'no'. */
const SERVER_DETECT_WAIT_BYTES = 16 * 1024;
/** Longest client id taken as plausible. */
const MAX_CLIENT_ID = 4096;

const i32 = (b: Uint8Array, at: number): number => (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
const i16 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16)) >> 16;

/** Is there a plausible request header at `at`? Needs REQUEST_HEADER_PROBE bytes. */
export function requestStartsAt(b: Uint8Array, at: number): boolean {
  if (b.length - at < REQUEST_HEADER_PROBE) return false;
  const size = i32(b, at);
  if (size < MIN_REQUEST_FRAME || size > MAX_FRAME_BYTES) return false;
  const key = i16(b, at + 4); const version = i16(b, at + 6);
  if (key < 0 || key > MAX_KNOWN_API_KEY || version < 0 || version > MAX_PLAUSIBLE_API_VERSION) return false;
  if (i32(b, at + 8) < 0) return false;
  const idLen = i16(b, at + 12);
  if (idLen < -1 || idLen > MAX_CLIENT_ID || 10 + Math.max(idLen, 0) > size) return false;
  // The client id bytes at hand must be text (no control bytes): a response read as a request fails here.
  const end = Math.min(b.length, at + 14 + Math.min(idLen, CLIENT_ID_PROBE));
  for (let i = at + 14; i < end; i++) { const c = b[i]!; if (c < 0x20 || c === 0x7f) return false; }
  return true;
}

export function detectKafka(data: Uint8Array, isClient: boolean): DetectResult {
  if (isClient) {
    if (data.length < REQUEST_HEADER_PROBE) return data.length >= 4 && i32(data, 0) < MIN_REQUEST_FRAME ? 'no' : 'more';
    return requestStartsAt(data, 0) ? 'match' : 'no';
  }
  if (data.length < 8) return 'more';
  const size = i32(data, 0);
  if (size < 6 || size > MAX_FRAME_BYTES || i32(data, 4) < 0) return 'no';
  const end = 4 + size;
  if (data.length < end) return size <= SERVER_DETECT_WAIT_BYTES ? 'more' : 'no';
  if (data.length === end) return 'match';
  if (data.length < end + 8) return 'more';
  const next = i32(data, end);
  return next >= 6 && next <= MAX_FRAME_BYTES && i32(data, end + 4) >= 0 ? 'match' : 'no';
}
