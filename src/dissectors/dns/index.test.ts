import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DnsEntry } from '../../entries/types.js';
import { MAX_PENDING_QUERIES } from './exchanges.js';
import { dnsTcpSpec, dnsUdpSpec } from './index.js';
import { buildMessage, concat, FakeContext, prng, query, response, tcpFrame } from './test-support.js';
import { MDNS_ANNOUNCEMENT, MDNS_QUERY, TCP_QUERY_SEGMENT, TCP_RESPONSE_SEGMENT, TCPDUMP_QUERY, TCPDUMP_RESPONSE } from './test-fixtures.js';

const qname = (e: DnsEntry): string | undefined => e.request?.questions[0]?.name ?? e.response?.questions[0]?.name;

test('specs: names, transports and plaintext ports', () => {
  assert.equal(dnsUdpSpec.name, 'dns');
  assert.equal(dnsUdpSpec.transport, 'udp');
  assert.deepEqual(dnsUdpSpec.ports, [53, 5353, 5355]);
  assert.equal(dnsTcpSpec.name, 'dns');
  assert.equal(dnsTcpSpec.transport, 'tcp');
  assert.deepEqual(dnsTcpSpec.ports, [53, 5353]);
});

test('UDP: a query and its response make one entry', () => {
  const ctx = new FakeContext();
  const d = dnsUdpSpec.create(ctx);
  d.datagram(TCPDUMP_QUERY, true, 1000);
  d.datagram(TCPDUMP_RESPONSE, false, 1130.25);
  d.close(2000);
  assert.equal(ctx.dns.length, 1);
  const e = ctx.dns[0];
  assert.equal(e.id, 'flow1-1');
  assert.equal(e.protocol, 'dns');
  assert.equal(e.transport, 'udp');
  assert.equal(e.connectionId, 'flow1');
  assert.equal(e.timestamp, 1000);
  assert.equal(e.elapsedTime, 130.25);
  assert.deepEqual(e.src, ctx.client);
  assert.deepEqual(e.dst, ctx.server);
  assert.deepEqual(e.flags, []);
  assert.deepEqual(e.request, {
    id: 22836, opcode: 'QUERY', recursionDesired: true, authenticData: true, checkingDisabled: false,
    edns: { udpPayloadSize: 4096, version: 0, dnssecOk: false, options: [{ code: 10, length: 8 }] }, questions: [{ name: 'www.tcpdump.org', type: 'A', class: 'IN' }],
  });
  const r = e.response!;
  assert.equal(r.id, 22836);
  assert.equal(r.rcode, 0);
  assert.equal(r.rcodeName, 'NOERROR');
  assert.equal(r.authoritative, true);
  assert.equal(r.truncated, false);
  assert.equal(r.recursionAvailable, false);
  assert.deepEqual(r.answers[0], { name: 'www.tcpdump.org', type: 'A', class: 'IN', ttl: 60, data: '192.139.46.66' });
  assert.deepEqual(r.authorities.map((x) => x.type), ['NS', 'NS']);
  assert.deepEqual(r.additionals.map((x) => x.type), ['A', 'AAAA', 'A', 'AAAA'], 'no OPT among the additionals');
  assert.deepEqual(r.questions, e.request!.questions);
  assert.deepEqual(ctx.weirds, {});
});

test('UDP: responses out of order are paired by id', () => {
  const ctx = new FakeContext();
  const d = dnsUdpSpec.create(ctx);
  d.datagram(query(1, 'one.example'), true, 1);
  d.datagram(query(2, 'two.example'), true, 2);
  d.datagram(query(3, 'three.example'), true, 3);
  d.datagram(response(3, 'three.example', ['192.0.2.3']), false, 10);
  d.datagram(response(1, 'one.example', ['192.0.2.1']), false, 11);
  d.datagram(response(2, 'two.example', ['192.0.2.2']), false, 12);
  d.close(20);
  assert.deepEqual(ctx.dns.map((e) => [e.request?.id, e.response?.id, qname(e), e.response?.answers[0].data, e.elapsedTime]), [
    [3, 3, 'three.example', '192.0.2.3', 7],
    [1, 1, 'one.example', '192.0.2.1', 10],
    [2, 2, 'two.example', '192.0.2.2', 10],
  ]);
});

