import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { runConformance, type ConformanceSample } from '../conformance.js';
import { mysqlSpec } from './index.js';

/** The recorded mysql2 session (fixtures/mysql), as [client bytes, server bytes] per exchange; the server's greeting comes first. */
const recorded = (JSON.parse(readFileSync('fixtures/mysql/mysql2-session.exchanges.json', 'utf8')) as Array<[string, string]>)
  .map(([c, s]): [Buffer, Buffer] => [Buffer.from(c, 'hex'), Buffer.from(s, 'hex')]);

const pkt = (seq: number, payload: Buffer | string): Buffer => {
  const b = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const h = Buffer.from([b.length & 0xff, (b.length >> 8) & 0xff, b.length >> 16, seq]);
  return Buffer.concat([h, b]);
};
const ok = (seq: number): Buffer => pkt(seq, Buffer.from([0, 0, 0, 2, 0, 0, 0]));

test('MySQL passes the dissector conformance suite', async (t) => {
  const samples: ConformanceSample[] = [
    { name: 'recorded mysql2 session (handshake, queries, prepared statements, error, ping, quit)', port: 3306, entries: 12, exchanges: recorded },
    {
      name: 'greeting, login, then pings', port: 3306, entries: 4,
      exchanges: [recorded[0], recorded[1], [pkt(0, '\x0e'), ok(1)], [pkt(0, '\x0e'), ok(1)], [pkt(0, '\x03SELECT 1'), ok(1)]],
    },
  ];
  await runConformance(t, mysqlSpec, samples);
});
