/**
 * Hostile HTTP/2 (h2c) connections: an HPACK dynamic table pushed to its
 * largest size (SETTINGS_HEADER_TABLE_SIZE 2^32-1 both ways, table-size
 * updates up to the largest integer and past it, blocks of large literals
 * with incremental indexing), and a CONTINUATION flood (a HEADERS frame
 * followed by CONTINUATION frames, full and empty, that never end the block).
 */
import type { Attack } from './harness.js';
import { TcpStream } from './tcp-stream.js';
import { PREFACE } from '../dissectors/http2/frames.js';
import { SETTINGS_ACK, frame } from '../dissectors/http2/test-support.js';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** HPACK prefix integer (RFC 7541 §5.1) with the first byte's flag bits. */
function hpackInt(v: number, prefix: number, first: number): number[] {
  const max = (1 << prefix) - 1;
  if (v < max) return [first | v];
  const out = [first | max];
  v -= max;
  while (v >= 128) { out.push((v % 128) | 0x80); v = Math.floor(v / 128); }
  out.push(v);
  return out;
}

function hpackString(s: string): number[] {
  const b = latin1(s);
  return [...hpackInt(b.length, 7, 0), ...b];
}

/** SETTINGS with SETTINGS_HEADER_TABLE_SIZE = 2^32-1. */
function hugeTableSettings(): Buffer {
  const p = Buffer.alloc(6);
  p.writeUInt16BE(1, 0);
  p.writeUInt32BE(0xffff_ffff, 2);
  return frame(4, 0, 0, p);
}

/** Largest table-size update podtap's decoder takes (2^28-1); 2^32-1 is past its integer bound. */
const BIG_UPDATE = 0x0fff_ffff;

/**
 * `blocks` requests, each header block opening with a table-size update
 * (every 97th one to 2^32-1, an encoding error) and carrying one new
 * `valueBytes` literal with incremental indexing; each answered 200.
 */
export function hpackTableMax(blocks: number, valueBytes = 4000): Attack {
  const value = 'v'.repeat(valueBytes);
  function* frames(): Generator<Buffer> {
    const t = new TcpStream('10.66.4.1', '10.66.5.1', 50_201, 8080);
    yield* t.open();
    yield* t.fromClient(Buffer.concat([latin1(PREFACE), hugeTableSettings()]));
    yield* t.fromServer(Buffer.concat([hugeTableSettings(), SETTINGS_ACK]));
    for (let i = 0; i < blocks; i++) {
      const id = 2 * i + 1;
      const update = i % 97 === 96 ? 0xffff_ffff : BIG_UPDATE;
      const block = Buffer.from([
        ...hpackInt(update, 5, 0x20),
        0x82, 0x86, 0x84, // :method GET, :scheme http, :path /
        0x41, ...hpackString('attack.test'), // :authority, indexed name, incremental indexing
        0x40, ...hpackString(`x-fill-${i}`), ...hpackString(value),
      ]);
      yield* t.fromClient(frame(1, 0x5, id, block));
      yield* t.fromServer(frame(1, 0x5, id, Buffer.from([...hpackInt(BIG_UPDATE, 5, 0x20), 0x88])));
    }
    yield* t.close();
  }
  return { name: 'hpack-table-max', frames: frames(), count: blocks * (Math.ceil(valueBytes / 1460) + 1) + 8 };
}

/**
 * One HEADERS frame without END_HEADERS, then `fullFrames` CONTINUATION
 * frames of 16 KiB and `emptyFrames` empty ones, none ending the block.
 */
export function continuationFlood(fullFrames: number, emptyFrames: number): Attack {
  const full = frame(9, 0, 1, Buffer.alloc(16_384, 0x40));
  const empties = Buffer.concat(Array.from({ length: 160 }, () => frame(9, 0, 1))); // 1,440 bytes: one segment
  const emptyBatches = Math.ceil(emptyFrames / 160);
  function* frames(): Generator<Buffer> {
    const t = new TcpStream('10.66.4.2', '10.66.5.2', 50_202, 8080);
    yield* t.open();
    yield* t.fromClient(Buffer.concat([latin1(PREFACE), frame(4, 0, 0), frame(1, 0x1, 1, Buffer.from([0x82, 0x86, 0x84]))]));
    yield* t.fromServer(Buffer.concat([frame(4, 0, 0), SETTINGS_ACK]));
    yield* t.repeatFromClient(full, fullFrames);
    yield* t.repeatFromClient(empties, emptyBatches);
    yield* t.close();
  }
  return { name: 'http2-continuation-flood', frames: frames(), count: fullFrames * 12 + emptyBatches + 8 };
}
