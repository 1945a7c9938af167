/**
 * Structure-aware mutations of a conversation (conversation.ts): the bytes
 * of a segment or of a whole direction's stream (re-cut into new segments),
 * and the TCP structure around them — reordering, duplication (retransmits
 * and overlaps), dropped segments (gaps), sequence jumps and wrap-around,
 * flags, idle time, interleaved garbage segments and splices of two
 * conversations.
 */
import { type MutateContext, mutateBytes, concatBytes } from './bytes-mutate.js';
import { type Conversation, type Segment, MAX_SEGMENT_BYTES, Option, SegFlag, decodeConversation, encodeConversation, isServer, renumber } from './conversation.js';
import { MAX_INPUT_BYTES } from './limits.js';

/** What a target wants mutated most: the payload (dissectors) or the TCP structure (reassembly). */
export type Emphasis = 'content' | 'structure';

/** Segment counts stay below this, so one input cannot turn into a million frames. */
const MAX_SEGMENTS = 2048;
const FLAGS = [SegFlag.SERVER, SegFlag.SYN, SegFlag.FIN, SegFlag.RST, SegFlag.IDLE, SegFlag.NO_ACK, SegFlag.CUT];
/** Sequence numbers near the 2^32 wrap, and ones in the middle. */
const ISNS = [0, 1, 0xffffffff, 0xfffffff0, 0xffff0000, 0x7fffffff, 0x80000000];

type ConvOp = (c: Conversation, cx: MutateContext) => void;

const pickSeg = (c: Conversation, cx: MutateContext): number => cx.rng.int(c.segments.length);

/** New bytes in one segment; the direction is renumbered unless we want a hole or an overlap. */
const segmentBytes: ConvOp = (c, cx) => {
  if (c.segments.length === 0) { c.segments.push({ flags: cx.rng.int(2), seq: 0, data: cx.rng.bytes(1 + cx.rng.size(64)) }); return; }
  const s = c.segments[pickSeg(c, cx)];
  s.data = mutateBytes(s.data, cx).subarray(0, MAX_SEGMENT_BYTES);
  if (cx.rng.chance(0.85)) renumber(c.segments);
};

/** One direction's whole stream mutated (length fields across messages), then cut into new segment sizes. */
const streamBytes: ConvOp = (c, cx) => {
  const server = cx.rng.chance(0.5);
  const mine = c.segments.filter((s) => isServer(s) === server);
  if (mine.length === 0) return segmentBytes(c, cx);
  let stream = concatBytes(...mine.map((s) => s.data));
  for (let k = 1 + cx.rng.int(3); k > 0; k--) stream = mutateBytes(stream, cx);
  const cuts: Uint8Array[] = [];
  const keepSizes = cx.rng.chance(0.5);
  for (let o = 0, i = 0; o < stream.length; i++) {
    const n = keepSizes && i < mine.length - 1 ? Math.max(1, mine[i].data.length) : 1 + cx.rng.size(Math.min(MAX_SEGMENT_BYTES, 4096) - 1);
    cuts.push(stream.subarray(o, o + n));
    o += n;
  }
  // Pieces go where this direction's segments were, extra ones after the last of them.
  const out: Segment[] = [];
  let next = 0;
  for (const s of c.segments) {
    if (isServer(s) !== server) { out.push(s); continue; }
    if (next < cuts.length) out.push({ flags: s.flags, seq: 0, data: cuts[next++] });
  }
  const flags = server ? SegFlag.SERVER : 0;
  while (next < cuts.length) out.push({ flags, seq: 0, data: cuts[next++] });
  c.segments = out;
  renumber(c.segments);
};

const split: ConvOp = (c, cx) => {
  if (c.segments.length === 0) return;
  const i = pickSeg(c, cx);
  const s = c.segments[i];
  if (s.data.length < 2) return;
  const at = 1 + cx.rng.int(s.data.length - 1);
  c.segments.splice(i, 1, { ...s, data: s.data.subarray(0, at) }, { ...s, seq: (s.seq + at) >>> 0, data: s.data.subarray(at) });
};

/** Two segments change places: out-of-order arrival. */
const swap: ConvOp = (c, cx) => {
  if (c.segments.length < 2) return;
  const i = pickSeg(c, cx);
  const j = cx.rng.chance(0.7) ? Math.min(c.segments.length - 1, i + 1 + cx.rng.int(3)) : pickSeg(c, cx);
  [c.segments[i], c.segments[j]] = [c.segments[j], c.segments[i]];
};

