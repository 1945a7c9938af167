import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectRedis } from './detect.js';
import { cmd } from './test-support.js';

const d = (s: string, isClient: boolean): string => detectRedis(Buffer.from(s, 'latin1'), isClient);

test('client side: RESP arrays and known inline commands', () => {
  assert.equal(d(cmd('GET', 'k'), true), 'match');
  assert.equal(d('*2\r\n', true), 'more');
  assert.equal(d('*', true), 'more');
  assert.equal(d('*2\r\n:1\r\n', true), 'no');
  assert.equal(d('PING\r\n', true), 'match');
  assert.equal(d('set k v\r\n', true), 'match');
  assert.equal(d('PIN', true), 'more');
  assert.equal(d('GET / HTTP/1.1\r\nHost: x\r\n\r\n', true), 'no');
  assert.equal(d('HELO x\r\n', true), 'no');
  assert.equal(d('\x16\x03\x01\x00', true), 'no');
});

test('server side: one well-formed RESP header', () => {
  for (const s of ['+OK\r\n', '-ERR unknown\r\n', '-WRONGTYPE x\r\n', ':12\r\n', '$5\r\nhello\r\n', '$-1\r\n', '*-1\r\n', '*0\r\n', '*2\r\n$1\r\n',
    '%1\r\n+a\r\n', '~1\r\n:1\r\n', '>3\r\n$7\r\n', '_\r\n', '#t\r\n', ',1.5\r\n', '(123\r\n']) assert.equal(d(s, false), 'match', JSON.stringify(s));
  for (const s of ['+OK POP3 server ready\r\n', '-err x\r\n', ':x\r\n', '*2\r\nx', 'HTTP/1.1 200 OK\r\n', '#x\r\n', '+a\x00b\r\n']) assert.equal(d(s, false), 'no', JSON.stringify(s));
  assert.equal(d('+PON', false), 'more');
});
