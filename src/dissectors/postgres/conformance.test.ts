import { test } from 'node:test';
import { runConformance } from '../conformance.js';
import { postgresSpec } from './index.js';
import {
  bind, bindComplete, complete, dataRowMsg, describePortal, errorMsg, execute, parse, parseComplete, query, ready, rowDesc,
  sslRequest, startup, startupAnswer, sync, terminate,
} from './test-support.js';

const start = startup({ user: 'postgres', database: 'test', application_name: 'conformance' });
const select = (n: number): Buffer => Buffer.concat([rowDesc(['id', 'name']), ...Array.from({ length: n }, (_, i) => dataRowMsg([String(i), `row ${i}`])), complete(`SELECT ${n}`), ready()]);

test('PostgreSQL passes the dissector conformance suite', async (t) => {
  await runConformance(t, postgresSpec, [
    {
      name: 'startup and simple queries', port: 5432, entries: 5, pipelining: true,
      exchanges: [
        [start, startupAnswer()],
        [query('SELECT id, name FROM t'), select(3)],
        [query('BEGIN'), Buffer.concat([complete('BEGIN'), ready('T')])],
        [query('SELEC 1'), Buffer.concat([errorMsg('ERROR', '42601', 'syntax error at or near "SELEC"'), ready('E')])],
        [query('SELECT id, name FROM big'), select(200)],
        [terminate(), ''],
      ],
    },
    {
      name: 'SSL refused, then the extended protocol', port: 5432, entries: 4,
      exchanges: [
        [sslRequest(), 'N'],
        [start, startupAnswer()],
        [Buffer.concat([parse('', 'INSERT INTO t VALUES ($1, $2)'), bind('', '', ['7', 'seven']), describePortal(''), execute(''), sync()]),
          Buffer.concat([parseComplete(), bindComplete(), Buffer.from('n\0\0\0\x04', 'latin1'), complete('INSERT 0 1'), ready()])],
        [Buffer.concat([parse('s1', 'SELECT id, name FROM t WHERE id = $1'), bind('', 's1', ['7']), describePortal(''), execute(''), sync()]),
          Buffer.concat([parseComplete(), bindComplete(), select(1).subarray(0)])],
      ],
    },
  ]);
});
