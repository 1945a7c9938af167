/**
 * Hostile RESP: an array header of 1,000,000,000 elements followed by
 * elements, the largest count the reader takes (512 Mi) with a stream of
 * elements that never completes it, and arrays nested `depth` deep.
 * Three connections to port 6379.
 */
import type { Attack } from './harness.js';
import { TcpStream } from './tcp-stream.js';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

export function redisHugeArrays(elementBytes: number, depth: number): Attack {
  const element = latin1('$1\r\na\r\n'.repeat(200)); // 1,400 bytes
  const small = latin1(':1\r\n'.repeat(350));
  const times = Math.ceil(elementBytes / element.length);
  const nest = latin1('*1\r\n'.repeat(depth));
  function* frames(): Generator<Buffer> {
    const a = new TcpStream('10.66.6.1', '10.66.7.1', 50_301, 6379);
    yield* a.open();
    yield* a.fromClient(latin1('*1000000000\r\n'));
    yield* a.repeatFromClient(element, times);
    yield* a.fromServer(latin1('-ERR Protocol error: invalid multibulk length\r\n'));
    yield* a.close();
    const b = new TcpStream('10.66.6.2', '10.66.7.2', 50_302, 6379);
    yield* b.open();
    yield* b.fromClient(latin1('*536870912\r\n'));
    yield* b.repeatFromClient(small, times);
    yield* b.close();
    const c = new TcpStream('10.66.6.3', '10.66.7.3', 50_303, 6379);
    yield* c.open();
    yield* c.fromClient(Buffer.concat([nest, latin1(':1\r\n')]));
    yield* c.fromServer(latin1('+OK\r\n'));
    yield* c.close();
  }
  return { name: 'redis-huge-arrays', frames: frames(), count: 2 * times + Math.ceil(nest.length / 1460) + 20 };
}
