/**
 * Reference captures (fixtures/redis/, copied from ../shared/corpus):
 *   - zeek/*.pcap with Zeek's redis.log baselines: every logged command must
 *     appear once with its name, key and reply;
 *   - tcpdump/resp_*.pcap with tcpdump's per-packet text: the commands the
 *     client packets carry, in order;
 *   - live.pcap, recorded by live.test.ts: a stable golden count.
 * Known disagreements with Zeek, allowed explicitly below:
 *   - Zeek logs SUBSCRIBE/PSUBSCRIBE without reply (it reads confirmations as
 *     server pushes); podtap pairs them. Rows with success '-' are checked as
 *     "no reply" except for those commands.
 *   - excessive-pipelining: past its pipelining limit Zeek logs replies without
 *     command names ('-'); podtap keeps the names.
 *   - pipeline-with-quotes: Zeek shows inline values with their quotes; podtap
 *     unquotes them as Redis does, so values are compared on RESP commands only.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { RedisEntry } from './index.js';
import { readRedisCapture } from './test-support.js';

const DIR = 'fixtures/redis';

interface ZeekRow { name: string; key: string; value: string; success: string; reply: string }

function zeekRows(log: string): ZeekRow[] {
  const lines = readFileSync(`${DIR}/zeek/${log}`, 'utf8').split('\n');
  const fields = (lines.find((l) => l.startsWith('#fields')) ?? '').split('\t').slice(1);
  const col = (cols: string[], name: string): string => cols[fields.indexOf(name)] ?? '-';
  return lines.filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split('\t')).map((c) => ({
    name: col(c, 'cmd.name'), key: col(c, 'cmd.key'), value: col(c, 'cmd.value'), success: col(c, 'success'), reply: col(c, 'reply.value'),
  }));
}

const unescapeZeek = (s: string): string => s.replace(/\\\\/g, '\\');

function matches(z: ZeekRow, e: RedisEntry): boolean {
  const name = e.request?.command.split(' ')[0] ?? '-';
  if (z.name !== '-' && z.name !== name) return false;
  if (z.key !== '-' && z.key !== e.request?.key) return false;
  if (z.value !== '-' && e.request?.inline === false && z.value !== e.request.args[1]) return false;
  const subscribe = z.name === 'SUBSCRIBE' || z.name === 'PSUBSCRIBE';
  if (z.success === '-') return subscribe || e.response === null;
  const r = e.response;
  if (r === null || (z.success === 'T') !== (r.type !== 'error')) return false;
  if (z.reply === '(empty)') return r.value === null || r.value === '';
  return unescapeZeek(z.reply) === r.value;
}

const ZEEK: Array<[string, string]> = [
  ['almost-resp.pcap', 'almost-redis.log'], ['attr.pcap', 'attributes.log'], ['reply-off-on-2conn.pcap', 'client-reply-off-2conn.log'],
  ['reply-off-on.pcap', 'client-reply-off.log'], ['client-skip-while-off.pcap', 'client-skip-while-off.log'],
  ['django-cloud.pcapng', 'django-cloud.log'], ['excessive-pipelining.pcap', 'excessive-pipelining.log'],
  ['pipeline-quotes.pcap', 'pipeline-with-quotes.log'], ['pipeline-with-commands.pcap', 'pipelined-with-commands.log'],
  ['pipelining-example.pcap', 'pipelined.log'], ['pubsub.pcap', 'pubsub.log'], ['stream.pcap', 'stream.log'],
];

for (const [pcap, log] of ZEEK) {
  test(`Zeek baseline: ${pcap}`, async () => {
    const { entries } = await readRedisCapture(`${DIR}/zeek/${pcap}`);
    const rest = entries.filter((e) => !e.push);
    const rows = zeekRows(log);
    assert.equal(rest.length, rows.length, `${rows.length} commands`);
    for (const z of rows) {
      const i = rest.findIndex((e) => matches(z, e));
      assert.ok(i !== -1, `no entry for ${JSON.stringify(z)}; left: ${JSON.stringify(rest.map((e) => [e.request?.command, e.request?.key, e.response?.value]))}`);
      rest.splice(i, 1);
    }
  });
}

test('Zeek pubsub: published messages are push entries', async () => {
  const { entries } = await readRedisCapture(`${DIR}/zeek/pubsub.pcap`);
  assert.deepEqual(entries.filter((e) => e.push).map((e) => e.response?.value), [
    '[message, Foo, Hi there :)]', '[pmessage, F*, Foo, Hi there :)]', '[pmessage, F*, FeeFooFiiFum, Hello! :)]',
  ]);
});

/** Commands in client packets of tcpdump's text: the quoted tokens after RESP. */
function tcpdumpCommands(out: string): string[][] {
  return readFileSync(`${DIR}/tcpdump/${out}`, 'latin1').split('\n')
    .filter((l) => / > 127\.0\.0\.1\.6379: .*RESP "/.test(l))
    .map((l) => [...l.slice(l.indexOf('RESP ') + 5).matchAll(/"([^"]*)"/g)].map((m) => m[1]));
}

test('tcpdump resp_1 (redis-benchmark): each packet\'s command', async () => {
  const { entries } = await readRedisCapture(`${DIR}/tcpdump/resp_1_benchmark.pcap`);
  const want = tcpdumpCommands('resp_1.out');
  assert.equal(entries.length, want.length);
  entries.forEach((e, i) => {
    const words = [e.request?.command ?? '', ...(e.request?.args ?? [])];
    assert.deepEqual(words.slice(0, want[i].length), want[i], `packet ${i}`);
    assert.ok(e.response !== null && e.flags.length === 0);
  });
});

test('tcpdump resp_2 (inline commands): every line once, with a reply', async () => {
  const { entries } = await readRedisCapture(`${DIR}/tcpdump/resp_2_inline.pcap`);
  const want = tcpdumpCommands('resp_2.out').flat();
  assert.deepEqual(entries.map((e) => [e.request?.command, ...(e.request?.args ?? [])].join(' ').toLowerCase()), want);
  assert.ok(entries.every((e) => e.request?.inline === true && e.response !== null && e.flags.length === 0));
  assert.deepEqual(entries.at(-1)?.response?.type, 'null');
});

test('tcpdump resp_3 (malicious): no exception, bad lines answered by "unknown command" are paired', async () => {
  const { entries } = await readRedisCapture(`${DIR}/tcpdump/resp_3_malicious.pcap`);
  const cmds = entries.map((e) => e.request?.command ?? null);
  assert.equal(cmds.filter((c) => c === 'INCR').length, 3);
  assert.equal(cmds.filter((c) => c === 'PING').length, 9);
  const unknown = entries.filter((e) => e.response?.error?.startsWith('ERR unknown command'));
  assert.ok(unknown.length >= 8 && unknown.every((e) => e.request !== null && e.flags.includes('violation')));
});

test('live.pcap (ioredis, RESP3, inline, pub/sub) reads back the same', async () => {
  const { entries, stats } = await readRedisCapture(`${DIR}/live.pcap`);
  assert.equal(stats.gaps, 0);
  assert.ok(entries.length >= 170, `${entries.length} entries`);
  assert.equal(entries.filter((e) => e.push).length, 8);
  assert.equal(entries.filter((e) => e.flags.some((f) => f !== 'body-truncated')).length, 0);
});
