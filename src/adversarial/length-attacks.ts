/**
 * Length fields that point past the frame: Kafka, AMQP and PostgreSQL
 * connections that, after a normal start, send a frame header declaring far
 * more than follows (the most each reader accepts: 100 MiB, 4 MiB, 1 GiB),
 * or 2 GiB (more than any accepts). `conns` connections per protocol stay
 * open at once, each holding its unfinished frame, until they all close at
 * the end; the first of each also sends `bigBytes` of its frame. A reader
 * that sizes its buffer from the declared length instead of the bytes that
 * arrived shows up here as memory proportional to the lies.
 */
import type { Attack } from './harness.js';
import { TcpStream } from './tcp-stream.js';
import { request as kafkaRequest, response as kafkaResponse, W } from '../dissectors/kafka/test-frames.js';
import { opening, sstr, u16, u8 } from '../dissectors/amqp/test-frames.js';
import { startup, startupAnswer } from '../dissectors/postgres/test-support.js';

/** Every this-many-th connection declares 2 GiB instead of the largest accepted length. */
const TWO_GIB_EVERY = 4;
const TWO_GIB = 0x8000_0000;

interface Conn { t: TcpStream; start: Buffer[][]; hostile: Buffer; tail: number }

function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

function kafkaConn(i: number, tail: number): Conn {
  const t = new TcpStream(`10.67.${i >> 8}.${i & 255}`, '10.68.0.1', 20_000 + (i % 40_000), 9092);
  const apiVersions = kafkaRequest(18, 0, 1, 'attacker', Buffer.alloc(0));
  const w = new W().i16(0);
  w.array([[18, 0, 3]], ([k, a, b]) => { w.i16(k!).i16(a!).i16(b!); });
  const answer = kafkaResponse(1, w.done());
  // The hostile frame: a Metadata request header declaring 100 MiB (or 2 GiB).
  const declared = i % TWO_GIB_EVERY === TWO_GIB_EVERY - 1 ? TWO_GIB : 100 * 1024 * 1024;
  const head = Buffer.concat([u32be(declared), new W().i16(3).i16(0).i32(2).str('attacker').done()]);
  return { t, start: [[apiVersions, answer]], hostile: head, tail };
}

function amqpConn(i: number, tail: number): Conn {
  const t = new TcpStream(`10.69.${i >> 8}.${i & 255}`, '10.68.0.2', 20_000 + (i % 40_000), 5672);
  const declared = i % TWO_GIB_EVERY === TWO_GIB_EVERY - 1 ? TWO_GIB : 4 * 1024 * 1024 - 1;
  // A basic.publish method frame header declaring `declared` payload bytes.
  const head = Buffer.concat([Buffer.from([1, 0, 1]), u32be(declared), u16(60), u16(40), u16(0), sstr('ex'), sstr('key'), u8(0)]);
  return { t, start: opening(), hostile: head, tail };
}

function postgresConn(i: number, tail: number): Conn {
  const t = new TcpStream(`10.70.${i >> 8}.${i & 255}`, '10.68.0.3', 20_000 + (i % 40_000), 5432);
  const declared = i % TWO_GIB_EVERY === TWO_GIB_EVERY - 1 ? TWO_GIB : 0x3fff_0000;
  const head = Buffer.concat([Buffer.from('Q', 'latin1'), u32be(declared), Buffer.from('SELECT ', 'latin1')]);
  return { t, start: [[startup({ user: 'attacker', database: 'db' }), startupAnswer()]], hostile: head, tail };
}

/**
 * `conns` connections of each protocol, opened, started normally, then each
 * sends its hostile header and `tailBytes` more (the first one `bigBytes`),
 * all held open until the end.
 */
export function lengthFieldsPastFrame(conns: number, tailBytes: number, bigBytes: number): Attack {
  const all: Conn[] = [];
  for (let i = 0; i < conns; i++) {
    const tail = i === 0 ? bigBytes : tailBytes;
    all.push(kafkaConn(i, tail), amqpConn(i, tail), postgresConn(i, tail));
  }
  const filler = Buffer.alloc(1400, 0x41);
  function* frames(): Generator<Buffer> {
    for (const c of all) {
      yield* c.t.open();
      for (const [client, server] of c.start) {
        yield* c.t.fromClient(client);
        yield* c.t.fromServer(server);
      }
      yield* c.t.fromClient(c.hostile);
      for (let left = c.tail; left > 0; left -= filler.length) yield* c.t.fromClient(filler.subarray(0, Math.min(left, filler.length)));
    }
    for (const c of all) yield* c.t.close();
  }
  const perConn = 16 + Math.ceil(tailBytes / 1400);
  return { name: 'length-fields-past-frame', frames: frames(), count: all.length * perConn + 3 * Math.ceil(bigBytes / 1400) };
}
