import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectDnsDatagram, detectDnsStream } from './detect.js';
import { buildMessage, prng, tcpFrame } from './test-support.js';
import {
  FWDPTR_QUERY, MDNS_ANNOUNCEMENT, MDNS_QUERY, TCP_QUERY_SEGMENT, TCP_RESPONSE_SEGMENT, TCPDUMP_QUERY, TCPDUMP_RESPONSE,
} from './test-fixtures.js';

test('UDP: real queries from the client and responses from the server match', () => {
  assert.equal(detectDnsDatagram(TCPDUMP_QUERY, true), 'match');
  assert.equal(detectDnsDatagram(TCPDUMP_RESPONSE, false), 'match');
  assert.equal(detectDnsDatagram(FWDPTR_QUERY, true), 'match', 'a forward pointer in the first question');
  assert.equal(detectDnsDatagram(MDNS_QUERY, true), 'match');
});

test('UDP: a response from the client side (mDNS, mid-way captures) passes the stricter checks', () => {
  assert.equal(detectDnsDatagram(MDNS_ANNOUNCEMENT, true), 'match', 'no question: the first answer is walked');
  assert.equal(detectDnsDatagram(TCPDUMP_RESPONSE, true), 'match');
  const twoQuestions = buildMessage({ id: 1, qr: true, questions: [['a.example', 1], ['b.example', 1]] });
  assert.equal(detectDnsDatagram(twoQuestions, false), 'match');
  assert.equal(detectDnsDatagram(twoQuestions, true), 'no', 'reversed direction allows one question only');
});

test('UDP: implausible headers are refused', () => {
  const text = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example.com\r\n\r\n');
  assert.equal(detectDnsDatagram(text, true), 'no');
  assert.equal(detectDnsDatagram(TCPDUMP_QUERY.subarray(0, 11), true), 'no', 'shorter than a header');
  assert.equal(detectDnsDatagram(TCPDUMP_QUERY.subarray(0, 30), true), 'no', 'question cut short');
  const opcode3 = TCPDUMP_QUERY.slice();
  opcode3[2] = (opcode3[2] & 0x87) | (3 << 3);
  assert.equal(detectDnsDatagram(opcode3, true), 'no', 'unassigned opcode');
  const manyQuestions = TCPDUMP_QUERY.slice();
  manyQuestions[5] = 17;
  assert.equal(detectDnsDatagram(manyQuestions, true), 'no', 'qdcount above the detection bound');
  const countsTooBig = TCPDUMP_QUERY.slice();
  countsTooBig[7] = 20; // 20 answers cannot fit in 56 bytes
  assert.equal(detectDnsDatagram(countsTooBig, true), 'no');
  assert.equal(detectDnsDatagram(new Uint8Array(12), true), 'match', 'an empty query header is a (DNS cookie style) message');
  assert.equal(detectDnsDatagram(new Uint8Array(20), true), 'no', 'an empty header followed by bytes is not');
});

test('TCP: length first, then the header; "more" until it can decide', () => {
  assert.equal(detectDnsStream(TCP_QUERY_SEGMENT, true), 'match');
  assert.equal(detectDnsStream(TCP_RESPONSE_SEGMENT, false), 'match');
  assert.equal(detectDnsStream(TCP_QUERY_SEGMENT.subarray(0, 1), true), 'more');
  assert.equal(detectDnsStream(TCP_QUERY_SEGMENT.subarray(0, 2), true), 'more');
  assert.equal(detectDnsStream(TCP_QUERY_SEGMENT.subarray(0, 13), true), 'more');
  assert.equal(detectDnsStream(TCP_QUERY_SEGMENT.subarray(0, 20), true), 'more', 'inside the first name');
  assert.equal(detectDnsStream(new Uint8Array([0, 5, 1, 2, 3, 4, 5]), true), 'no', 'length below a header');
  assert.equal(detectDnsStream(new TextEncoder().encode('SSH-2.0-OpenSSH_9.6\r\n'), true), 'no');
  assert.equal(detectDnsStream(tcpFrame(TCPDUMP_RESPONSE), false), 'match');
});

test('detection never throws and never says "more" for a whole datagram', () => {
  const rand = prng(7);
  for (let i = 0; i < 5000; i++) {
    const b = new Uint8Array(Math.floor(rand() * 80));
    for (let j = 0; j < b.length; j++) b[j] = Math.floor(rand() * 256);
    if (b.length > 5 && rand() < 0.5) b[4] = 0;
    const isClient = rand() < 0.5;
    assert.notEqual(detectDnsDatagram(b, isClient), 'more');
    assert.ok(['match', 'no', 'more'].includes(detectDnsStream(b, isClient)));
  }
});
