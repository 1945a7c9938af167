import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectPostgres } from './detect.js';
import { MAX_KEPT_MESSAGE_BYTES } from './reader.js';
import { MAX_PREPARED_STATEMENTS, MAX_SAMPLE_ROWS } from './session.js';
import {
  bind, bindComplete, cancelRequest, complete, dataRowMsg, describePortal, entriesOfExchanges, errorMsg, execute, msg, noticeMsg,
  parse, parseComplete, query, ready, rowDesc, sslRequest, startup, startupAnswer, sync,
} from './test-support.js';

const start = startup({ user: 'alice', database: 'shop', application_name: 'unit' });
const rows = (names: string[], data: string[][], tag: string): Buffer => Buffer.concat([rowDesc(names), ...data.map((r) => dataRowMsg(r)), complete(tag), ready()]);

test('detect: startup forms, mid-way Query, server answers; never HTTP or junk', () => {
  assert.equal(detectPostgres(start, true), 'match');
  assert.equal(detectPostgres(sslRequest(), true), 'match');
  assert.equal(detectPostgres(cancelRequest(1, 2), true), 'match');
  assert.equal(detectPostgres(start.subarray(0, 3), true), 'more');
  assert.equal(detectPostgres(query('SELECT 1'), true), 'match');
  assert.equal(detectPostgres(query('SELECT 1').subarray(0, 7), true), 'more');
  assert.equal(detectPostgres(Buffer.from('GET / HTTP/1.1\r\n\r\n'), true), 'no');
  assert.equal(detectPostgres(Buffer.from('POST / HTTP/1.1\r\n\r\n'), true), 'no');
  assert.equal(detectPostgres(startupAnswer(), false), 'match');
  assert.equal(detectPostgres(Buffer.from('N'), false), 'more');
  assert.equal(detectPostgres(Buffer.concat([Buffer.from('N'), startupAnswer()]), false), 'match');
  assert.equal(detectPostgres(errorMsg('FATAL', '28000', 'no'), false), 'match');
  assert.equal(detectPostgres(Buffer.from('HTTP/1.1 200 OK\r\n'), false), 'no');
});

test('simple query: text, tag, rows, columns, a bounded sample, NULLs', () => {
  const data = Array.from({ length: 25 }, (_, i) => [String(i), i % 2 === 0 ? `n${i}` : '']);
  const { entries } = entriesOfExchanges([[start, startupAnswer()], [query('SELECT id, name FROM t'), rows(['id', 'name'], data, 'SELECT 25')]]);
  assert.equal(entries.length, 2);
  const [s, q] = entries;
  assert.deepEqual(s.request!.startup, { protocolVersion: '3.0', user: 'alice', database: 'shop', applicationName: 'unit', parameters: { user: 'alice', database: 'shop', application_name: 'unit' } });
  assert.deepEqual([s.response!.authentication, s.response!.authenticated, s.response!.processId, s.response!.transactionStatus], [['ok'], true, 4242, 'idle']);
  assert.deepEqual([q.request!.type, q.request!.query], ['query', 'SELECT id, name FROM t']);
  assert.deepEqual([q.response!.commandTag, q.response!.rows, q.response!.columns], ['SELECT 25', 25, ['id', 'name']]);
  assert.equal(q.response!.sample.length, MAX_SAMPLE_ROWS);
  assert.deepEqual(q.response!.sample[1], ['1', '']);
  assert.ok(q.elapsedTime >= 0);
  const n = entriesOfExchanges([[query('SELECT NULL'), Buffer.concat([rowDesc(['x']), msg('D', Buffer.from([0, 1, 0xff, 0xff, 0xff, 0xff])), complete('SELECT 1'), ready()])]]).entries[0];
  assert.deepEqual(n.response!.sample, [[null]]);
});

test('extended protocol: pipelined cycles, an error skips to Sync, named statements are remembered', () => {
  const client = Buffer.concat([
    parse('ins', 'INSERT INTO t VALUES ($1)'), bind('', 'ins', ['1']), execute(''),
    bind('', 'ins', ['2']), execute(''), bind('', 'ins', ['3']), execute(''), sync(),
  ]);
  const server = Buffer.concat([parseComplete(), bindComplete(), complete('INSERT 0 1'), bindComplete(), errorMsg('ERROR', '23505', 'duplicate key'), ready('I')]);
  const second = Buffer.concat([bind('', 'ins', ['4']), describePortal(''), execute(''), sync()]);
  const { entries } = entriesOfExchanges([[client, server], [second, Buffer.concat([bindComplete(), msg('n'), complete('INSERT 0 1'), ready()])]]);
  assert.deepEqual(entries.map((e) => [e.request!.type, e.request!.query, e.request!.statement, e.request!.parameters, e.response!.commandTag, e.response!.error?.code ?? null]), [
    ['execute', 'INSERT INTO t VALUES ($1)', 'ins', ['1'], 'INSERT 0 1', null],
    ['execute', 'INSERT INTO t VALUES ($1)', 'ins', ['2'], '', '23505'],
    ['execute', 'INSERT INTO t VALUES ($1)', 'ins', ['3'], '', null], // skipped by the server after the error
    ['execute', 'INSERT INTO t VALUES ($1)', 'ins', ['4'], 'INSERT 0 1', null],
  ]);
  assert.equal(entries[2].response!.transactionStatus, 'idle');
});