/** A segment sent again later, whole or in part (retransmission, overlap with different bytes). */
const duplicate: ConvOp = (c, cx) => {
  if (c.segments.length === 0) return;
  const s = c.segments[pickSeg(c, cx)];
  const from = cx.rng.int(s.data.length + 1);
  let data = s.data.subarray(from, from + cx.rng.size(s.data.length - from));
  if (cx.rng.chance(0.3)) data = mutateBytes(data, cx).subarray(0, MAX_SEGMENT_BYTES);
  c.segments.splice(cx.rng.int(c.segments.length + 1), 0, { flags: s.flags, seq: (s.seq + from) >>> 0, data });
};

/** A lost segment: a gap in its direction. */
const drop: ConvOp = (c, cx) => { if (c.segments.length > 0) c.segments.splice(pickSeg(c, cx), 1); };

const shiftSeq: ConvOp = (c, cx) => {
  if (c.segments.length === 0) return;
  const s = c.segments[pickSeg(c, cx)];
  const delta = cx.rng.chance(0.7) ? cx.rng.range(-64, 64) : cx.rng.pick([1 << 30, -(1 << 30), 0x7fffffff, 1 << 20, 65536]);
  s.seq = (s.seq + delta) >>> 0;
};

const toggleFlag: ConvOp = (c, cx) => {
  if (c.segments.length === 0) return;
  c.segments[pickSeg(c, cx)].flags ^= cx.rng.pick(FLAGS);
};

const header: ConvOp = (c, cx) => {
  const k = cx.rng.int(4);
  if (k === 0) c.options ^= cx.rng.pick([Option.HANDSHAKE, Option.CLOSE, Option.IPV6]);
  else if (k === 1) c.isnClient = cx.rng.chance(0.5) ? cx.rng.pick(ISNS) : cx.rng.int(2 ** 32);
  else if (k === 2) c.isnServer = cx.rng.chance(0.5) ? cx.rng.pick(ISNS) : cx.rng.int(2 ** 32);
  else c.port = cx.rng.chance(0.5) ? cx.rng.pick([80, 443, 53, 6379, 5432, 3306, 27017, 9092, 5672, 1883, 8080, 0]) : cx.rng.int(65536);
};

/** Random bytes as a segment of their own, anywhere, either direction. */
const garbageSegment: ConvOp = (c, cx) => {
  const flags = cx.rng.int(2);
  const seq = cx.rng.chance(0.5) ? c.segments.filter((s) => (s.flags & 1) === flags).reduce((a, s) => Math.max(a, s.seq + s.data.length), 0) : cx.rng.int(2 ** 32);
  c.segments.splice(cx.rng.int(c.segments.length + 1), 0, { flags, seq, data: cx.rng.bytes(1 + cx.rng.size(1024)) });
};

/** Segments of another conversation appended, or taking over after a point. */
const spliceConversation: ConvOp = (c, cx) => {
  const o = decodeConversation(cx.other()).segments;
  const at = cx.rng.int(c.segments.length + 1);
  c.segments = cx.rng.chance(0.5) ? [...c.segments.slice(0, at), ...o.slice(cx.rng.int(o.length + 1))] : [...c.segments, ...o.slice(0, 1 + cx.rng.int(4))];
  if (cx.rng.chance(0.7)) renumber(c.segments);
};

const CONTENT: ReadonlyArray<readonly [ConvOp, number]> = [
  [segmentBytes, 10], [streamBytes, 6], [split, 2], [swap, 1], [duplicate, 1], [drop, 1], [shiftSeq, 1], [toggleFlag, 1],
  [header, 1], [garbageSegment, 1], [spliceConversation, 1],
];
const STRUCTURE: ReadonlyArray<readonly [ConvOp, number]> = [
  [segmentBytes, 3], [streamBytes, 1], [split, 4], [swap, 5], [duplicate, 5], [drop, 3], [shiftSeq, 4], [toggleFlag, 4],
  [header, 3], [garbageSegment, 2], [spliceConversation, 1],
];

function pickOp(ops: ReadonlyArray<readonly [ConvOp, number]>, cx: MutateContext): ConvOp {
  let k = cx.rng.int(ops.reduce((a, [, w]) => a + w, 0));
  for (const [op, w] of ops) {
    if (k < w) return op;
    k -= w;
  }
  return segmentBytes;
}

/** `rounds` stacked conversation mutations of an encoded conversation. */
export function mutateConversation(input: Uint8Array, cx: MutateContext, emphasis: Emphasis, rounds: number): Uint8Array {
  if (cx.rng.chance(0.05)) return mutateBytes(input, cx); // now and then, the raw encoding itself
  const c = decodeConversation(input);
  const ops = emphasis === 'content' ? CONTENT : STRUCTURE;
  for (let k = 0; k < rounds; k++) pickOp(ops, cx)(c, cx);
  if (c.segments.length > MAX_SEGMENTS) c.segments.length = MAX_SEGMENTS;
  const out = encodeConversation(c);
  return out.length <= MAX_INPUT_BYTES ? out : out.subarray(0, MAX_INPUT_BYTES);
}
