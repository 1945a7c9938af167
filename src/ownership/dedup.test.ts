import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuplicateFilter } from './dedup.js';
import { tcpFrame, udpFrame } from '../testing/packets.js';
import { ipv4ToInt } from '../filters/cidr.js';

const check = (f: DuplicateFilter, frame: Buffer, ts: number, client = '10.240.1.2', cport = 45000) =>
  f.isDuplicate(frame, 14, 34, frame.length, frame[23], ipv4ToInt(client), cport, ts);

test('the same packet seen twice within the window is a duplicate, even with another TTL and a NATed address', () => {
  const f = new DuplicateFilter();
  const a = tcpFrame({ src: '10.240.1.2', dst: '10.96.0.10', sport: 45000, dport: 80, seq: 1000, ack: 5, payload: 'GET / HTTP/1.1\r\n\r\n', ipId: 77 });
  const b = tcpFrame({ src: '10.240.1.2', dst: '10.240.2.9', sport: 45000, dport: 8080, seq: 1000, ack: 5, payload: 'GET / HTTP/1.1\r\n\r\n', ipId: 77 });
  b[22] = 63; // TTL decremented by the node
  assert.equal(check(f, a, 0), false);
  assert.equal(check(f, b, 0.05), true);
  assert.equal(f.stats.duplicates, 1);
});

test('retransmissions later than the window and different segments are not duplicates', () => {
  const f = new DuplicateFilter(100);
  const a = tcpFrame({ src: '10.240.1.2', dst: '10.240.2.9', sport: 45000, dport: 80, seq: 1000, payload: 'abc', ipId: 1 });
  const next = tcpFrame({ src: '10.240.1.2', dst: '10.240.2.9', sport: 45000, dport: 80, seq: 1003, payload: 'def', ipId: 2 });
  assert.equal(check(f, a, 0), false);
  assert.equal(check(f, next, 1), false);
  assert.equal(check(f, a, 500), false);
});

test('UDP datagrams are keyed by id and payload', () => {
  const f = new DuplicateFilter();
  const q1 = udpFrame({ src: '10.240.1.2', dst: '10.96.0.10', sport: 45000, dport: 53, payload: 'query-1' });
  const q2 = udpFrame({ src: '10.240.1.2', dst: '10.96.0.10', sport: 45000, dport: 53, payload: 'query-2' });
  assert.equal(check(f, q1, 0), false);
  assert.equal(check(f, q2, 0), false);
  assert.equal(check(f, q1, 1), true);
});

test('the table is bounded', () => {
  const f = new DuplicateFilter(1e9, 1000);
  for (let i = 0; i < 5000; i++) check(f, tcpFrame({ src: '10.240.1.2', dst: '10.240.2.9', sport: 45000, dport: 80, seq: i * 10, payload: 'x', ipId: i & 0xffff }), i);
  assert.ok(f.size <= 1024, `${f.size}`); // capacity: maxEntries rounded up to a power of two
  assert.ok(f.stats.evicted > 0);
});

test('a keep-alive conversation of identical requests has no false duplicates (regression: 21-bit effective key)', () => {
  const f = new DuplicateFilter(1e9, 1 << 20);
  let dupes = 0;
  let cseq = 1000, sseq = 5000;
  const req = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
  const res = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  for (let i = 0; i < 200_000; i++) {
    const a = tcpFrame({ src: '10.240.1.2', dst: '10.240.2.9', sport: 45000, dport: 80, seq: cseq, ack: sseq, payload: req, ipId: i & 0xffff });
    const b = tcpFrame({ src: '10.240.2.9', dst: '10.240.1.2', sport: 80, dport: 45000, seq: sseq, ack: cseq + req.length, payload: res, ipId: i & 0xffff });
    if (check(f, a, i)) dupes++;
    if (f.isDuplicate(b, 14, 34, b.length, 6, ipv4ToInt('10.240.1.2'), 45000, i)) dupes++;
    cseq += req.length; sseq += res.length;
  }
  assert.equal(dupes, 0);
});
