/**
 * Real traffic: the `pg` client (simple and extended protocol, a named
 * prepared statement, binary parameters, a transaction, errors, a notice)
 * and a raw socket speaking the minimal protocol (COPY TO STDOUT, COPY FROM
 * STDIN, a CancelRequest from a second connection) against PostgreSQL on
 * 127.0.0.1:5432, recorded with tcpdump on `lo`, read back through the
 * pipeline and compared with the clients' own record: every query appears
 * exactly once, in order, with its text, command tag, row count and error.
 * `PODTAP_UPDATE_FIXTURES=1` keeps the capture as fixtures/postgres/live.pcap.
 */
import { strict as assert } from 'node:assert';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { startCapture } from '../../lab/record.js';
import { liveSkipReason } from '../../lab/live-server.js';
import type { PostgresEntry } from './index.js';
import { cancelRequest, copyData, copyDone, entriesOfCapture, query as queryMsg, startup, terminate } from './test-support.js';

const PORT = 5432;


const skip = await liveSkipReason('PostgreSQL', PORT);

interface Ran { text: string; values?: unknown[]; command?: string; rowCount?: number | null; fields?: string[]; code?: string; notice?: string }

/** Runs one query through pg and records what the client saw. */
async function run(c: pg.Client, log: Ran[], q: string | pg.QueryConfig): Promise<void> {
  const cfg: pg.QueryConfig = typeof q === 'string' ? { text: q } : q;
  const r: Ran = { text: cfg.text, values: cfg.values };
  log.push(r);
  try {
    const res = await c.query(cfg);
    r.command = res.command;
    r.rowCount = res.rowCount;
    r.fields = res.fields.map((f) => f.name);
  } catch (e) {
    r.code = (e as { code?: string }).code;
  }
}

