/**
 * The input format of the stream, datagram and ICMP targets: one
 * conversation between a client and a server as a list of segments, each
 * with its direction, TCP flags and its sequence offset in its direction's
 * stream. Keeping the offset in the input is what lets mutations reorder,
 * duplicate, overlap and drop segments as TCP would see them.
 *
 *   header  u8 options (HANDSHAKE | CLOSE | IPV6), u16 server port, u32 client ISN, u32 server ISN
 *   segment u8 flags (SegFlag), u32 offset in the direction's stream, u16 length, bytes
 *
 * All big-endian. Decoding never throws: any byte string is a conversation
 * (missing header bytes read as 0, a cut last segment keeps what is there).
 */
export const Option = { HANDSHAKE: 1, CLOSE: 2, IPV6: 4 } as const;
export const SegFlag = { SERVER: 1, SYN: 2, FIN: 4, RST: 8, IDLE: 16, NO_ACK: 32, CUT: 64 } as const;

export const HEADER_BYTES = 11;
export const SEGMENT_HEADER_BYTES = 7;
/** Largest segment payload the format holds. */
export const MAX_SEGMENT_BYTES = 0xffff;

export interface Segment { flags: number; seq: number; data: Uint8Array }

export interface Conversation {
  options: number;
  port: number;
  isnClient: number;
  isnServer: number;
  segments: Segment[];
}

export const isServer = (s: Segment): boolean => (s.flags & SegFlag.SERVER) !== 0;

export function decodeConversation(b: Uint8Array): Conversation {
  const at = (i: number): number => (i < b.length ? b[i] : 0);
  const u32 = (i: number): number => ((at(i) << 24) | (at(i + 1) << 16) | (at(i + 2) << 8) | at(i + 3)) >>> 0;
  const c: Conversation = { options: at(0), port: (at(1) << 8) | at(2), isnClient: u32(3), isnServer: u32(7), segments: [] };
  let o = HEADER_BYTES;
  while (o + SEGMENT_HEADER_BYTES <= b.length) {
    const len = (at(o + 5) << 8) | at(o + 6);
    const start = o + SEGMENT_HEADER_BYTES;
    c.segments.push({ flags: b[o], seq: u32(o + 1), data: b.subarray(start, Math.min(b.length, start + len)) });
    o = start + len;
  }
  return c;
}

export function encodeConversation(c: Conversation): Uint8Array {
  const size = HEADER_BYTES + c.segments.reduce((a, s) => a + SEGMENT_HEADER_BYTES + Math.min(s.data.length, MAX_SEGMENT_BYTES), 0);
  const out = Buffer.alloc(size);
  out[0] = c.options & 0xff;
  out.writeUInt16BE(c.port & 0xffff, 1);
  out.writeUInt32BE(c.isnClient >>> 0, 3);
  out.writeUInt32BE(c.isnServer >>> 0, 7);
  let o = HEADER_BYTES;
  for (const s of c.segments) {
    const data = s.data.subarray(0, MAX_SEGMENT_BYTES);
    out[o] = s.flags & 0xff;
    out.writeUInt32BE(s.seq >>> 0, o + 1);
    out.writeUInt16BE(data.length, o + 5);
    out.set(data, o + SEGMENT_HEADER_BYTES);
    o += SEGMENT_HEADER_BYTES + data.length;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Offsets made contiguous again, per direction, in list order (after a payload changed length). */
export function renumber(segments: Segment[]): void {
  const next = [0, 0];
  for (const s of segments) {
    const d = isServer(s) ? 1 : 0;
    s.seq = next[d];
    next[d] += s.data.length;
  }
}
