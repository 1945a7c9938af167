/**
 * Real traffic: ioredis (RESP2) and raw sockets (RESP3 after HELLO 3, inline
 * commands) against Redis on 127.0.0.1:6379, recorded with tcpdump on `lo`,
 * read back through the pipeline and compared with the client's own record:
 * every command it sent appears exactly once, in order, with its command,
 * key and reply. Pub/sub messages the subscriber got appear as push entries.
 * `PODTAP_UPDATE_FIXTURES=1` stores the capture as fixtures/redis/live.pcap
 * (read by corpus.test.ts and the throughput script).
 */
import { strict as assert } from 'node:assert';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { startCapture } from '../../lab/record.js';
import { liveSkipReason } from '../../lab/live-server.js';
import type { RedisEntry } from './index.js';
import { MAX_ARG_BYTES } from './entry.js';
import { bytesText } from './render.js';
import { cmd, readRedisCapture } from './test-support.js';

const PORT = 6379;


const skip = await liveSkipReason('Redis', PORT);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Sent { name: string; args: string[]; bytes: Buffer[]; reply?: unknown; error?: string }

interface CommandLike { name: string; args: unknown[]; promise: Promise<unknown> }

/** Records every command the client sends and what it got back. */
function record(r: Redis, log: Sent[]): void {
  const orig = r.sendCommand.bind(r);
  r.sendCommand = ((command: CommandLike, ...rest: unknown[]) => {
    const bytes = command.args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a))));
    const s: Sent = { name: command.name, args: bytes.map((b) => b.toString()), bytes };
    log.push(s);
    command.promise.then((v) => { s.reply = v; }, (e: Error) => { s.error = e.message; });
    return (orig as (...a: unknown[]) => unknown)(command, ...rest);
  }) as typeof r.sendCommand;
}

const CONTAINERS = new Set(['CLIENT', 'CONFIG', 'COMMAND', 'OBJECT', 'SCRIPT', 'MEMORY']);
const KEYED = new Set(['GET', 'SET', 'INCR', 'HSET', 'HGETALL', 'LPUSH', 'LRANGE', 'DEL', 'EXPIRE', 'MGET', 'TTL', 'INCRBY']);

function expectedCommand(s: Sent): string {
  const n = s.name.toUpperCase();
  return CONTAINERS.has(n) && s.args.length > 0 ? `${n} ${s.args[0].toUpperCase()}` : n;
}

function checkReply(e: RedisEntry, s: Sent, where: string): void {
  const r = e.response;
  assert.ok(r !== null, `${where}: a response`);
  if (s.error !== undefined) {
    assert.equal(r.type, 'error', where);
    assert.equal(r.error, s.error.replace(/^ReplyError: /, ''), where);
  } else if (s.reply === null) assert.equal(r.type, 'null', where);
  else if (typeof s.reply === 'number') { assert.equal(r.type, 'integer', where); assert.equal(r.value, String(s.reply), where); }
  else if (typeof s.reply === 'string') {
    assert.ok(r.type === 'bulk-string' || r.type === 'simple-string' || r.type === 'verbatim', where);
    if (r.truncated) assert.ok(s.reply.startsWith(r.value ?? '') && (r.value ?? '').length >= 1000, where);
    else assert.equal(r.value, s.reply, where);
  }
  else if (Array.isArray(s.reply)) {
    // ioredis flattens a RESP3 map into [k, v, k, v, …] unless the command makes it an object.
    if (r.type === 'map') assert.equal((r.length ?? 0) * 2, s.reply.length, where);
    else { assert.ok(r.type === 'array' || r.type === 'set', where); assert.equal(r.length, s.reply.length, where); }
  }
  else if (typeof s.reply === 'object') {
    const n = Object.keys(s.reply as object).length;
    assert.ok(r.type === 'map' ? r.length === n : r.type === 'array' && r.length === n * 2, where);
  }
}

