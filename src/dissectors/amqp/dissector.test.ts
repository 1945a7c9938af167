/** AMQP grammar and pairing on crafted conversations (frames from test-frames.ts). */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { Entry } from '../../entries/types.js';
import { Pipeline } from '../../pipeline/pipeline.js';
import { tcpConversation } from '../../testing/packets.js';
import { DISSECTORS, DissectorRegistry } from '../registry.js';
import { decodeMethod } from './decode.js';
import { detectAmqp } from './detect.js';
import type { AmqpEntry } from './entry.js';
import { amqpSpec } from './index.js';
import { body, contentHeader, deliver, lstr, method, opening, protocolHeader, publish, queueDeclare, queueDeclareOk, sstr, table, u16, u32, u8 } from './test-frames.js';
import { WireCursor } from './wire.js';

function run(exchanges: Array<[Buffer | string, Buffer | string]>, maxBodyBytes?: number, handshake = true): { entries: AmqpEntry[]; weirds: Record<string, number> } {
  const entries: Entry[] = [];
  const p = new Pipeline((e) => entries.push(e), maxBodyBytes === undefined ? {} : { maxBodyBytes }, new DissectorRegistry([...DISSECTORS, amqpSpec]));
  tcpConversation({ client: '10.0.0.1', server: '10.0.0.2', cport: 40000, sport: 5672, exchanges, handshake })
    .forEach((data, i) => p.packet({ ts: 1_700_000_000_000 + i, linkType: 1, iface: 0, data, origLength: data.length }));
  const stats = p.finish();
  return { entries: entries as unknown as AmqpEntry[], weirds: stats.weirds };
}

test('field tables decode every value type, nested', () => {
  const inner = Buffer.concat([sstr('ok'), Buffer.from('t'), u8(1)]);
  const arr = Buffer.concat([Buffer.from('I'), u32(7), Buffer.from('S'), lstr('x')]);
  const entries = Buffer.concat([
    sstr('s'), Buffer.from('S'), lstr('text'),
    sstr('i'), Buffer.from('I'), u32(-5 >>> 0),
    sstr('l'), Buffer.from('l'), Buffer.from([0, 0, 0, 1, 0, 0, 0, 0]),
    sstr('f'), Buffer.from('F'), u32(inner.length), inner,
    sstr('a'), Buffer.from('A'), u32(arr.length), arr,
    sstr('v'), Buffer.from('V'),
    sstr('d'), Buffer.from('D'), u8(2), u32(12345),
    sstr('x'), Buffer.from('x'), u32(3), Buffer.from([1, 2, 3]),
  ]);
  const c = new WireCursor(Buffer.concat([u32(entries.length), entries]));
  assert.deepEqual(c.table(), { s: 'text', i: -5, l: 4294967296, f: { ok: true }, a: [7, 'x'], v: null, d: 123.45, x: 'AQID' });
  assert.equal(c.short || c.badType || c.limited, false);
});

test('a SASL response is never shown, only its size', () => {
  const d = decodeMethod(method(0, 10, 11, table({}), sstr('PLAIN'), lstr('\0guest\0guest'), sstr('en_US')).subarray(7, -1));
  assert.equal(d.name, 'connection.start-ok');
  assert.equal(d.arguments.response, '<12 bytes>');
  assert.ok(!JSON.stringify(d.arguments).includes('guest'));
});

test('detection: protocol header, and mid-way frames by who may send them', () => {
  assert.equal(detectAmqp(protocolHeader(), true), 'match');
  assert.equal(detectAmqp(Buffer.from('AM'), true), 'more');
  assert.equal(detectAmqp(protocolHeader(), false), 'no');
  assert.equal(detectAmqp(Buffer.from('GET / HTTP/1.1\r\n'), true), 'no');
  const pub = publish(1, '', 'q', 'hi');
  assert.equal(detectAmqp(pub, true), 'match');
  assert.equal(detectAmqp(pub, false), 'no');
  const del = deliver(1, 't', 1, '', 'q', 'hi');
  assert.equal(detectAmqp(del, false), 'match');
  assert.equal(detectAmqp(del.subarray(0, 9), false), 'more');
  assert.equal(detectAmqp(Buffer.concat([contentHeader(1, 2), body(1, 'hi'), del]), false), 'match', 'content frames defer to the next frame');
});

test('no-wait methods are entries without a response; replies without a request say so', () => {
  const noWaitDeclare = method(1, 50, 10, u16(0), sstr('q'), u8(0b10000), table({}));
  const { entries, weirds } = run([...opening(), [noWaitDeclare, ''], [queueDeclare(1, 'r'), ''], ['', queueDeclareOk(1, 'r')], ['', queueDeclareOk(1, 'stray')]]);
  const declares = entries.filter((e) => e.request?.method === 'queue.declare' || e.response?.method === 'queue.declare-ok');
  assert.deepEqual(declares.map((e) => [e.request?.queue ?? null, e.response?.queue ?? null, e.flags]), [['q', null, []], ['r', 'r', []], [null, 'stray', ['no-request']]]);
  assert.equal(weirds.amqp_unsolicited_reply, 1);
});

test('an unanswered synchronous method is flagged no-response at the end', () => {
  const { entries } = run([...opening(), [queueDeclare(1, 'q'), '']]);
  assert.deepEqual(entries.at(-1)?.flags, ['no-response']);
});

test('a body split over frames is joined; over the cap it is truncated with its true size', () => {
  const payload = 'a'.repeat(5000) + 'b'.repeat(5000);
  const frames = Buffer.concat([method(1, 60, 40, u16(0), sstr('ex'), sstr('rk'), u8(0)), contentHeader(1, 10000, { contentType: 'text/plain' }), body(1, payload.slice(0, 4000)), body(1, payload.slice(4000))]);
  const whole = run([[frames, '']], undefined, true).entries;
  assert.equal(whole.length, 1);
  assert.deepEqual(whole[0].request?.body, { size: 10000, content: payload, encoding: 'text', truncated: false });
  const cut = run([[frames, '']], 100).entries[0];
  assert.deepEqual(cut.request?.body, { size: 10000, content: 'a'.repeat(100), encoding: 'text', truncated: true });
  assert.deepEqual(cut.flags, ['body-truncated']);
});

test('binary bodies are base64; the deliver entry comes from the server', () => {
  const d = Buffer.concat([method(1, 60, 60, sstr('t'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 9]), u8(1), sstr('ex'), sstr('rk')), contentHeader(1, 3), body(1, Buffer.from([0xff, 0, 1]))]);
  const { entries } = run([...opening(), ['', d]]);
  const e = entries.at(-1)!;
  assert.equal(e.src.port, 5672);
  assert.equal(e.request?.deliveryTag, 9);
  assert.equal(e.request?.arguments.redelivered, true);
  assert.deepEqual(e.request?.body, { size: 3, content: '/wAB', encoding: 'base64', truncated: false });
});

test('garbage between frames: the reader resyncs on the next method frame', () => {
  const junk = Buffer.from('this is not amqp at all, just bytes'.repeat(10));
  const { entries, weirds } = run([...opening(), [Buffer.concat([publish(1, '', 'a', 'one'), junk, publish(1, '', 'b', 'two')]), '']]);
  assert.deepEqual(entries.filter((e) => e.request?.method === 'basic.publish').map((e) => e.request?.routingKey), ['a', 'b']);
  assert.ok(weirds.amqp_violation >= 1 && weirds.amqp_resync_dropped >= 1);
});
