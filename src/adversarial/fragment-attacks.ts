/**
 * IP fragment floods: datagrams whose first fragment never gets a second,
 * datagrams cut into 8-byte fragments past the per-datagram count,
 * overlapping and duplicate fragments (some completing, first copy
 * winning), and one well-behaved fragmented DNS query/response pair in the
 * middle that must still come out whole.
 */
import type { Attack } from './harness.js';
import { ethernet, ipv4, udpDatagram } from '../testing/packets.js';
import { query, response } from '../dissectors/dns/test-support.js';
import { MAX_FRAGMENTS_PER_DATAGRAM } from '../layers/fragments.js';

/** The fragmented DNS exchange's client: normal traffic's prefix, its own host. */
export const FRAGMENTED_DNS_CLIENT = '10.99.9.9';

function fragment(src: string, dst: string, id: number, offset: number, more: boolean, bytes: Buffer, proto = 17): Buffer {
  return ethernet(0x0800, ipv4(src, dst, proto, bytes, { id, fragOffset: offset, more }));
}

/** A UDP datagram cut into fragments of `size` bytes (a multiple of 8). */
function fragmented(src: string, dst: string, id: number, dgram: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < dgram.length; off += size) out.push(fragment(src, dst, id, off, off + size < dgram.length, dgram.subarray(off, off + size)));
  return out;
}

/**
 * `incomplete` datagrams that send only their first 1,480 bytes;
 * `tiny` datagrams of 8-byte fragments (wrapping around, so duplicates), one past MAX_FRAGMENTS_PER_DATAGRAM;
 * `overlapping` datagrams sent last fragment first, then `overlaps`
 * fragments (each twice) overlapping their neighbours, completed by their
 * first fragment (every other one never completed).
 */
export function fragmentFlood(incomplete: number, tiny: number, overlapping: number, overlaps: number): Attack {
  const first = Buffer.alloc(1480, 0x46);
  const eight = Buffer.alloc(8, 0x54);
  const filler = Buffer.alloc(16, 0x4f);
  function* frames(): Generator<Buffer> {
    for (let i = 0; i < incomplete; i++) {
      yield fragment(`10.90.${(i >> 8) & 255}.${i & 255}`, '10.91.0.1', i & 0xffff, 0, true, first);
      if (i === Math.floor(incomplete / 2)) yield* dnsPair();
    }
    for (let d = 0; d < tiny; d++) {
      // Offsets wrap before the datagram's largest size: duplicates count too.
      for (let k = 0; k <= MAX_FRAGMENTS_PER_DATAGRAM; k++) yield fragment('10.92.0.1', '10.91.0.2', d, 8 * (k % 4096), true, eight);
    }
    for (let d = 0; d < overlapping; d++) {
      // Total length 8 × (overlaps + 2): the last 8 bytes first, then 16-byte fragments from the end
      // backwards, each sent twice and each overlapping the one before by 8 bytes; then (every other
      // datagram) the first 8 bytes, the UDP header, which completes it.
      const src = '10.93.0.1';
      const id = d & 0xffff;
      const total = 8 * (overlaps + 2);
      yield fragment(src, '10.91.0.3', id, total - 8, false, filler.subarray(0, 8));
      for (let k = overlaps; k >= 1; k--) {
        const f = fragment(src, '10.91.0.3', id, 8 * k, true, filler.subarray(0, 16));
        yield f;
        yield f;
      }
      if (d % 2 === 0) yield fragment(src, '10.91.0.3', id, 0, true, udpHeader(total - 8));
    }
  }
  return { name: 'ip-fragment-flood', frames: frames(), count: incomplete + tiny * (MAX_FRAGMENTS_PER_DATAGRAM + 1) + overlapping * (2 * overlaps + 2) };
}

function udpHeader(payloadLength: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(40_000, 0);
  h.writeUInt16BE(9, 2); // discard: no dissector
  h.writeUInt16BE(8 + payloadLength, 4);
  return h;
}

/** A DNS query and its response, each sent as three fragments. */
function* dnsPair(): Generator<Buffer> {
  const q = udpDatagram(53_000, 53, Buffer.from(query(0x4242, 'fragmented.example.test')));
  const r = udpDatagram(53, 53_000, Buffer.from(response(0x4242, 'fragmented.example.test', ['192.0.2.7', '192.0.2.8'])));
  yield* fragmented(FRAGMENTED_DNS_CLIENT, '10.99.9.53', 0x7001, q, 16);
  yield* fragmented('10.99.9.53', FRAGMENTED_DNS_CLIENT, 0x7002, r, 24);
}
