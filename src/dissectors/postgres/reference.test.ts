/**
 * The suricata-verify PostgreSQL captures (fixtures/postgres/suricata-verify,
 * MIT) against two independent references:
 *   - tshark 4.0.17 (fixtures/postgres/tshark-ref): every Simple query and
 *     Parse text it shows appears exactly once, in order, as `request.query`;
 *   - suricata's expected EVE fields (each test.yaml), restated here in
 *     podtap's names: command tags, row counts, SQLSTATEs, startup values.
 * Also prints the throughput of the dissector over these captures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { entriesOfCapture } from './test-support.js';
import type { PostgresEntry } from './index.js';

const ROOT = 'fixtures/postgres';
const captures: Record<string, string> = {
  'pgsql-5524': 'input.pcap',
  'pgsql-bug-5579': 'input.pcap',
  'pgsql-cancel-request': 'input.pcap',
  'pgsql-copy-data-in': 'TLPW-Jason-copyfrom-small.pcap',
  'pgsql-copy-data-out': 'input.pcap',
  'pgsql-pwd-output-disabled': 'input.pcap',
  'pgsql-simple-query-rollback': 'input.pcap',
  'pgsql-ssl-rejected-md5-auth-simple-query': 'input.pcap',
  'pgsql-upgrade-tls': 'input.pcap',
};
const pcap = (t: string): string => join(ROOT, 'suricata-verify', t, captures[t]);

/** Query texts tshark shows (Simple query and Parse), per stream in frame order. */
function tsharkQueries(t: string): string[] {
  const f = readdirSync(join(ROOT, 'tshark-ref')).find((n) => n.includes(`__${t}__`))!;
  const rows = readFileSync(join(ROOT, 'tshark-ref', f), 'utf8').split('\n').slice(2).filter((l) => l !== '');
  return rows.map((l) => l.split('\t')).filter((c) => c[3] !== undefined && c[3] !== '').map((c) => c[3]);
}

const queries = (es: PostgresEntry[]): string[] => es.filter((e) => e.request !== null && e.request.query !== '').map((e) => e.request!.query);
const byQuery = (es: PostgresEntry[], q: string): PostgresEntry[] => es.filter((e) => e.request?.query === q);

test('every query tshark sees appears exactly once, in order, with a response', async () => {
  for (const t of Object.keys(captures)) {
    const { entries, stats } = await entriesOfCapture(pcap(t));
    assert.deepEqual(queries(entries), tsharkQueries(t), t);
    for (const e of entries.filter((x) => x.request?.query)) assert.ok(e.response !== null && e.response.transactionStatus !== '', `${t}: ${e.request!.query} answered`);
    assert.deepEqual(Object.keys(stats.weirds).filter((w) => w.startsWith('postgres')), [], `${t}: no weirds`);
  }
});

test('suricata: simple queries, transactions and errors (pgsql-simple-query-rollback)', async () => {
  const { entries } = await entriesOfCapture(pcap('pgsql-simple-query-rollback'));
  assert.equal(entries[0].request!.type, 'ssl');
  assert.equal(entries[0].response!.encryption, 'refused');
  const s = entries[1];
  assert.deepEqual([s.request!.startup!.user, s.request!.startup!.database, s.request!.startup!.applicationName, s.request!.startup!.protocolVersion], ['ju-Test', 'Test', 'psql', '3.0']);
  assert.deepEqual(s.response!.authentication, ['sasl', 'sasl-continue', 'sasl-final', 'ok']);
  assert.equal(s.response!.processId, 5008);
  assert.equal(s.response!.serverParameters!.server_version, '13.4');
  const tags = entries.slice(2).map((e) => e.response!.error?.code ?? e.response!.commandTag);
  assert.deepEqual(tags, [
    'BEGIN', 'DELETE 1', 'DELETE 1', 'DELETE 1', 'DELETE 1', 'COMMIT',
    'BEGIN', 'INSERT 0 1', 'INSERT 0 1', '22012', '25P02', '25P02', '25P02', 'ROLLBACK',
    'BEGIN', 'INSERT 0 1', 'COMMIT', 'INSERT 0 1', '22012', 'INSERT 0 1', 'INSERT 0 1', 'SELECT 8',
  ]);
  const err = entries.find((e) => e.response?.error?.code === '22012')!.response!.error!;
  assert.deepEqual([err.severity, err.message], ['ERROR', 'division by zero']);
  const last = entries[entries.length - 1].response!;
  assert.deepEqual([last.rows, last.columns], [8, ['name', 'email']]);
  assert.equal(last.sample.length, 8);
});

test('suricata: SELECT row counts and md5 authentication (pgsql-ssl-rejected-md5-auth-simple-query, pgsql-bug-5579)', async () => {
  const { entries } = await entriesOfCapture(pcap('pgsql-ssl-rejected-md5-auth-simple-query'));
  assert.deepEqual(entries.map((e) => e.request!.type), ['ssl', 'startup', 'ssl', 'startup', 'query']);
  assert.deepEqual(entries[1].response!.authentication, ['md5']);
  assert.equal(entries[1].response!.authenticated, false, 'the first client gave up at the password prompt');
  assert.equal(entries[3].response!.processId, 61);
  assert.equal(entries[3].response!.serverParameters!.server_version, '13.0 (Debian 13.0-1.pgdg100+1)');
  const q = entries[4].response!;
  assert.deepEqual([q.commandTag, q.rows, q.columns.length], ['SELECT 3', 3, 10]);

  const b = (await entriesOfCapture(pcap('pgsql-bug-5579'))).entries;
  assert.deepEqual([b[1].response!.commandTag, b[1].response!.rows, b[1].response!.columns.length], ['SELECT 4', 4, 1]);
  assert.equal(b[0].response!.processId, 2957);
  assert.equal(b[0].request!.startup!.user, 'ctfpost');
});

