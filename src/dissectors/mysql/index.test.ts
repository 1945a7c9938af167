import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectMysql, mysqlSpec } from './index.js';
import * as C from './codes.js';
import { MAX_STATEMENTS } from './session.js';
import { seededRandom } from '../../testing/random.js';
import {
  bytes, colDef, command, DEFAULT_CAPS, eof, err, fakeContext, greeting, login, ok, pkt, resultSet, sslRequest, textRow, type FakeContext,
} from './wire-builders.js';

type Step = { c: Buffer } | { s: Buffer } | { gap: boolean };

/** Feeds the steps to a fresh dissector, each segment whole or cut into 1-byte pieces. */
function run(steps: Step[], bytewise = false): FakeContext {
  const ctx = fakeContext();
  const d = mysqlSpec.create(ctx);
  let ts = 1000;
  for (const st of steps) {
    ts += 1;
    if ('gap' in st) { d.gap(10, st.gap, ts); continue; }
    const [data, isClient] = 'c' in st ? [st.c, true] : [st.s, false];
    if (!bytewise) d.deliver(data, isClient, ts);
    else for (let i = 0; i < data.length; i++) d.deliver(data.subarray(i, i + 1), isClient, ts);
  }
  d.close(ts + 1);
  return ctx;
}

const handshake = (deprecateEof = true): Step[] => {
  const caps = DEFAULT_CAPS | (deprecateEof ? C.CLIENT_DEPRECATE_EOF : 0);
  return [{ s: greeting('8.0.36', caps) }, { c: login('app', 'shop', caps) }, { s: ok(2) }];
};

test('detect: greeting, client commands mid-stream, handshake response; others refused', () => {
  assert.equal(detectMysql(greeting(), false), 'match');
  assert.equal(detectMysql(greeting().subarray(0, 8), false), 'more');
  assert.equal(detectMysql(greeting(), true), 'no');
  assert.equal(detectMysql(command(C.COM_QUERY, 'SELECT 1'), true), 'match');
  assert.equal(detectMysql(command(C.COM_QUERY, 'SELECT 1').subarray(0, 6), true), 'more');
  assert.equal(detectMysql(command(C.COM_PING), true), 'match');
  assert.equal(detectMysql(command(C.COM_INIT_DB, 'test'), true), 'match');
  assert.equal(detectMysql(login('root', 'test'), true), 'match');
  assert.equal(detectMysql(sslRequest(), true), 'match');
  for (const s of ['GET / HTTP/1.1\r\n', '*1\r\n$4\r\nPING\r\n', '\x16\x03\x01\x02\x00\x01\x00', '\x00\x00\x00\x08\x04\xd2\x16\x2f', 'HTTP/1.1 200 OK\r\n']) {
    assert.equal(detectMysql(bytes(s), true), 'no', s);
    assert.equal(detectMysql(bytes(s), false), 'no', s);
  }
  assert.equal(detectMysql(command(C.COM_QUERY, '\x01\x02\x03binary'), true), 'no');
  const r = seededRandom(5);
  for (let i = 0; i < 5000; i++) {
    const b = Buffer.from(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256)));
    detectMysql(b, true);
    detectMysql(b, false);
  }
});

test('handshake: server version, user, database, plugin; then a query with a result set (deprecate-EOF)', () => {
  for (const bytewise of [false, true]) {
    const ctx = run([...handshake(), { c: command(C.COM_QUERY, 'SELECT a, b FROM t') }, { s: resultSet(['a', 'b'], [['1', null], ['2', 'x']], true) }], bytewise);
    assert.equal(ctx.entries.length, 2);
    const [hs, q] = ctx.entries;
    assert.deepEqual(hs.request, { command: 'HANDSHAKE', serverVersion: '8.0.36', authPlugin: 'mysql_native_password', user: 'app', database: 'shop' });
    assert.equal(hs.response?.status, 'OK');
    assert.equal(q.request?.query, 'SELECT a, b FROM t');
    assert.deepEqual(q.response?.columns, ['a', 'b']);
    assert.equal(q.response?.rowCount, 2);
    assert.deepEqual(q.response?.rows, [['1', null], ['2', 'x']]);
    assert.deepEqual(q.flags, []);
    assert.deepEqual(ctx.weirds, {});
  }
});

