/**
 * Byte-level mutations, the ones every target shares: bit flips, interesting
 * values, truncation, length fields set to extremes, inserted garbage and
 * dictionary tokens, deleted and duplicated ranges, and splices with another
 * corpus input. Structure-aware mutators (conversations, capture files,
 * filters) call these on the parts they pick.
 *
 * Inputs are never changed in place (corpus entries are shared): every
 * mutation returns a new array, at most `MAX_INPUT_BYTES` long.
 */
import { MAX_INPUT_BYTES } from './limits.js';
import type { Rng } from './rng.js';

export interface MutateContext {
  rng: Rng;
  /** Another corpus input, for splicing. */
  other(): Uint8Array;
  /** Tokens worth inserting whole (protocol keywords, filter syntax). */
  dict?: readonly Uint8Array[];
  /** Length fields may be little-endian too (capture file headers). */
  littleEndian?: boolean;
}

/** Positions tried when looking for a length-looking field. */
const LENGTH_PROBES = 256;
/** Largest run of garbage inserted at once. */
const MAX_GARBAGE_BYTES = 512;
const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x0d, 0x20, 0x3a, 0x22, 0x5c];
const EXTREMES_16 = [0, 0xffff, 0x7fff, 0x8000];
const EXTREMES_32 = [0, 0xffff, 0x7fffffff, 0xffffffff, 0x80000000];

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const n = Math.min(MAX_INPUT_BYTES, parts.reduce((a, p) => a + p.length, 0));
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    if (o >= n) break;
    out.set(p.subarray(0, n - o), o);
    o += p.length;
  }
  return out;
};

function readUint(b: Uint8Array, p: number, width: 2 | 4, le: boolean): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + b[le ? p + width - 1 - i : p + i];
  return v;
}

function writeUint(b: Uint8Array, p: number, width: 2 | 4, v: number, le: boolean): void {
  for (let i = 0; i < width; i++) {
    const byte = Math.floor(v / 256 ** (width - 1 - i)) & 0xff;
    b[le ? p + width - 1 - i : p + i] = byte;
  }
}

/** A 2- or 4-byte field whose value could be the length of what follows it; -1 when none turned up. */
export function findLengthField(b: Uint8Array, width: 2 | 4, le: boolean, rng: Rng): number {
  const last = b.length - width;
  if (last < 0) return -1;
  for (let k = 0; k < LENGTH_PROBES; k++) {
    const p = rng.int(last + 1);
    const v = readUint(b, p, width, le);
    if (v >= 1 && v <= b.length - p) return p;
  }
  return -1;
}

/** Set a length-looking field (or, failing that, any 2/4 bytes) to 0, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF or one off its value. */
export function lengthExtreme(b: Uint8Array, cx: MutateContext): Uint8Array {
  const { rng } = cx;
  const width: 2 | 4 = rng.chance(0.5) ? 2 : 4;
  if (b.length < width) return b;
  const le = cx.littleEndian === true && rng.chance(0.5);
  let p = findLengthField(b, width, le, rng);
  if (p < 0) p = rng.int(b.length - width + 1);
  const out = b.slice();
  const old = readUint(b, p, width, le);
  const max = width === 2 ? 0xffff : 0xffffffff;
  const choices = [...(width === 2 ? EXTREMES_16 : EXTREMES_32), Math.min(max, old + 1), Math.max(0, old - 1)];
  writeUint(out, p, width, rng.pick(choices), le);
  return out;
}

type ByteOp = (b: Uint8Array, cx: MutateContext) => Uint8Array;

const flipBit: ByteOp = (b, { rng }) => {
  if (b.length === 0) return b;
  const out = b.slice();
  out[rng.int(b.length)] ^= 1 << rng.int(8);
  return out;
};

const setByte: ByteOp = (b, { rng }) => {
  if (b.length === 0) return b;
  const out = b.slice();
  const i = rng.int(b.length);
  out[i] = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : (out[i] + rng.range(-16, 16)) & 0xff;
  return out;
};

const truncate: ByteOp = (b, { rng }) => b.subarray(0, rng.int(b.length));

const insertGarbage: ByteOp = (b, { rng }) => {
  const at = rng.int(b.length + 1);
  return concat(b.subarray(0, at), rng.bytes(1 + rng.size(MAX_GARBAGE_BYTES - 1)), b.subarray(at));
};

const insertToken: ByteOp = (b, cx) => {
  if (cx.dict === undefined || cx.dict.length === 0) return insertGarbage(b, cx);
  const at = cx.rng.int(b.length + 1);
  const replace = cx.rng.chance(0.3) ? cx.rng.size(16) : 0;
  return concat(b.subarray(0, at), cx.rng.pick(cx.dict), b.subarray(Math.min(b.length, at + replace)));
};

const deleteRange: ByteOp = (b, { rng }) => {
  if (b.length === 0) return b;
  const at = rng.int(b.length);
  return concat(b.subarray(0, at), b.subarray(at + 1 + rng.size(b.length - at - 1)));
};

const duplicateRange: ByteOp = (b, { rng }) => {
  if (b.length === 0) return b;
  const from = rng.int(b.length);
  const piece = b.subarray(from, from + 1 + rng.size(b.length - from - 1));
  const at = rng.int(b.length + 1);
  return concat(b.subarray(0, at), piece, b.subarray(at));
};

/** Head of this input, tail of another. */
const splice: ByteOp = (b, cx) => {
  const o = cx.other();
  return concat(b.subarray(0, cx.rng.int(b.length + 1)), o.subarray(cx.rng.int(o.length + 1)));
};

/** A piece of another input dropped into this one. */
const interleave: ByteOp = (b, cx) => {
  const o = cx.other();
  const from = cx.rng.int(o.length + 1);
  const at = cx.rng.int(b.length + 1);
  return concat(b.subarray(0, at), o.subarray(from, from + cx.rng.size(o.length - from)), b.subarray(at));
};

/** Weighted: the cheap local changes most often. */
const OPS: ReadonlyArray<readonly [ByteOp, number]> = [
  [flipBit, 6], [setByte, 5], [lengthExtreme, 5], [truncate, 1], [insertGarbage, 2], [insertToken, 3],
  [deleteRange, 2], [duplicateRange, 2], [splice, 1], [interleave, 1],
];
const TOTAL = OPS.reduce((a, [, w]) => a + w, 0);

/** One byte-level mutation of `b`. */
export function mutateBytes(b: Uint8Array, cx: MutateContext): Uint8Array {
  let k = cx.rng.int(TOTAL);
  for (const [op, w] of OPS) {
    if (k < w) return op(b, cx);
    k -= w;
  }
  return flipBit(b, cx);
}

export { concat as concatBytes };