test('extended protocol: binary parameters as hex, a prepare-only cycle, the statement limit', () => {
  const b = entriesOfExchanges([[Buffer.concat([parse('', 'SELECT $1::bytea'), bind('', '', ['\u0001\u0002'], [1]), execute(''), sync()]),
    Buffer.concat([parseComplete(), bindComplete(), complete('SELECT 0'), ready()])]]).entries[0];
  assert.deepEqual(b.request!.parameters, ['\\x0102']);
  const p = entriesOfExchanges([[Buffer.concat([parse('p1', 'SELECT 1'), msg('D', Buffer.from('Sp1\0')), sync()]), Buffer.concat([parseComplete(), msg('t', Buffer.from([0, 0])), rowDesc(['?column?']), ready()])]]).entries[0];
  assert.deepEqual([p.request!.type, p.request!.query, p.request!.statement, p.response!.columns], ['prepare', 'SELECT 1', 'p1', ['?column?']]);
  const many = Array.from({ length: MAX_PREPARED_STATEMENTS + 10 }, (_, i) => parse(`s${i}`, `SELECT ${i}`));
  const r = entriesOfExchanges([[Buffer.concat([...many, sync()]), Buffer.concat([...many.map(() => parseComplete()), ready()])]]);
  assert.equal(r.stats.weirds.postgres_statement_limit, 10);
});

test('SSL accepted: one entry, then nothing is parsed; SSL refused: startup follows', () => {
  const tls = entriesOfExchanges([[sslRequest(), 'S'], [Buffer.from([0x16, 3, 1, 0, 5, 1, 2, 3, 4, 5]), Buffer.from([0x16, 3, 3, 0, 2, 1, 2])]]);
  assert.deepEqual(tls.entries.map((e) => [e.request!.type, e.response!.encryption]), [['ssl', 'accepted']]);
  assert.deepEqual(Object.keys(tls.stats.weirds).filter((w) => w.startsWith('postgres')), []);
  const plain = entriesOfExchanges([[sslRequest(), 'N'], [start, startupAnswer()], [query('SELECT 1'), rows(['x'], [['1']], 'SELECT 1')]]);
  assert.deepEqual(plain.entries.map((e) => e.request!.type), ['ssl', 'startup', 'query']);
});

test('notices, FATAL at startup, cancel, no response at the end', () => {
  const n = entriesOfExchanges([[query('DO x'), Buffer.concat([noticeMsg('careful'), complete('DO'), ready()])]]).entries[0];
  assert.deepEqual(n.response!.notices, [{ severity: 'NOTICE', code: '00000', message: 'careful' }]);
  const f = entriesOfExchanges([[start, errorMsg('FATAL', '3D000', 'database "shop" does not exist')]]).entries;
  assert.deepEqual([f.length, f[0].response!.error!.code, f[0].flags], [1, '3D000', []]);
  const c = entriesOfExchanges([[cancelRequest(77, 88), '']]).entries;
  assert.deepEqual([c.length, c[0].request!.cancel, c[0].response, c[0].flags], [1, { processId: 77 }, null, []]);
  const nr = entriesOfExchanges([[query('SELECT pg_sleep(100)'), '']]).entries;
  assert.deepEqual([nr[0].response, nr[0].flags], [null, ['no-response']]);
});

test('a message over the keep limit is truncated, counted, and the stream stays in step', () => {
  const big = 'x'.repeat(MAX_KEPT_MESSAGE_BYTES + 1000);
  const { entries, stats } = entriesOfExchanges([[query('SELECT big'), Buffer.concat([rowDesc(['b']), dataRowMsg([big]), complete('SELECT 1'), ready()])], [query('SELECT 2'), rows(['x'], [['2']], 'SELECT 1')]], { mss: 1400 });
  assert.equal(entries.length, 2);
  assert.equal(entries[0].response!.sample[0][0]!.length, 257, 'value cut at 256 bytes plus an ellipsis');
  assert.equal(stats.weirds.postgres_message_size_limit, 1);
  assert.deepEqual(entries[1].response!.sample, [['2']]);
});

test('a lost server segment: the exchange is flagged and later ones pair again at ReadyForQuery', () => {
  const ex: Array<[Buffer, Buffer]> = [[start, startupAnswer()], ...Array.from({ length: 6 }, (_, i): [Buffer, Buffer] => [query(`SELECT ${i}`), rows(['x'], Array.from({ length: 40 }, () => [String(i)]), 'SELECT 40')])];
  let seen = 0;
  const { entries, stats } = entriesOfExchanges(ex, { mss: 100, drop: (f) => f.includes(Buffer.from([0x44, 0, 0, 0, 11, 0, 1, 0, 0, 0, 1, 0x31])) && ++seen === 2 });
  assert.ok(stats.gaps > 0);
  const q = entries.filter((e) => e.request?.type === 'query');
  assert.deepEqual(q.map((e) => e.request!.query), ['SELECT 0', 'SELECT 1', 'SELECT 2', 'SELECT 3', 'SELECT 4', 'SELECT 5']);
  assert.ok(q[1].flags.includes('gap'));
  assert.deepEqual(q.slice(2).map((e) => e.response!.sample[0]), [['2'], ['3'], ['4'], ['5']]);
});