test('UDP: a second response to an answered query is its own entry, flagged retransmission', () => {
  const ctx = new FakeContext();
  const d = dnsUdpSpec.create(ctx);
  d.datagram(TCPDUMP_QUERY, true, 1);
  d.datagram(TCPDUMP_RESPONSE, false, 2);
  d.datagram(TCPDUMP_RESPONSE, false, 3);
  d.close(4);
  assert.equal(ctx.dns.length, 2);
  assert.deepEqual(ctx.dns[0].flags, []);
  assert.deepEqual(ctx.dns[1].flags, ['retransmission']);
  assert.equal(ctx.dns[1].request, null);
  assert.equal(ctx.dns[1].timestamp, 3);
  assert.equal(ctx.dns[1].elapsedTime, 0);
});

test('UDP: a query without response is emitted at close, flagged no-response', () => {
  const ctx = new FakeContext();
  const d = dnsUdpSpec.create(ctx);
  d.datagram(query(9, 'lost.example'), true, 5);
  assert.equal(ctx.dns.length, 0);
  d.close(100);
  assert.equal(ctx.dns.length, 1);
  assert.deepEqual(ctx.dns[0].flags, ['no-response']);
  assert.equal(ctx.dns[0].response, null);
  assert.equal(ctx.dns[0].timestamp, 5);
  assert.equal(ctx.dns[0].elapsedTime, 0);
});

test('UDP: a response without query is emitted at once, flagged no-request', () => {
  const ctx = new FakeContext();
  const d = dnsUdpSpec.create(ctx);
  d.datagram(response(4, 'stray.example'), false, 7);
  assert.equal(ctx.dns.length, 1);
  assert.deepEqual(ctx.dns[0].flags, ['no-request']);
  assert.equal(ctx.dns[0].request, null);
  assert.equal(ctx.dns[0].timestamp, 7);
  assert.deepEqual(ctx.dns[0].src, ctx.client, 'the receiver of a response is the side that asked');
});

test('roles by the QR bit: a query from ctx.server is answered by ctx.client; src/dst swapped', () => {
  const ctx = new FakeContext();
  const d = dnsUdpSpec.create(ctx);
  d.datagram(query(5, 'reverse.example'), false, 1);
  d.datagram(response(5, 'reverse.example'), true, 2);
  d.close(3);
  assert.equal(ctx.dns.length, 1);
  assert.deepEqual(ctx.dns[0].flags, []);
  assert.deepEqual(ctx.dns[0].src, ctx.server);
  assert.deepEqual(ctx.dns[0].dst, ctx.client);
});

test('mDNS: an announcement sent by the querier is not taken as the answer (Zeek mdns-no-assoc)', () => {
  const ctx = new FakeContext('udp', { ip: '192.168.0.2', port: 5353 }, { ip: '224.0.0.251', port: 5353 });
  const d = dnsUdpSpec.create(ctx);
  d.datagram(MDNS_QUERY, true, 1);
  d.datagram(MDNS_ANNOUNCEMENT, true, 2);
  d.close(3);
  assert.deepEqual(ctx.dns.map((e) => [qname(e) ?? e.response?.answers[0].name, e.flags]), [
    ['unrelated-reply-a.local', ['no-request']],
    ['initial-query-a.local', ['no-response']],
  ]);
  assert.deepEqual(ctx.dns[0].src, ctx.server, 'the announcement went from the client side: roles swapped');
});

test('same id, other question: not paired (counted), both ends reported', () => {
  const ctx = new FakeContext();
  const d = dnsUdpSpec.create(ctx);
  d.datagram(query(6, 'asked.example'), true, 1);
  d.datagram(response(6, 'other.example'), false, 2);
  d.close(3);
  assert.deepEqual(ctx.dns.map((e) => [qname(e), e.flags]), [['other.example', ['no-request']], ['asked.example', ['no-response']]]);
  assert.equal(ctx.weirds.dns_question_mismatch, 1);
});

