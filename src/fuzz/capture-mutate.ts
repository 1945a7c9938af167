/**
 * Structure-aware mutations of a capture file (capture-layout.ts): records
 * dropped, repeated, reordered or taken from another capture; a record's
 * header fields (lengths, link type, block type) set to extremes; the packet
 * inside a record changed with its lengths kept consistent, so the layers
 * and dissectors behind the reader see it; the file cut anywhere.
 */
import { type MutateContext, lengthExtreme, mutateBytes } from './bytes-mutate.js';
import { joinCapture, packetOf, splitCapture, withPacket, type CaptureLayout } from './capture-layout.js';
import { MAX_INPUT_BYTES } from './limits.js';

/** Bytes at the start of a frame where its header fields live. */
const FRAME_HEAD_BYTES = 32;

type LayoutOp = (l: CaptureLayout, cx: MutateContext) => void;

const pickFrame = (l: CaptureLayout, cx: MutateContext, skipFirst: boolean): number =>
  skipFirst && l.frames.length > 1 ? 1 + cx.rng.int(l.frames.length - 1) : cx.rng.int(l.frames.length);

const drop: LayoutOp = (l, cx) => { if (l.frames.length > 1) l.frames.splice(pickFrame(l, cx, true), 1); };
const repeat: LayoutOp = (l, cx) => { const i = pickFrame(l, cx, true); l.frames.splice(cx.rng.int(l.frames.length + 1), 0, l.frames[i]); };
const swap: LayoutOp = (l, cx) => {
  const i = pickFrame(l, cx, true);
  const j = pickFrame(l, cx, true);
  [l.frames[i], l.frames[j]] = [l.frames[j], l.frames[i]];
};

/** A frame's header: lengths to extremes (in the file's byte order or the other), or any byte changed. */
const header: LayoutOp = (l, cx) => {
  const i = pickFrame(l, cx, false);
  const f = l.frames[i];
  const head = f.subarray(0, FRAME_HEAD_BYTES);
  const changed = cx.rng.chance(0.6) ? lengthExtreme(head, { ...cx, littleEndian: true }) : mutateBytes(head, cx);
  const out = new Uint8Array(changed.length + f.length - head.length);
  out.set(changed);
  out.set(f.subarray(head.length), changed.length);
  l.frames[i] = out;
};

/** A packet's bytes changed, the record's lengths fixed to match. */
const packet: LayoutOp = (l, cx) => {
  for (let tries = 0; tries < 4; tries++) {
    const i = pickFrame(l, cx, true);
    const data = packetOf(l, i);
    if (data === null) continue;
    l.frames[i] = withPacket(l, i, mutateBytes(data, cx));
    return;
  }
  header(l, cx);
};

/** Records from another capture of the same kind (their link type is this file's). */
const graft: LayoutOp = (l, cx) => {
  const o = splitCapture(cx.other());
  if (o === null || o.kind !== l.kind || o.frames.length < 2) return;
  const take = o.frames.slice(1 + cx.rng.int(o.frames.length - 1));
  l.frames.splice(1 + cx.rng.int(l.frames.length), 0, ...take.slice(0, 1 + cx.rng.int(8)));
};

const OPS: ReadonlyArray<readonly [LayoutOp, number]> = [[drop, 1], [repeat, 1], [swap, 1], [header, 3], [packet, 6], [graft, 1]];
const TOTAL = OPS.reduce((a, [, w]) => a + w, 0);

/** `rounds` stacked mutations of a capture file; raw byte mutations when it does not parse (or now and then anyway). */
export function mutateCapture(input: Uint8Array, cx: MutateContext, rounds: number): Uint8Array {
  const l = splitCapture(input);
  if (l === null || l.frames.length === 0 || cx.rng.chance(0.15)) {
    let b = input;
    for (let k = 0; k < rounds; k++) b = mutateBytes(b, { ...cx, littleEndian: true });
    return b;
  }
  for (let k = 0; k < rounds; k++) {
    let r = cx.rng.int(TOTAL);
    for (const [op, w] of OPS) {
      if (r < w) { op(l, cx); break; }
      r -= w;
    }
  }
  let out = joinCapture(l, cx.rng.chance(0.8));
  if (cx.rng.chance(0.05)) out = out.subarray(0, cx.rng.int(out.length + 1)); // cut anywhere: a truncated file
  return out.length <= MAX_INPUT_BYTES ? out : out.subarray(0, MAX_INPUT_BYTES);
}
