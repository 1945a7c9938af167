/**
 * HTTP/2 and gRPC header values, which travel HPACK-coded (often Huffman)
 * and cannot be found as text. Each direction's header blocks are decoded
 * with the dissector's HPACK decoder from the connection preface on, so the
 * dynamic table is known; a literal value whose field is secret
 * (Authorization, Cookie, …, or a name with a configured word) or whose name
 * is not known is replaced by '*' bytes of the same length with the Huffman
 * bit cleared. The length, and so the dynamic table's sizes, stay the same:
 * the exported capture still decodes, showing the masks.
 *
 * A connection whose preface was not captured, or a gap before a header
 * block, stops the walk for that direction (see SECURITY.md).
 */
import { HpackDecoder, readInt } from '../../dissectors/http2/hpack.js';
import { ALWAYS_HEADERS, type Redactor } from '../redact.js';
import { MASK_BYTE, type Connection, type Stream } from './streams.js';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const FRAME_HEADER = 9;
const HEADERS = 0x1, PUSH_PROMISE = 0x5, CONTINUATION = 0x9, SETTINGS = 0x4;
const END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
const SETTINGS_HEADER_TABLE_SIZE = 0x1;
/** Frames walked per direction at most; header blocks larger than this are not decoded. */
const MAX_FRAMES = 1_000_000;
const MAX_BLOCK_BYTES = 1024 * 1024;

interface Frame { type: number; flags: number; start: number; end: number }

function* frames(s: Stream, from: number): Generator<Frame> {
  const b = s.bytes, stop = s.headRun;
  for (let off = from, i = 0; i < MAX_FRAMES && off + FRAME_HEADER <= stop; i++) {
    const len = b.readUIntBE(off, 3);
    if (off + FRAME_HEADER + len > stop) return;
    yield { type: b[off + 3], flags: b[off + 4], start: off + FRAME_HEADER, end: off + FRAME_HEADER + len };
    off += FRAME_HEADER + len;
  }
}

function advertisedTableSize(s: Stream, from: number): number {
  let size = 4096;
  for (const f of frames(s, from)) {
    if (f.type !== SETTINGS) continue;
    for (let p = f.start; p + 6 <= f.end; p += 6) if (s.bytes.readUInt16BE(p) === SETTINGS_HEADER_TABLE_SIZE) size = Math.max(size, s.bytes.readUInt32BE(p + 2));
  }
  return size;
}

function maskBlocks(s: Stream, from: number, advertised: number, r: Redactor): number {
  const dec = new HpackDecoder();
  dec.synced = true;
  dec.setAdvertised(advertised);
  let pieces: Array<[number, number]> = []; // stream ranges of the block being collected
  let n = 0;
  for (const f of frames(s, from)) {
    let start = f.start, end = f.end;
    if (f.type === HEADERS || f.type === PUSH_PROMISE) {
      if (f.flags & PADDED) { if (start >= end) continue; end -= s.bytes[start]; start += 1; }
      if (f.type === HEADERS && (f.flags & PRIORITY)) start += 5;
      if (f.type === PUSH_PROMISE) start += 4;
      pieces = [];
    } else if (f.type !== CONTINUATION || pieces.length === 0) continue;
    if (end > start) pieces.push([start, end]);
    if ((f.flags & END_HEADERS) === 0) continue;
    const total = pieces.reduce((t, [a, z]) => t + z - a, 0);
    if (total > MAX_BLOCK_BYTES) { dec.lose(); pieces = []; continue; }
    const block = Buffer.concat(pieces.map(([a, z]) => s.bytes.subarray(a, z)));
    const map = pieces;
    const at = (pos: number): number => {
      for (const [a, z] of map) { if (pos < z - a) return a + pos; pos -= z - a; }
      return -1;
    };
    dec.decode(block, (name, vAt, vEnd) => {
      if (name !== null && !ALWAYS_HEADERS.includes(name.toLowerCase()) && !r.isSecret(name)) return;
      const q = { pos: vAt };
      if (readInt(block, q, 7) <= 0) return;
      const head = at(vAt);
      if (head >= 0) s.set(head, s.bytes[head] & 0x7f); // the value is no longer Huffman-coded
      for (let i = q.pos; i < vEnd; i++) { const x = at(i); if (x >= 0) s.set(x, MASK_BYTE); }
      n++;
    });
    pieces = [];
  }
  return n;
}

export function maskHttp2(c: Connection, r: Redactor): number {
  for (const [cl, sv] of [[c.a, c.b], [c.b, c.a]] as const) {
    if (cl.headRun < PREFACE.length || !cl.bytes.subarray(0, PREFACE.length).equals(PREFACE)) continue;
    let n = maskBlocks(cl, PREFACE.length, advertisedTableSize(sv, 0), r);
    if (sv.headRun > 0) n += maskBlocks(sv, 0, advertisedTableSize(cl, PREFACE.length), r);
    return n;
  }
  return 0;
}