test('question compared without case (0x20 randomisation); a response without question pairs by id', () => {
  const ctx = new FakeContext();
  const d = dnsUdpSpec.create(ctx);
  d.datagram(query(7, 'wWw.ExAmPlE.com'), true, 1);
  d.datagram(response(7, 'www.example.com'), false, 2);
  d.datagram(query(8, 'formerr.example'), true, 3);
  d.datagram(buildMessage({ id: 8, qr: true, rcode: 1 }), false, 4);
  d.close(5);
  assert.deepEqual(ctx.dns.map((e) => [e.request?.id, e.response?.rcodeName, e.flags]), [[7, 'NOERROR', []], [8, 'FORMERR', []]]);
});

test('a retried query (same id and question) is tracked once', () => {
  const ctx = new FakeContext();
  const d = dnsUdpSpec.create(ctx);
  d.datagram(query(10, 'retry.example'), true, 1);
  d.datagram(query(10, 'retry.example'), true, 1001);
  d.datagram(response(10, 'retry.example'), false, 1002);
  d.close(2000);
  assert.equal(ctx.dns.length, 1);
  assert.equal(ctx.dns[0].timestamp, 1);
  assert.equal(ctx.weirds.dns_duplicate_query, 1);
});

test(`at most ${MAX_PENDING_QUERIES} pending queries: the oldest is emitted unanswered`, () => {
  const ctx = new FakeContext();
  const d = dnsUdpSpec.create(ctx);
  for (let i = 0; i < MAX_PENDING_QUERIES + 5; i++) d.datagram(query(i, `q${i}.example`), true, i);
  assert.equal(ctx.weirds.dns_pending_limit, 5);
  assert.deepEqual(ctx.dns.map((e) => [e.request?.id, e.flags]), [0, 1, 2, 3, 4].map((i) => [i, ['no-response']]));
  d.datagram(response(MAX_PENDING_QUERIES + 4, `q${MAX_PENDING_QUERIES + 4}.example`), false, 5000);
  assert.deepEqual(ctx.dns[5].flags, []);
  d.close(6000);
  assert.equal(ctx.dns.length, MAX_PENDING_QUERIES + 5);
});

test('flags: TC and truncated bytes → truncated; broken grammar → violation; short messages only counted', () => {
  const ctx = new FakeContext();
  const d = dnsUdpSpec.create(ctx);
  d.datagram(query(11, 'big.example'), true, 1);
  d.datagram(buildMessage({ id: 11, flags: 0x8380, questions: [['big.example', 1]] }), false, 2); // TC set
  d.datagram(query(12, 'cut.example'), true, 3);
  d.datagram(response(12, 'cut.example', ['192.0.2.1', '192.0.2.2']).subarray(0, 50), false, 4);
  d.datagram(query(13, 'bad.example'), true, 5);
  d.datagram(buildMessage({ id: 13, qr: true, questions: [['bad.example', 1]], answers: [{ name: 'bad.example', type: 1, rdata: '01' }] }), false, 6);
  d.datagram(new Uint8Array([1, 2, 3]), true, 7);
  d.close(8);
  assert.deepEqual(ctx.dns.map((e) => [e.request?.id, e.flags]), [[11, ['truncated']], [12, ['truncated']], [13, ['violation']]]);
  assert.equal(ctx.dns[0].response?.truncated, true);
  assert.deepEqual(ctx.weirds, { dns_truncated: 1, dns_bad_rdata: 1, dns_short_message: 1 });
});

test('TCP: real segments fed one byte at a time', () => {
  const ctx = new FakeContext('tcp');
  const d = dnsTcpSpec.create(ctx);
  let ts = 0;
  for (const b of TCP_QUERY_SEGMENT) d.deliver(new Uint8Array([b]), true, ++ts);
  const queryEnd = ts;
  for (const b of TCP_RESPONSE_SEGMENT) d.deliver(new Uint8Array([b]), false, ++ts);
  d.end(true, ts);
  d.end(false, ts);
  d.close(ts);
  assert.equal(ctx.dns.length, 1);
  const e = ctx.dns[0];
  assert.equal(e.transport, 'tcp');
  assert.equal(e.request?.id, 17177);
  assert.equal(e.response?.answers.length, 2);
  assert.equal(e.timestamp, 1, 'the query starts at its first byte');
  assert.equal(e.elapsedTime, ts - 1, 'the response ends at its last byte');
  assert.ok(queryEnd < ts);
  assert.deepEqual(ctx.weirds, {});
});