test('result sets with classic EOF packets, known and unknown capabilities (capture started after the login)', () => {
  const steps: Step[] = [{ c: command(C.COM_QUERY, 'SELECT a FROM t') }, { s: resultSet(['a'], [['1'], ['2'], ['3']], false) },
    { c: command(C.COM_QUERY, 'SELECT a FROM t WHERE 0') }, { s: resultSet(['a'], [], false) },
    { c: command(C.COM_QUERY, 'SELECT a FROM t WHERE 0') }, { s: resultSet(['a'], [], true) }];
  for (const prefix of [handshake(false), []]) {
    const ctx = run([...prefix, ...steps.slice(0, prefix.length ? 4 : 6)]);
    const qs = ctx.entries.filter((e) => e.request?.command === 'COM_QUERY');
    assert.deepEqual(qs.map((e) => e.response?.rowCount), prefix.length ? [3, 0] : [3, 0, 0]);
    assert.ok(qs.every((e) => e.flags.length === 0));
    assert.deepEqual(ctx.weirds, {});
  }
});

test('OK with affected rows and insert id; ERR with code, SQLSTATE and message; COM_INIT_DB, COM_PING, COM_QUIT', () => {
  const ctx = run([...handshake(),
    { c: command(C.COM_QUERY, "INSERT INTO t VALUES (1)") }, { s: ok(1, 1, 42) },
    { c: command(C.COM_QUERY, 'SELECT * FROM nope') }, { s: err(1, 1146, '42S02', "Table 'test.nope' doesn't exist") },
    { c: command(C.COM_INIT_DB, 'test') }, { s: ok(1) },
    { c: command(C.COM_PING) }, { s: ok(1) },
    { c: command(C.COM_QUIT) }]);
  const [, ins, bad, use, ping, quit] = ctx.entries;
  assert.equal(ins.response?.affectedRows, 1);
  assert.equal(ins.response?.lastInsertId, 42);
  assert.deepEqual(bad.response, { status: 'ERR', errorCode: 1146, sqlState: '42S02', error: "Table 'test.nope' doesn't exist" });
  assert.equal(use.request?.database, 'test');
  assert.equal(ping.request?.command, 'COM_PING');
  assert.equal(ping.response?.status, 'OK');
  assert.equal(quit.request?.command, 'COM_QUIT');
  assert.equal(quit.response, null);
  assert.deepEqual(quit.flags, []);
});

test('SSLRequest: one handshake entry marked tls/tunnel, nothing after it is dissected', () => {
  const ctx = run([{ s: greeting() }, { c: sslRequest() }, { c: bytes('\x16\x03\x01\x00\x05hello') }, { s: bytes('\x16\x03\x03\x00\x02hi') }]);
  assert.equal(ctx.entries.length, 1);
  assert.equal(ctx.entries[0].request?.tls, true);
  assert.deepEqual(ctx.entries[0].flags, ['tunnel']);
  assert.deepEqual(ctx.weirds, {});
});

test('16 MiB - 1 continuation: a query split over two packets is one command; the kept text is capped, the size is true', () => {
  const sql = 'SELECT ' + "'" + 'x'.repeat(0xffffff + 100) + "'";
  const payload = Buffer.concat([Buffer.from([C.COM_QUERY]), bytes(sql)]);
  const first = Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0]), payload.subarray(0, 0xffffff)]);
  const rest = payload.subarray(0xffffff);
  const second = Buffer.concat([Buffer.from([rest.length & 0xff, rest.length >> 8, rest.length >> 16, 1]), rest]);
  const ctx = run([...handshake(), { c: first }, { c: second }, { s: ok(2) }, { c: command(C.COM_PING) }, { s: ok(1) }]);
  assert.equal(ctx.entries.length, 3);
  const q = ctx.entries[1];
  assert.equal(q.request?.querySize, sql.length);
  assert.equal(q.request?.query?.length, 64 * 1024);
  assert.ok(q.request?.query?.startsWith("SELECT 'xxx"));
  assert.ok(q.flags.includes('truncated'));
  assert.equal(ctx.entries[2].request?.command, 'COM_PING');
});

