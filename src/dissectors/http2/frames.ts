/**
 * HTTP/2 framing (RFC 9113 §4, §6): frame types, flags, the frame header
 * check used by detection and resynchronisation, and the preface.
 */

export const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
export const PREFACE_BYTES = Buffer.from(PREFACE, 'latin1');
export const FRAME_HEADER_BYTES = 9;
/** SETTINGS_MAX_FRAME_SIZE default (RFC 9113 §6.5.2). */
export const DEFAULT_MAX_FRAME_SIZE = 16_384;

export const enum FrameType {
  DATA = 0, HEADERS = 1, PRIORITY = 2, RST_STREAM = 3, SETTINGS = 4,
  PUSH_PROMISE = 5, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8, CONTINUATION = 9,
}

export const FLAG_END_STREAM = 0x1;
export const FLAG_ACK = 0x1;
export const FLAG_END_HEADERS = 0x4;
export const FLAG_PADDED = 0x8;
export const FLAG_PRIORITY = 0x20;

/** Flags each known type defines; others are ignored by receivers but make a header less plausible to us. */
const DEFINED_FLAGS = [0x09, 0x2d, 0x00, 0x00, 0x01, 0x0c, 0x01, 0x00, 0x00, 0x04];

export const SETTINGS_HEADER_TABLE_SIZE = 1;
export const SETTINGS_MAX_FRAME_SIZE = 5;

/** RFC 9113 §7 error codes. */
const ERROR_NAMES = [
  'NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED',
  'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED',
];

export function errorName(code: number): string {
  return code < ERROR_NAMES.length ? ERROR_NAMES[code]! : `0x${code.toString(16)}`;
}

export interface FrameHeader { length: number; type: number; flags: number; streamId: number }

export function readFrameHeader(b: Uint8Array, off: number, h: FrameHeader): void {
  h.length = (b[off] << 16) | (b[off + 1] << 8) | b[off + 2];
  h.type = b[off + 3];
  h.flags = b[off + 4];
  h.streamId = ((b[off + 5] & 0x7f) * 0x1000000) + ((b[off + 6] << 16) | (b[off + 7] << 8) | b[off + 8]);
}

/**
 * Could the 9 bytes at `off` start a frame? Known type with its own flags and
 * stream rules, reserved bit clear, fixed sizes right, length within `max`.
 * Used where the frame boundary is not known (mid-connection, after a gap):
 * it never decides alone, callers chain two headers.
 */
export function plausibleHeader(b: Uint8Array, off: number, max: number): boolean {
  if (off + FRAME_HEADER_BYTES > b.length) return false;
  const len = (b[off] << 16) | (b[off + 1] << 8) | b[off + 2];
  const type = b[off + 3];
  const flags = b[off + 4];
  if (type > 9 || len > max || (b[off + 5] & 0x80) !== 0) return false;
  if ((flags & ~DEFINED_FLAGS[type]!) !== 0) return false;
  const zero = b[off + 5] === 0 && b[off + 6] === 0 && b[off + 7] === 0 && b[off + 8] === 0;
  switch (type) {
    case FrameType.SETTINGS: return zero && len % 6 === 0 && ((flags & FLAG_ACK) === 0 || len === 0);
    case FrameType.PING: return zero && len === 8;
    case FrameType.GOAWAY: return zero && len >= 8;
    case FrameType.WINDOW_UPDATE: return len === 4;
    case FrameType.PRIORITY: return !zero && len === 5;
    case FrameType.RST_STREAM: return !zero && len === 4;
    default: return !zero;
  }
}

/**
 * A chain of plausible frames starting at `off`: the next header, if it is
 * within `b`, must be plausible too; a frame ending exactly at the end of `b`
 * also counts. 'more' when the first frame does not end within `b`.
 */
export function plausibleChain(b: Uint8Array, off: number, max: number): 'yes' | 'no' | 'more' {
  if (off + FRAME_HEADER_BYTES > b.length) return 'more';
  if (!plausibleHeader(b, off, max)) return 'no';
  const next = off + FRAME_HEADER_BYTES + ((b[off] << 16) | (b[off + 1] << 8) | b[off + 2]);
  if (next === b.length) return 'yes';
  if (next + FRAME_HEADER_BYTES > b.length) return 'more';
  return plausibleHeader(b, next, max) ? 'yes' : 'no';
}