/** Every recorded command once, in order, with command, key and reply. */
function compare(entries: RedisEntry[], log: Sent[], who: string): void {
  const reqs = entries.filter((e) => !e.push);
  assert.equal(reqs.length, log.length, `${who}: one entry per command (${reqs.map((e) => e.request?.command).join(' ')})`);
  log.forEach((s, i) => {
    const e = reqs[i];
    const where = `${who} #${i} ${s.name} ${s.args.join(' ').slice(0, 60)}`;
    assert.deepEqual(e.flags, s.bytes.some((b) => b.length > MAX_ARG_BYTES) ? ['body-truncated'] : [], where);
    assert.equal(e.request?.command, expectedCommand(s), where);
    if (KEYED.has(s.name.toUpperCase())) assert.equal(e.request?.key, s.args[0], where);
    const skipWords = CONTAINERS.has(s.name.toUpperCase()) ? 1 : 0;
    assert.deepEqual(e.request?.args, s.bytes.slice(skipWords).map((b) => bytesText(b.subarray(0, MAX_ARG_BYTES), b.length > MAX_ARG_BYTES)), where);
    if (!['SUBSCRIBE', 'UNSUBSCRIBE', 'QUIT'].includes(s.name.toUpperCase())) checkReply(e, s, where);
  });
}

/** Waits until the bytes a raw socket got contain `text` (at most 5 s). */
async function until(got: Buffer[], text: string): Promise<void> {
  for (let t = 0; t < 500 && !Buffer.concat(got).toString('latin1').includes(text); t++) await sleep(10);
}

function raw(): Promise<{ sock: Socket; got: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    const sock = tcpConnect({ host: '127.0.0.1', port: PORT }, () => resolve({ sock, got }));
    sock.on('data', (d) => got.push(d));
    sock.on('error', reject);
  });
}