/** A minimal frontend on a raw socket: message reading by type. */
class Raw {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  pid = 0;
  key = 0;
  constructor(readonly sock: Socket) {
    sock.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.waiters.splice(0).forEach((w) => w()); });
  }
  static readonly all: Socket[] = [];
  static async open(): Promise<Raw> {
    const sock = tcpConnect({ host: '127.0.0.1', port: PORT });
    Raw.all.push(sock);
    await new Promise<void>((res, rej) => { sock.once('connect', () => res()); sock.once('error', rej); });
    return new Raw(sock);
  }
  /** Reads messages until one of type `until`; returns their types. */
  async readUntil(until: string): Promise<Array<{ type: string; body: Buffer }>> {
    const out: Array<{ type: string; body: Buffer }> = [];
    for (;;) {
      while (this.buf.length >= 5 && this.buf.length >= 1 + this.buf.readUInt32BE(1)) {
        const len = this.buf.readUInt32BE(1);
        const m = { type: String.fromCharCode(this.buf[0]), body: this.buf.subarray(5, 1 + len) };
        this.buf = this.buf.subarray(1 + len);
        if (m.type === 'K') { this.pid = m.body.readUInt32BE(0); this.key = m.body.readUInt32BE(4); }
        out.push(m);
        if (m.type === until) return out;
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
}

const tag = (ms: Array<{ type: string; body: Buffer }>): string => ms.filter((m) => m.type === 'C').map((m) => m.body.subarray(0, m.body.length - 1).toString()).join('; ');

test('live: pg and a raw frontend against PostgreSQL, every query once with its results', { skip, timeout: 30_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'podtap-pg-'));
  const file = join(dir, 'pg.pcap');
  const cap = await startCapture({ iface: 'lo', file, filter: `tcp port ${PORT}` });
  const log: Ran[] = [];
  const notices: string[] = [];
  const raw: Array<{ text: string; tag: string }> = [];
  try {
    const c = new pg.Client({ host: '127.0.0.1', port: PORT, user: 'postgres', database: 'test', application_name: 'podtap-live' });
    c.on('notice', (n) => notices.push(n.message ?? ''));
    await c.connect();
    await run(c, log, 'CREATE TEMP TABLE podtap_t (id int PRIMARY KEY, name text, data bytea)');
    await run(c, log, 'BEGIN');
    for (let i = 1; i <= 5; i++) await run(c, log, { text: 'INSERT INTO podtap_t (id, name) VALUES ($1, $2)', values: [i, `name ${i}`] });
    await run(c, log, { text: 'INSERT INTO podtap_t (id, name, data) VALUES ($1, $2, $3)', values: [6, null, Buffer.from([0xde, 0xad, 0xbe, 0xef])] });
    await run(c, log, 'COMMIT');
    await run(c, log, 'SELECT id, name FROM podtap_t ORDER BY id');
    await run(c, log, { name: 'by-id', text: 'SELECT name FROM podtap_t WHERE id = $1', values: [2] });
    await run(c, log, { name: 'by-id', text: 'SELECT name FROM podtap_t WHERE id = $1', values: [3] });
    await run(c, log, 'UPDATE podtap_t SET name = upper(name) WHERE id > 3');
    await run(c, log, 'SELEC 1');
    await run(c, log, { text: 'SELECT $1::int / 0', values: [1] });
    await run(c, log, "DO $$ BEGIN RAISE NOTICE 'hello from podtap'; END $$");
    await run(c, log, 'DELETE FROM podtap_t WHERE id = 6');
    await c.end();

    // Raw frontend: COPY out and in, then a CancelRequest from a second connection.
    const r = await Raw.open();
    r.sock.write(startup({ user: 'postgres', database: 'test', application_name: 'podtap-raw' }));
    await r.readUntil('Z');
    const send = async (text: string, until = 'Z'): Promise<void> => {
      r.sock.write(queryMsg(text));
      const ms = await r.readUntil(until);
      raw.push({ text, tag: tag(ms) });
    };
    await send('CREATE TEMP TABLE podtap_c (a int, b text)');
    r.sock.write(queryMsg('COPY podtap_c FROM STDIN'));
    await r.readUntil('G');
    r.sock.write(Buffer.concat([copyData('1\tone\n2\ttwo\n'), copyData('3\tthree\n'), copyDone()]));
    raw.push({ text: 'COPY podtap_c FROM STDIN', tag: tag(await r.readUntil('Z')) });
    await send('COPY podtap_c TO STDOUT');
    r.sock.write(queryMsg('SELECT pg_sleep(5)'));
    await new Promise((res) => setTimeout(res, 300));
    const k = await Raw.open();
    k.sock.end(cancelRequest(r.pid, r.key));
    const ms = await r.readUntil('Z');
    const err = ms.find((m) => m.type === 'E');
    assert.ok(err !== undefined && err.body.includes(Buffer.from('C57014\0')), 'the server cancelled the sleep');
    raw.push({ text: 'SELECT pg_sleep(5)', tag: '' });
    r.sock.end(terminate());
    await new Promise((res) => r.sock.once('close', res));
  } finally {
    for (const s of Raw.all) s.destroy();
    await cap.stop();
  }
  try {
    const { entries, stats } = await entriesOfCapture(file);
    compare(entries, log, raw, notices);
    assert.deepEqual(Object.keys(stats.weirds).filter((w) => w.startsWith('postgres')), [], 'no weirds');
    if (process.env.PODTAP_UPDATE_FIXTURES === '1') {
      await mkdir('fixtures/postgres', { recursive: true });
      await copyFile(file, 'fixtures/postgres/live.pcap');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

function compare(entries: PostgresEntry[], log: Ran[], raw: Array<{ text: string; tag: string }>, notices: string[]): void {
  const pgConn = entries.find((e) => e.request?.startup?.applicationName === 'podtap-live')!.connectionId;
  const rawConn = entries.find((e) => e.request?.startup?.applicationName === 'podtap-raw')!.connectionId;
  const start = entries.find((e) => e.connectionId === pgConn)!;
  assert.deepEqual([start.request!.startup!.user, start.request!.startup!.database, start.response!.authenticated], ['postgres', 'test', true]);

  const got = entries.filter((e) => e.connectionId === pgConn && e.request?.type !== 'startup');
  assert.equal(got.length, log.length, `one entry per query: ${got.map((e) => e.request?.query).join(' | ')}`);
  log.forEach((want, i) => {
    const e = got[i];
    const where = `query ${i}: ${want.text}`;
    assert.equal(e.request!.query, want.text, where);
    assert.equal(e.request!.type, want.values === undefined ? 'query' : 'execute', where);
    assert.deepEqual(e.flags, [], where);
    const r = e.response!;
    if (want.code !== undefined) {
      assert.equal(r.error?.code, want.code, where);
      assert.equal(r.commandTag, '', where);
      return;
    }
    assert.equal(r.error, null, where);
    assert.ok(r.commandTag.startsWith(want.command!), `${where}: ${r.commandTag}`);
    assert.equal(r.rows, want.rowCount ?? 0, where);
    if (want.fields!.length > 0) assert.deepEqual(r.columns, want.fields, where);
    if (want.values !== undefined) {
      assert.deepEqual(e.request!.parameters, want.values.map((v) => (v === null ? null : Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : String(v))), where);
    }
  });
  const sel = got.find((e) => e.request!.query === 'SELECT id, name FROM podtap_t ORDER BY id')!.response!;
  assert.deepEqual(sel.sample.slice(0, 2), [['1', 'name 1'], ['2', 'name 2']]);
  const byId = got.filter((e) => e.request!.statement === 'by-id');
  assert.deepEqual(byId.map((e) => e.response!.sample), [[['name 2']], [['name 3']]], 'the named statement is remembered');
  assert.equal(got.find((e) => e.response!.error?.code === '42601')!.response!.error!.severity, 'ERROR');
  assert.deepEqual(got.flatMap((e) => e.response!.notices.map((n) => n.message)), notices);

  const rawGot = entries.filter((e) => e.connectionId === rawConn && e.request?.type !== 'startup');
  assert.deepEqual(rawGot.map((e) => [e.request!.query, e.response!.commandTag]), raw.map((r) => [r.text, r.tag]));
  const copyIn = rawGot.find((e) => e.request!.query === 'COPY podtap_c FROM STDIN')!;
  assert.deepEqual(copyIn.request!.copyIn, { messages: 2, bytes: 20 });
  assert.equal(copyIn.response!.rows, 3);
  const copyOut = rawGot.find((e) => e.request!.query === 'COPY podtap_c TO STDOUT')!;
  assert.deepEqual(copyOut.response!.copyOut, { messages: 3, bytes: 20 });
  assert.equal(rawGot[rawGot.length - 1].response!.error!.code, '57014');
  const cancels = entries.filter((e) => e.request?.type === 'cancel');
  assert.equal(cancels.length, 1);
  assert.equal(cancels[0].request!.cancel!.processId, rawGot[0].response === null ? -1 : entries.find((e) => e.connectionId === rawConn)!.response!.processId);
}