test('LOCAL INFILE: the request for a file, the bytes sent, then OK', () => {
  const ctx = run([...handshake(), { c: command(C.COM_QUERY, "LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE t") },
    { s: pkt(1, Buffer.concat([Buffer.from([0xfb]), bytes('/tmp/x.csv')])) },
    { c: Buffer.concat([pkt(2, 'a,b\n1,2\n'), pkt(3, '')]) }, { s: ok(4, 1) }, { c: command(C.COM_PING) }, { s: ok(1) }]);
  const q = ctx.entries[1];
  assert.equal(q.response?.localInfile, '/tmp/x.csv');
  assert.equal(q.response?.status, 'OK');
  assert.equal(q.response?.affectedRows, 1);
  assert.equal(q.request?.infileBytes, 8);
  assert.equal(ctx.entries.length, 3);
  assert.deepEqual(ctx.weirds, {});
});

function prepareAnswer(id: number, params: number, cols: number, deprecateEof: boolean): Buffer {
  const head = Buffer.from([0, id, 0, 0, 0, cols, 0, params, 0, 0, 0, 0]);
  let seq = 1;
  const parts = [pkt(seq++, head)];
  for (let i = 0; i < params; i++) parts.push(colDef(seq++, '?'));
  if (params > 0 && !deprecateEof) parts.push(eof(seq++));
  for (let i = 0; i < cols; i++) parts.push(colDef(seq++, `c${i}`, C.T.LONG));
  if (cols > 0 && !deprecateEof) parts.push(eof(seq++));
  return Buffer.concat(parts);
}

function execute(id: number, params: Array<number | string | null>): Buffer {
  const bitmap = Buffer.alloc((params.length + 7) >> 3);
  params.forEach((p, i) => { if (p === null) bitmap[i >> 3] |= 1 << (i & 7); });
  const types = Buffer.concat(params.map((p) => Buffer.from([typeof p === 'number' ? C.T.LONGLONG : C.T.VAR_STRING, 0])));
  const values = Buffer.concat(params.map((p) => {
    if (p === null) return Buffer.alloc(0);
    if (typeof p === 'number') { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(p)); return b; }
    return Buffer.concat([Buffer.from([p.length]), bytes(p)]);
  }));
  const head = Buffer.from([0, 0, 0, 0, 0, 1, 0, 0, 0]);
  head.writeUInt32LE(id, 0);
  return command(C.COM_STMT_EXECUTE, Buffer.concat([head, bitmap, Buffer.from([1]), types, values]));
}

function binaryResult(values: number[][]): Buffer {
  let seq = 1;
  const parts = [pkt(seq++, Buffer.from([1])), colDef(seq++, 'c0', C.T.LONG)];
  for (const row of values) { const b = Buffer.alloc(4); b.writeInt32LE(row[0]); parts.push(pkt(seq++, Buffer.concat([Buffer.from([0, 0]), b]))); }
  parts.push(ok(seq++, 0, 0, 2, 0xfe));
  return Buffer.concat(parts);
}

