import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline } from '../../pipeline/pipeline.js';
import { tcpConversation } from '../../testing/packets.js';
import type { Entry } from '../../entries/types.js';
import type { RedisEntry } from './index.js';
import { cmd, redisRegistry } from './test-support.js';

function run(exchanges: Array<[string | Uint8Array, string | Uint8Array]>): { entries: RedisEntry[]; weirds: Record<string, number> } {
  const entries: RedisEntry[] = [];
  const p = new Pipeline((e: Entry) => entries.push(e as unknown as RedisEntry), {}, redisRegistry());
  const frames = tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40000, sport: 6379, exchanges });
  frames.forEach((data, i) => p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
  const stats = p.finish();
  return { entries, weirds: stats.weirds };
}

test('commands, keys, args and reply types', () => {
  const { entries } = run([
    [cmd('SET', 'k', 'v', 'EX', '10'), '+OK\r\n'],
    [cmd('client', 'setname', 'me'), '+OK\r\n'],
    [cmd('MGET', 'a', 'b'), '*2\r\n$1\r\n1\r\n$-1\r\n'],
    [cmd('EVAL', 'return 1', '1', 'thekey'), ':1\r\n'],
    [cmd('LPUSH', 'k', 'x'), '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n'],
    [cmd('HGETALL', 'h'), '%1\r\n+f\r\n,1.5\r\n'],
    [cmd('GET', 'bin'), '$4\r\n\x00\xff\\a\r\n'],
    [cmd('DEBUG', 'x'), '#t\r\n'],
  ]);
  assert.equal(entries.length, 8);
  const [set, client, mget, ev, err, hg, bin, dbg] = entries;
  assert.deepEqual(set.request, { command: 'SET', key: 'k', args: ['k', 'v', 'EX', '10'], argCount: 4, inline: false, size: cmd('SET', 'k', 'v', 'EX', '10').length, truncated: false });
  assert.deepEqual(set.response, { type: 'simple-string', value: 'OK', error: null, length: null, size: 5, truncated: false });
  assert.equal(client.request?.command, 'CLIENT SETNAME');
  assert.deepEqual(client.request?.args, ['me']);
  assert.equal(client.request?.key, null);
  assert.equal(mget.response?.type, 'array');
  assert.equal(mget.response?.value, '[1, (nil)]');
  assert.equal(mget.response?.length, 2);
  assert.equal(ev.request?.key, 'thekey');
  assert.equal(err.response?.type, 'error');
  assert.match(err.response?.error ?? '', /^WRONGTYPE/);
  assert.equal(hg.response?.type, 'map');
  assert.equal(hg.response?.value, '{f: 1.5}');
  assert.equal(bin.response?.value, '\\x00\\xff\\\\a');
  assert.equal(dbg.response?.value, 'true');
  assert.ok(entries.every((e) => e.push === false));
});

test('long arguments are cut at MAX_ARG_BYTES and flagged', () => {
  const { entries } = run([[cmd('SET', 'k', 'x'.repeat(5000)), '+OK\r\n']]);
  assert.equal(entries[0].request?.args[1].length, 256);
  assert.equal(entries[0].request?.truncated, true);
  assert.ok(entries[0].flags.includes('body-truncated'));
});

test('RESP2 pub/sub: confirmations pair with SUBSCRIBE, messages become pushes', () => {
  const { entries } = run([
    [cmd('SUBSCRIBE', 'a', 'b'), '*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n'],
    ['', '*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n'],
    [cmd('UNSUBSCRIBE'), '*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n'],
    [cmd('PING'), '+PONG\r\n'],
  ]);
  assert.deepEqual(entries.map((e) => [e.request?.command ?? null, e.push, e.response?.replies ?? 1]), [
    ['SUBSCRIBE', false, 2], [null, true, 1], ['UNSUBSCRIBE', false, 2], ['PING', false, 1],
  ]);
  assert.equal(entries[1].response?.value, '[message, a, hi]');
});

test('RESP3 push and CLIENT REPLY OFF / ON', () => {
  const { entries } = run([
    [cmd('SUBSCRIBE', 'c'), '>3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n'],
    ['', '>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nx\r\n'],
    [cmd('CLIENT', 'REPLY', 'OFF') + cmd('SET', 'a', '1') + cmd('CLIENT', 'REPLY', 'ON'), '+OK\r\n'],
    [cmd('GET', 'a'), '$1\r\n1\r\n'],
  ]);
  assert.deepEqual(entries.map((e) => [e.request?.command ?? null, e.push, e.response?.type ?? null, e.flags]), [
    ['SUBSCRIBE', false, 'push', []], [null, true, 'push', []], ['CLIENT REPLY', false, null, []], ['SET', false, null, []],
    ['CLIENT REPLY', false, 'simple-string', []], ['GET', false, 'bulk-string', []],
  ]);
});

test('inline commands with quotes; unknown inline at the start is dropped', () => {
  const { entries, weirds } = run([
    ['nonsense here\r\nSET k "a b\\n"\r\n', '+OK\r\n'],
    ["SET k2 'unclosed\r\n", '-ERR Protocol error: unbalanced quotes in request\r\n'],
  ]);
  assert.equal(weirds.redis_inline_unknown, 1);
  assert.equal(entries.length, 2);
  assert.deepEqual(entries[0].request?.args, ['k', 'a b\n']);
  assert.equal(entries[0].request?.inline, true);
  assert.ok(entries[1].flags.includes('violation'));
  assert.equal(entries[1].response?.type, 'error');
});

test('RESP3 attributes are dropped, big numbers, verbatim and nulls', () => {
  const { entries } = run([
    [cmd('X'), '|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:1\r\n:2\r\n'],
    [cmd('Y'), '(3492890328409238509324850943850943825024385\r\n'],
    [cmd('Z'), '=15\r\ntxt:Some string\r\n'],
    [cmd('W'), '_\r\n'],
    [cmd('V'), '*-1\r\n'],
  ]);
  assert.deepEqual(entries.map((e) => [e.response?.type, e.response?.value]), [
    ['array', '[1, 2]'], ['big-number', '3492890328409238509324850943850943825024385'], ['verbatim', 'Some string'], ['null', null], ['null', null],
  ]);
});

test('a reply with no request and a request with no reply', () => {
  const { entries } = run([['', '+OK\r\n'], [cmd('GET', 'x'), '']]);
  assert.deepEqual(entries.map((e) => e.flags), [['no-request'], ['no-response']]);
});
