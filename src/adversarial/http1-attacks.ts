/**
 * Hostile HTTP/1 streams: heads that never end, bodies that declare more
 * than any capture holds, chunk-size lines that never end or overflow.
 * Each generator is one attacked connection from 10.66.x.x to port 80.
 */
import type { Attack } from './harness.js';
import { TcpStream } from './tcp-stream.js';

const SEGMENT = 1400;
const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A request head of `totalBytes` of header lines and no empty line, ever. */
export function endlessHeaders(totalBytes: number): Attack {
  const line = latin1(`X-Endless: ${'a'.repeat(SEGMENT - 13)}\r\n`);
  const times = Math.ceil(totalBytes / line.length);
  function* frames(): Generator<Buffer> {
    const t = new TcpStream('10.66.0.1', '10.66.1.1', 50_001, 80);
    yield* t.open();
    yield* t.fromClient(latin1('POST /endless HTTP/1.1\r\nHost: attack.test\r\n'));
    yield* t.repeatFromClient(line, times);
    yield* t.close();
  }
  return { name: 'http1-endless-headers', frames: frames(), count: times + 6 };
}

/** A request head with `headers` tiny header lines (then the empty line the parser never reaches). */
export function millionHeaders(headers: number): Attack {
  const perSegment = Math.floor(SEGMENT / 6);
  const chunk = latin1('X: y\r\n'.repeat(perSegment));
  const times = Math.ceil(headers / perSegment);
  function* frames(): Generator<Buffer> {
    const t = new TcpStream('10.66.0.2', '10.66.1.2', 50_002, 80);
    yield* t.open();
    yield* t.fromClient(latin1('GET /many HTTP/1.1\r\nHost: attack.test\r\n'));
    yield* t.repeatFromClient(chunk, times);
    yield* t.fromClient(latin1('\r\n'));
    yield* t.fromServer(latin1('HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n\r\n'));
    yield* t.close();
  }
  return { name: 'http1-million-headers', frames: frames(), count: times + 8 };
}

/** The Content-Length the big-body attack declares: 10 GiB. */
export const DECLARED_BODY_BYTES = 10 * 1024 ** 3;

/** A request declaring a 10 GiB body, `sentBytes` of it sent, a 413 answer, then the close. */
export function hugeContentLength(sentBytes: number): Attack {
  const chunk = Buffer.alloc(SEGMENT, 0x62);
  const times = Math.ceil(sentBytes / SEGMENT);
  function* frames(): Generator<Buffer> {
    const t = new TcpStream('10.66.0.3', '10.66.1.3', 50_003, 80);
    yield* t.open();
    yield* t.fromClient(latin1(`POST /upload HTTP/1.1\r\nHost: attack.test\r\nContent-Type: application/octet-stream\r\nContent-Length: ${DECLARED_BODY_BYTES}\r\n\r\n`));
    yield* t.repeatFromClient(chunk, times);
    yield* t.fromServer(latin1('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
    yield* t.close();
  }
  return { name: 'http1-10gb-content-length', frames: frames(), count: times + 8 };
}

/** A chunked request whose first chunk-size line is `digits` hex digits and never ends. */
export function endlessChunkSize(digits: number): Attack {
  const chunk = latin1('f'.repeat(SEGMENT));
  const times = Math.ceil(digits / SEGMENT);
  function* frames(): Generator<Buffer> {
    const t = new TcpStream('10.66.0.4', '10.66.1.4', 50_004, 80);
    yield* t.open();
    yield* t.fromClient(latin1('POST /chunks HTTP/1.1\r\nHost: attack.test\r\nTransfer-Encoding: chunked\r\n\r\n'));
    yield* t.repeatFromClient(chunk, times);
    yield* t.close();
  }
  return { name: 'http1-endless-chunk-size', frames: frames(), count: times + 7 };
}

/** A chunk of size 0xFFFFFFFFFFFFFFFF, then `sentBytes` of data and the close. */
export function hugeChunkSize(sentBytes: number): Attack {
  const chunk = Buffer.alloc(SEGMENT, 0x63);
  const times = Math.ceil(sentBytes / SEGMENT);
  function* frames(): Generator<Buffer> {
    const t = new TcpStream('10.66.0.5', '10.66.1.5', 50_005, 80);
    yield* t.open();
    yield* t.fromClient(latin1('POST /chunks HTTP/1.1\r\nHost: attack.test\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n'));
    yield* t.repeatFromClient(chunk, times);
    yield* t.close();
  }
  return { name: 'http1-chunk-size-2^64', frames: frames(), count: times + 7 };
}