test('ioredis and raw RESP3/inline traffic: every command once, with its reply', { skip, timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-redis-'));
  const file = join(dir, 'redis.pcap');
  const cap = await startCapture({ file, iface: 'lo', filter: `tcp port ${PORT}` });
  const p = `podtap:${process.pid}:`;
  const mainLog: Sent[] = [];
  const subLog: Sent[] = [];
  const messages: string[] = [];
  const v3Log: Sent[] = [];
  // ioredis 6 speaks RESP3 (HELLO 3) by default: two clients on RESP2, one on RESP3.
  const main = new Redis({ host: '127.0.0.1', port: PORT, lazyConnect: true, protocol: 2 });
  const sub = new Redis({ host: '127.0.0.1', port: PORT, lazyConnect: true, protocol: 2 });
  const v3 = new Redis({ host: '127.0.0.1', port: PORT, lazyConnect: true });
  record(main, mainLog);
  record(sub, subLog);
  record(v3, v3Log);
  let ports: { main: number; sub: number; v3: number; resp3: number; inline: number };
  try {
    await main.connect();
    await sub.connect();
    await v3.connect();
    await v3.hset(`${p}h`, 'f1', 'v1');
    await v3.hgetall(`${p}h`);
    await v3.sadd(`${p}v3set`, 'a', 'b');
    await v3.smembers(`${p}v3set`);
    await v3.incr(`${p}v3n`);
    await v3.get(`${p}none`);
    await v3.lrange(`${p}none`, 0, -1);
    await v3.del(`${p}v3set`, `${p}v3n`);
    await main.set(`${p}s`, 'hello');
    await main.get(`${p}s`);
    await main.incr(`${p}n`);
    await main.incrby(`${p}n`, 41);
    await main.hset(`${p}h`, 'f1', 'v1', 'f2', 'v2');
    await main.hgetall(`${p}h`);
    await main.lpush(`${p}l`, 'a', 'b', 'c');
    await main.lrange(`${p}l`, 0, -1);
    await main.expire(`${p}s`, 60);
    await main.mget(`${p}s`, `${p}missing`, `${p}n`);
    await main.get(`${p}missing`);
    await main.set(`${p}bin`, Buffer.from([0, 1, 2, 0xff, 0x5c]));
    await main.set(`${p}big`, 'z'.repeat(100_000));
    await main.get(`${p}big`);
    await main.get(`${p}l`).catch(() => undefined); // WRONGTYPE
    const pl = main.pipeline();
    for (let i = 0; i < 100; i++) {
      if (i % 3 === 0) pl.set(`${p}p${i}`, `v${i}`);
      else if (i % 3 === 1) pl.get(`${p}p${i - 1}`);
      else pl.incr(`${p}pc`);
    }
    await pl.exec();
    await main.client('SETNAME', 'podtap-test');
    const got = new Promise<void>((resolve) => {
      sub.on('message', (_ch: string, msg: string) => { messages.push(msg); if (messages.length === 5) resolve(); });
    });
    await sub.subscribe(`${p}chan`, `${p}chan2`);
    for (let i = 0; i < 5; i++) await main.publish(i % 2 ? `${p}chan2` : `${p}chan`, `message ${i}`);
    await got;
    await sub.unsubscribe();

    // RESP3 after HELLO 3, on a raw socket.
    const r3 = await raw();
    r3.sock.write(cmd('HELLO', '3'));
    await until(r3.got, 'proto');
    r3.sock.write(cmd('HSET', `${p}h3`, 'a', '1') + cmd('HGETALL', `${p}h3`) + cmd('SADD', `${p}set`, 'x') + cmd('SMEMBERS', `${p}set`)
      + cmd('ZADD', `${p}z`, '1.5', 'm') + cmd('ZSCORE', `${p}z`, 'm') + cmd('GET', `${p}nothing`) + cmd('SUBSCRIBE', `${p}r3`));
    await until(r3.got, 'subscribe');
    for (let i = 0; i < 3; i++) await main.publish(`${p}r3`, `resp3 ${i}`);
    await until(r3.got, 'resp3 2');
    r3.sock.write(cmd('PING'));
    await until(r3.got, 'PONG');
    // Inline (telnet style) commands.
    const il = await raw();
    il.sock.write('PING\r\nSET inline:key "a b c"\r\nGET inline:key\r\nINCR inline:n\r\nLPUSH inline:key x\r\n');
    await until(il.got, 'WRONGTYPE');
    ports = { main: main.stream.localPort as number, sub: sub.stream.localPort as number, v3: v3.stream.localPort as number, resp3: r3.sock.localPort as number, inline: il.sock.localPort as number };
    r3.sock.end();
    il.sock.end();
    await main.del(`${p}s`, `${p}n`, `${p}h`, `${p}l`, `${p}bin`, `${p}big`, `${p}h3`, `${p}set`, `${p}z`, `${p}pc`, 'inline:key', 'inline:n');
    await main.quit();
    await sub.quit();
    await v3.quit();
  } finally {
    v3.disconnect();
    main.disconnect();
    sub.disconnect();
    await cap.stop();
  }
  try {
    const { entries, stats } = await readRedisCapture(file);
    const on = (port: number): RedisEntry[] => entries.filter((e) => e.src.port === port);
    compare(on(ports.main), mainLog, 'main');
    compare(on(ports.sub).filter((e) => !e.push), subLog, 'subscriber');
    compare(on(ports.v3), v3Log, 'resp3 client');
    assert.equal(on(ports.v3)[0].request?.command, 'HELLO');
    const pushes = on(ports.sub).filter((e) => e.push);
    assert.deepEqual(pushes.map((e) => e.response?.value?.split(', ')[2]?.replace(/]$/, '')), messages);
    assert.ok(pushes.every((e) => e.request === null && e.response?.type === 'array'));
    const subEntry = on(ports.sub).find((e) => e.request?.command === 'SUBSCRIBE');
    assert.equal(subEntry?.response?.replies, 2);

    const r3 = on(ports.resp3);
    assert.deepEqual(r3.map((e) => [e.request?.command ?? null, e.push, e.response?.type]), [
      ['HELLO', false, 'map'], ['HSET', false, 'integer'], ['HGETALL', false, 'map'], ['SADD', false, 'integer'],
      ['SMEMBERS', false, 'set'], ['ZADD', false, 'integer'], ['ZSCORE', false, 'double'], ['GET', false, 'null'],
      ['SUBSCRIBE', false, 'push'], [null, true, 'push'], [null, true, 'push'], [null, true, 'push'], ['PING', false, 'simple-string'],
    ]);
    assert.equal(r3[2].response?.value, '{a: 1}');
    assert.equal(r3[6].response?.value, '1.5');
    assert.equal(r3[10].response?.value, `[message, ${p}r3, resp3 1]`);

    const il = on(ports.inline);
    assert.deepEqual(il.map((e) => [e.request?.command, e.request?.key, e.request?.inline, e.response?.type, e.response?.value]), [
      ['PING', null, true, 'simple-string', 'PONG'], ['SET', 'inline:key', true, 'simple-string', 'OK'],
      ['GET', 'inline:key', true, 'bulk-string', 'a b c'], ['INCR', 'inline:n', true, 'integer', il[3].response?.value],
      ['LPUSH', 'inline:key', true, 'error', 'WRONGTYPE Operation against a key holding the wrong kind of value'],
    ]);
    assert.equal(stats.gaps, 0);
    if (process.env.PODTAP_UPDATE_FIXTURES === '1') {
      await mkdir('fixtures/redis', { recursive: true });
      await copyFile(file, 'fixtures/redis/live.pcap');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