test('TCP: pipelined queries in one segment, id 0 reused, answered in order', () => {
  const ctx = new FakeContext('tcp');
  const d = dnsTcpSpec.create(ctx);
  const names = ['suricata.io', 'oisf.net', 'suricata.org'];
  d.deliver(concat(...names.map((n) => tcpFrame(query(0, n)))), true, 1);
  d.deliver(concat(...names.map((n, i) => tcpFrame(response(0, n, [`192.0.2.${i}`])))), false, 2);
  d.close(3);
  assert.deepEqual(ctx.dns.map((e) => [qname(e), e.response?.answers[0].data, e.flags]), [
    ['suricata.io', '192.0.2.0', []], ['oisf.net', '192.0.2.1', []], ['suricata.org', '192.0.2.2', []],
  ]);
});

test('TCP: a gap drops the cut message, marks the waiting query, and the stream resumes', () => {
  const ctx = new FakeContext('tcp');
  const d = dnsTcpSpec.create(ctx);
  d.deliver(concat(tcpFrame(query(1, 'a.example')), tcpFrame(query(2, 'b.example'))), true, 1);
  const r1 = tcpFrame(response(1, 'a.example'));
  d.deliver(r1.subarray(0, 20), false, 2);
  d.gap(40, false, 3); // the rest of response 1 was never captured
  d.deliver(r1.subarray(20), false, 3); // ...or the capture resumes mid-message: dropped
  d.deliver(tcpFrame(response(2, 'b.example')), false, 4);
  d.close(5);
  assert.deepEqual(ctx.dns.map((e) => [qname(e), e.flags]), [['b.example', ['gap']], ['a.example', ['gap', 'no-response']]]);
  assert.equal(ctx.weirds.dns_gap_partial_message, 1);
  assert.equal(ctx.weirds.dns_resync_dropped, 1, 'the tail was kept as a probe, then dropped when the next segment resumed');
});

test('TCP: a response cut by the end of the stream is parsed and flagged truncated', () => {
  const ctx = new FakeContext('tcp');
  const d = dnsTcpSpec.create(ctx);
  d.deliver(tcpFrame(query(1, 'cut.example')), true, 1);
  // 2 (length) + 12 (header) + 17 (question) + 27 (first answer) + 5 bytes of the second answer
  d.deliver(tcpFrame(response(1, 'cut.example', ['192.0.2.1', '192.0.2.2'])).subarray(0, 63), false, 2);
  d.end(false, 3);
  d.close(4);
  assert.equal(ctx.dns.length, 1);
  assert.deepEqual(ctx.dns[0].flags, ['truncated']);
  assert.equal(ctx.dns[0].response?.answers.length, 1);
  assert.equal(ctx.weirds.dns_partial_message_at_end, 1);
});

test('garbage through both dissectors never throws', () => {
  const rand = prng(42);
  const bytes = (n: number): Uint8Array => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
    return b;
  };
  for (let round = 0; round < 200; round++) {
    const udp = dnsUdpSpec.create(new FakeContext());
    const tcp = dnsTcpSpec.create(new FakeContext('tcp'));
    for (let i = 0; i < 20; i++) {
      const isClient = rand() < 0.5;
      let payload = bytes(Math.floor(rand() * 300));
      if (rand() < 0.3) payload = concat(tcpFrame(query(i, 'x.example')), payload);
      udp.datagram(payload, isClient, i);
      if (rand() < 0.1) tcp.gap(Math.floor(rand() * 100), isClient, i);
      else tcp.deliver(payload, isClient, i);
    }
    udp.close(100);
    tcp.end(true, 100);
    tcp.close(100);
  }
});