test('prepared statements: the text recalled at execute, parameters decoded, binary rows decoded; classic EOFs; unknown capabilities', () => {
  for (const [prefix, deprecate] of [[handshake(true), true], [handshake(false), false], [[], false], [[], true]] as Array<[Step[], boolean]>) {
    const ctx = run([...prefix,
      { c: command(C.COM_STMT_PREPARE, 'SELECT c0 FROM t WHERE a = ? AND b = ? AND c = ?') }, { s: prepareAnswer(7, 3, 1, deprecate) },
      { c: execute(7, [-5, 'it', null]) }, { s: binaryResult([[1], [-2]]) },
      { c: command(C.COM_STMT_CLOSE, Buffer.from([7, 0, 0, 0])) },
      { c: command(C.COM_PING) }, { s: ok(1) }]);
    const es = ctx.entries.filter((e) => e.request?.command !== 'HANDSHAKE');
    assert.deepEqual(es.map((e) => e.request?.command), ['COM_STMT_PREPARE', 'COM_STMT_EXECUTE', 'COM_STMT_CLOSE', 'COM_PING']);
    assert.equal(es[0].request?.statementId, 7);
    assert.equal(es[0].response?.paramCount, 3);
    assert.equal(es[1].request?.query, 'SELECT c0 FROM t WHERE a = ? AND b = ? AND c = ?');
    assert.deepEqual(es[1].request?.params, ['-5', 'it', null]);
    assert.equal(es[1].response?.rowCount, 2);
    assert.deepEqual(es[1].response?.rows, [['1'], ['-2']]);
    assert.equal(es[3].response?.status, 'OK');
    assert.ok(es.every((e) => e.flags.length === 0), JSON.stringify(es.map((e) => e.flags)));
    assert.deepEqual(ctx.weirds, {});
  }
});

test('prepared statements are remembered up to MAX_STATEMENTS per connection', () => {
  const steps: Step[] = [...handshake()];
  for (let i = 0; i < MAX_STATEMENTS + 5; i++) {
    const head = Buffer.alloc(12); head.writeUInt32LE(i + 1, 1);
    steps.push({ c: command(C.COM_STMT_PREPARE, `SELECT ${i}`) }, { s: pkt(1, head) });
  }
  steps.push({ c: execute(1, []) }, { s: ok(1) }, { c: execute(MAX_STATEMENTS + 5, []) }, { s: ok(1) });
  const ctx = run(steps);
  assert.equal(ctx.weirds.mysql_statement_limit, 5);
  const ex = ctx.entries.filter((e) => e.request?.command === 'COM_STMT_EXECUTE');
  assert.equal(ex[0].request?.query, undefined);
  assert.equal(ex[1].request?.query, `SELECT ${MAX_STATEMENTS + 4}`);
});

test('multiple result sets (SERVER_MORE_RESULTS_EXISTS) stay one entry', () => {
  const more = resultSet(['a'], [['1']], true, 2 | C.SERVER_MORE_RESULTS_EXISTS);
  const last = ok(1, 0, 0, 2);
  const ctx = run([...handshake(), { c: command(C.COM_QUERY, 'CALL p()') }, { s: Buffer.concat([more, last]) }, { c: command(C.COM_PING) }, { s: ok(1) }]);
  assert.equal(ctx.entries.length, 3);
  assert.equal(ctx.entries[1].response?.rowCount, 1);
  assert.equal(ctx.entries[1].response?.resultSets, 2);
  assert.equal(ctx.entries[2].request?.command, 'COM_PING');
});

test('a server-side gap: the pending command is flagged, the next command resynchronises', () => {
  const ctx = run([...handshake(), { c: command(C.COM_QUERY, 'SELECT a FROM t') }, { s: resultSet(['a'], [['1']], true).subarray(0, 20) },
    { gap: false }, { s: bytes('junk after the hole') }, { c: command(C.COM_QUERY, 'SELECT 2') }, { s: ok(1) }]);
  assert.equal(ctx.entries.length, 3);
  assert.ok(ctx.entries[1].flags.includes('gap'));
  assert.equal(ctx.entries[2].request?.query, 'SELECT 2');
  assert.equal(ctx.entries[2].response?.status, 'OK');
  assert.deepEqual(ctx.entries[2].flags, []);
});

test('end of stream: a command without an answer is flagged no-response; an answer cut short is truncated', () => {
  const a = run([...handshake(), { c: command(C.COM_QUERY, 'SELECT SLEEP(100)') }]);
  assert.deepEqual(a.entries[1].flags, ['no-response']);
  const b = run([...handshake(), { c: command(C.COM_QUERY, 'SELECT a FROM t') }, { s: Buffer.concat([pkt(1, Buffer.from([1])), colDef(2, 'a'), textRow(3, ['1'])]) }]);
  assert.deepEqual(b.entries[1].flags, ['truncated']);
  assert.equal(b.entries[1].response?.rowCount, 1);
});
