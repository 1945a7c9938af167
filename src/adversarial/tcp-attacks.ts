/**
 * Hostile TCP: a flood of half-open connections (SYN only, or one segment
 * each, never a second packet) and a connection drowned in tiny
 * out-of-order segments that never become contiguous.
 */
import type { Attack } from './harness.js';
import { TcpStream } from './tcp-stream.js';
import { tcpFrame } from '../testing/packets.js';

/**
 * `n` connections of one packet each from distinct tuples: half a bare SYN,
 * a quarter one segment of an HTTP request head, a quarter one segment of
 * junk.
 */
export function halfOpenFlood(n: number): Attack {
  function* frames(): Generator<Buffer> {
    for (let i = 0; i < n; i++) {
      const src = `10.80.${(i >> 8) & 255}.${i & 255}`;
      const sport = 1024 + (i >> 16);
      const kind = i & 3;
      if (kind < 2) yield tcpFrame({ src, dst: '10.81.0.1', sport, dport: 80, seq: i * 7919, flags: 'S' });
      else if (kind === 2) yield tcpFrame({ src, dst: '10.81.0.1', sport, dport: 80, seq: i * 7919, flags: 'PA', payload: 'GET /half-open HTTP/1.1\r\nHost: attack.test\r\n' });
      else yield tcpFrame({ src, dst: '10.81.0.2', sport, dport: 9, seq: i * 7919, flags: 'PA', payload: '\x00\x01junk that no dissector takes\x02' });
    }
  }
  return { name: 'tcp-half-open-flood', frames: frames(), count: n };
}

/**
 * One connection sends the start of a request, leaves a one-byte hole, then
 * `segments` 1-byte segments at every other sequence number (none ever
 * contiguous): the first half ascending, the second half descending. Then
 * `extraConns` more connections each send `extraSegments` such segments, to
 * push the total across connections past its limit.
 */
export function outOfOrderFlood(segments: number, extraConns: number, extraSegments: number): Attack {
  const one = Buffer.from('z');
  function* flood(t: TcpStream, count: number, descendingFrom: number): Generator<Buffer> {
    const base = t.clientSeq + 1; // the hole: one byte never sent
    for (let k = 0; k < count; k++) {
      const j = k < descendingFrom ? k : count - 1 - (k - descendingFrom);
      yield t.clientAt(base + 2 * j, one);
    }
  }
  function* frames(): Generator<Buffer> {
    const t = new TcpStream('10.82.0.1', '10.83.0.1', 50_401, 80);
    yield* t.open();
    yield* t.fromClient(Buffer.from('POST /ooo HTTP/1.1\r\nHost: attack.test\r\nContent-Length: 100000000\r\n\r\n', 'latin1'));
    yield* flood(t, segments, Math.floor(segments / 2));
    const extra: TcpStream[] = [];
    for (let c = 0; c < extraConns; c++) {
      const e = new TcpStream(`10.82.1.${c + 1}`, '10.83.0.1', 50_500 + c, 80);
      extra.push(e);
      yield* e.open();
      yield* e.fromClient(Buffer.from('POST /ooo HTTP/1.1\r\nHost: attack.test\r\nContent-Length: 100000000\r\n\r\n', 'latin1'));
      yield* flood(e, extraSegments, extraSegments);
    }
    yield* t.close();
    for (const e of extra) yield* e.close();
  }
  return { name: 'tcp-out-of-order-flood', frames: frames(), count: segments + extraConns * (extraSegments + 8) + 8 };
}
