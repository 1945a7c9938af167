import { test } from 'node:test';
import { runConformance } from '../conformance.js';
import { redisSpec } from './index.js';
import { cmd } from './test-support.js';

test('Redis passes the dissector conformance suite', async (t) => {
  await runConformance(t, redisSpec, [
    {
      name: 'RESP2 commands', port: 6379, entries: 5, pipelining: true, exchanges: [
        [cmd('SET', 'k', 'v'), '+OK\r\n'],
        [cmd('GET', 'k'), '$1\r\nv\r\n'],
        [cmd('INCR', 'n'), ':1\r\n'],
        [cmd('LRANGE', 'l', '0', '-1'), `*2\r\n$${3000}\r\n${'x'.repeat(3000)}\r\n$1\r\nb\r\n`],
        [cmd('HGET', 'h', 'missing'), '$-1\r\n'],
      ],
    },
    {
      name: 'RESP3 after HELLO 3', port: 6379, entries: 3, pipelining: true, exchanges: [
        [cmd('HELLO', '3'), '%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n'],
        [cmd('SMEMBERS', 's'), '~2\r\n+a\r\n+b\r\n'],
        [cmd('GET', 'list'), '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
      ],
    },
    {
      name: 'inline commands', port: 6379, entries: 3, pipelining: true, exchanges: [
        ['PING\r\n', '+PONG\r\n'],
        ['SET greeting "hello world"\r\n', '+OK\r\n'],
        ['GET greeting\r\n', '$11\r\nhello world\r\n'],
      ],
    },
  ]);
});
