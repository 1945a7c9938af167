/**
 * The input format of the layers target: a list of link-layer frames, each
 * with its link type, as a capture reader would hand them to the pipeline.
 *
 *   frame u16 link type, u16 length, bytes   (big-endian; any byte string decodes)
 *
 * Mutations work on the list (drop, repeat, reorder: IP fragments out of
 * order, duplicated, overlapping) and on one frame's headers (lengths,
 * versions, fragment fields, extension-header chains) or link type.
 */
import { type MutateContext, lengthExtreme, mutateBytes } from './bytes-mutate.js';
import { MAX_INPUT_BYTES } from './limits.js';

export interface Frame { linkType: number; data: Uint8Array }

const FRAME_HEADER_BYTES = 4;
const MAX_FRAME_BYTES = 0xffff;
/** Bytes at the start of a frame where link, IP and transport headers live. */
const HEADERS_BYTES = 96;
/** Link types the pipeline decodes (capture/types.ts LinkType, plus C-HDLC), and a few it does not. */
export const LINK_TYPES = [0, 1, 101, 113, 108, 228, 229, 276, 12, 14, 104, 9, 127, 0xffff];

export function decodeFrames(b: Uint8Array): Frame[] {
  const out: Frame[] = [];
  let o = 0;
  while (o + FRAME_HEADER_BYTES <= b.length) {
    const len = (b[o + 2] << 8) | b[o + 3];
    out.push({ linkType: (b[o] << 8) | b[o + 1], data: b.subarray(o + FRAME_HEADER_BYTES, Math.min(b.length, o + FRAME_HEADER_BYTES + len)) });
    o += FRAME_HEADER_BYTES + len;
  }
  return out;
}

export function encodeFrames(frames: readonly Frame[]): Uint8Array {
  const out = Buffer.alloc(frames.reduce((a, f) => a + FRAME_HEADER_BYTES + Math.min(MAX_FRAME_BYTES, f.data.length), 0));
  let o = 0;
  for (const f of frames) {
    const data = f.data.subarray(0, MAX_FRAME_BYTES);
    out.writeUInt16BE(f.linkType & 0xffff, o);
    out.writeUInt16BE(data.length, o + 2);
    out.set(data, o + FRAME_HEADER_BYTES);
    o += FRAME_HEADER_BYTES + data.length;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

type FramesOp = (fs: Frame[], cx: MutateContext) => void;
const pick = (fs: Frame[], cx: MutateContext): number => cx.rng.int(fs.length);

const headers: FramesOp = (fs, cx) => {
  if (fs.length === 0) return;
  const f = fs[pick(fs, cx)];
  const head = f.data.subarray(0, HEADERS_BYTES);
  const changed = cx.rng.chance(0.5) ? lengthExtreme(head, cx) : mutateBytes(head, cx);
  f.data = Buffer.concat([changed, f.data.subarray(head.length)]);
};
const anywhere: FramesOp = (fs, cx) => { if (fs.length > 0) { const f = fs[pick(fs, cx)]; f.data = mutateBytes(f.data, cx); } };
const linkType: FramesOp = (fs, cx) => { if (fs.length > 0) fs[pick(fs, cx)].linkType = cx.rng.pick(LINK_TYPES); };
const drop: FramesOp = (fs, cx) => { if (fs.length > 1) fs.splice(pick(fs, cx), 1); };
const repeat: FramesOp = (fs, cx) => { if (fs.length > 0) fs.splice(cx.rng.int(fs.length + 1), 0, { ...fs[pick(fs, cx)] }); };
const swap: FramesOp = (fs, cx) => {
  if (fs.length < 2) return;
  const i = pick(fs, cx);
  const j = pick(fs, cx);
  [fs[i], fs[j]] = [fs[j], fs[i]];
};
const graft: FramesOp = (fs, cx) => {
  const o = decodeFrames(cx.other());
  if (o.length > 0) fs.splice(cx.rng.int(fs.length + 1), 0, ...o.slice(cx.rng.int(o.length)).slice(0, 1 + cx.rng.int(4)));
};

const OPS: ReadonlyArray<readonly [FramesOp, number]> = [[headers, 8], [anywhere, 3], [linkType, 1], [drop, 1], [repeat, 2], [swap, 2], [graft, 1]];
const TOTAL = OPS.reduce((a, [, w]) => a + w, 0);

export function mutateFrames(input: Uint8Array, cx: MutateContext, rounds: number): Uint8Array {
  const fs = decodeFrames(input).map((f) => ({ ...f }));
  for (let k = 0; k < rounds; k++) {
    let r = cx.rng.int(TOTAL);
    for (const [op, w] of OPS) {
      if (r < w) { op(fs, cx); break; }
      r -= w;
    }
  }
  const out = encodeFrames(fs);
  return out.length <= MAX_INPUT_BYTES ? out : out.subarray(0, MAX_INPUT_BYTES);
}