test('suricata: cancel request, TLS upgrade, cleartext password (three captures)', async () => {
  const c = (await entriesOfCapture(pcap('pgsql-cancel-request'))).entries;
  const cancel = c.filter((e) => e.request?.type === 'cancel');
  assert.equal(cancel.length, 1);
  assert.deepEqual(cancel[0].request!.cancel, { processId: 28954 });
  assert.equal(cancel[0].response, null);
  assert.equal(cancel[0].src.port, 39706);
  const sleep = byQuery(c, 'select pg_sleep(9)')[0].response!;
  assert.deepEqual([sleep.error!.code, sleep.error!.message, sleep.columns], ['57014', 'canceling statement due to user request', ['pg_sleep']]);
  assert.equal(c.find((e) => e.request?.type === 'startup')!.response!.processId, 28954);

  const u = (await entriesOfCapture(pcap('pgsql-upgrade-tls'))).entries;
  assert.equal(u.length, 2);
  assert.deepEqual([u[0].request!.type, u[0].response!.encryption], ['ssl', 'accepted']);
  const f = u[1];
  assert.deepEqual([f.request!.startup!.user, f.request!.startup!.database, f.request!.startup!.parameters.replication], ['rep', 'replication', 'true']);
  assert.deepEqual([f.response!.error!.severity, f.response!.error!.code], ['FATAL', '28000']);

  const p = (await entriesOfCapture(pcap('pgsql-pwd-output-disabled'))).entries;
  assert.deepEqual(p[1].response!.authentication, ['cleartext', 'ok']);
  assert.equal(p[1].response!.processId, 11828);
  assert.ok(!JSON.stringify(p).includes('password'), 'the password is never recorded');
});

test('suricata: COPY in and out (pgsql-copy-data-in, pgsql-copy-data-out)', async () => {
  const i = byQuery((await entriesOfCapture(pcap('pgsql-copy-data-in'))).entries, 'COPY tmp FROM STDIN')[0];
  assert.deepEqual(i.request!.copyIn, { messages: 1, bytes: 2779 });
  assert.deepEqual([i.response!.commandTag, i.response!.rows], ['COPY 5', 5]);
  const o = (await entriesOfCapture(pcap('pgsql-copy-data-out'))).entries.find((e) => e.request?.query.startsWith('COPY'))!;
  assert.deepEqual(o.response!.copyOut, { messages: 5, bytes: 2779 });
  assert.deepEqual([o.response!.commandTag, o.response!.rows], ['COPY 5', 5]);
});

test('suricata: extended protocol with errors (pgsql-5524, a capture of PostgreSQL 7.4)', async () => {
  const e = (await entriesOfCapture(pcap('pgsql-5524'))).entries;
  assert.equal(e[0].request!.startup!.user, 'test');
  assert.equal(e[0].response!.processId, 30259);
  assert.equal(e[0].response!.serverParameters!.server_version, '7.4.5');
  assert.deepEqual(e.slice(1).map((x) => [x.request!.type, x.response!.error?.code ?? x.response!.commandTag]), [
    ['execute', '42P01'], ['execute', 'CREATE TABLE'], ['execute', '42P01'], ['execute', 'CREATE TABLE'],
  ]);
});

test('throughput over the corpus captures (diagnostic)', async () => {
  const rounds = 40;
  let packets = 0;
  let bytes = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const t of Object.keys(captures)) {
      const { stats } = await entriesOfCapture(pcap(t));
      packets += stats.packets;
      bytes += stats.bytes;
    }
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`postgres corpus: ${packets} packets in ${s.toFixed(2)} s = ${Math.round(packets / s)} packets/s, ${(bytes / s / 2 ** 20).toFixed(1)} MiB/s (file reading included)`);
  assert.ok(packets > 0);
});

test('the recorded live capture (fixtures/postgres/live.pcap, pg + raw frontend) reads the same without a server', async () => {
  const { entries, stats } = await entriesOfCapture(join(ROOT, 'live.pcap'));
  assert.equal(entries.length, 24);
  assert.deepEqual(entries.map((e) => e.request!.type).filter((t) => t !== 'query'), ['startup', 'execute', 'execute', 'execute', 'execute', 'execute', 'execute', 'execute', 'execute', 'execute', 'startup', 'cancel']);
  assert.ok(entries.every((e) => e.flags.length === 0));
  assert.deepEqual(entries.filter((e) => e.response?.error).map((e) => e.response!.error!.code), ['42601', '22012', '57014']);
  assert.deepEqual(Object.keys(stats.weirds).filter((w) => w.startsWith('postgres')), []);
});
