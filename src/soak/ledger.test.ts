/** Request ids in and out of entries, and the ledger of the clients' counts against stored entries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry } from '../entries/types.js';
import { reconcileLedger } from './ledger.js';
import { answeredIds, dnsName, httpPath, parseRequestId, pgQuery, redisKey, requestId, requestIdOf, type ClientReport } from './request-ids.js';

const base = { transport: 'tcp', timestamp: 0, elapsedTime: 0, src: { ip: '10.240.1.9', port: 40000 }, dst: { ip: '10.96.0.60', port: 80 }, connectionId: 'c', flags: [] };

test('each protocol carries the request id where the entry keeps it', () => {
  const id = requestId('c17', 'http', 3);
  assert.equal(id, 'c17-h3');
  assert.deepEqual(parseRequestId(id), { client: 'c17', kind: 'http', seq: 3 });
  assert.equal(parseRequestId('c17-x3'), null);
  const entries = [
    { ...base, id: 'a', protocol: 'http', request: { path: httpPath('c1-n2') } },
    { ...base, id: 'b', protocol: 'dns', transport: 'udp', request: { questions: [{ name: dnsName('s1-d7').toUpperCase(), type: 'A', class: 'IN' }] } },
    { ...base, id: 'c', protocol: 'redis', request: { key: redisKey('s2-r1') } },
    { ...base, id: 'd', protocol: 'postgres', request: { query: pgQuery('c3-p4') } },
    { ...base, id: 'e', protocol: 'http', request: { path: '/api/products/3' } },
    { ...base, id: 'f', protocol: 'http', request: null },
  ] as unknown as Entry[];
  assert.deepEqual(entries.map(requestIdOf), ['c1-n2', 's1-d7', 's2-r1', 'c3-p4', null, null]);
});

test('the ledger finds lost, doubled and extra requests per kind', () => {
  const kinds = { http: { sent: 3, answered: 2, unanswered: [2] }, 'http-new': { sent: 0, answered: 0, unanswered: [] }, dns: { sent: 2, answered: 2, unanswered: [] }, redis: { sent: 0, answered: 0, unanswered: [] }, postgres: { sent: 0, answered: 0, unanswered: [] } };
  const report: ClientReport = { client: 'c1', pod: 'soak/c1', startedAt: 0, endedAt: 1, kinds, errors: [] };
  assert.deepEqual(answeredIds(report).map((a) => a.id), ['c1-h1', 'c1-h3', 'c1-d1', 'c1-d2']);
  const at = (id: string, rid: string, timestamp = 0) => ({ id, rid, timestamp, connectionId: id.split('-')[0]!, flags: [] });
  const l = reconcileLedger([report], [
    at('n1.r.1-0', 'c1-h1'), at('n1.r.1-1', 'c1-h2', 5), // h2 timed out at the client: extra
    at('n1.r.2-0', 'c1-d1'), at('n2.r.7-0', 'c1-d1'), // doubled
    at('n1.r.2-0', 'c1-d1'), // the same entry twice: a store fault
  ]);
  const http = l.kinds.find((k) => k.kind === 'http')!, dns = l.kinds.find((k) => k.kind === 'dns')!;
  assert.deepEqual({ answered: http.answered, stored: http.stored, lost: http.lost, extra: http.extra }, { answered: 2, stored: 1, lost: ['c1-h3'], extra: ['c1-h2'] });
  assert.deepEqual({ stored: dns.stored, lost: dns.lost, doubled: dns.doubled }, { stored: 1, lost: ['c1-d2'], doubled: [{ rid: 'c1-d1', ids: ['n1.r.2-0', 'n2.r.7-0'] }] });
  assert.deepEqual(l.duplicateEntryIds, ['n1.r.2-0']);
  assert.deepEqual(l.lostContext.map((c) => [c.rid, c.previous?.rid ?? null, c.next?.rid ?? null]), [['c1-h3', 'c1-h2', null], ['c1-d2', 'c1-d1', null]]);
});
