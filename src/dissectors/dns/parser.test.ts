import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixturePath } from '../../util/paths.js';
import { className, opcodeName, rcodeName, typeName } from './codes.js';
import { MAX_NAME_POINTER_HOPS } from './name.js';
import { MAX_RECORDS_PER_MESSAGE, parseDnsMessage, type DnsMessage } from './parser.js';
import { buildMessage, encodeName, prng } from './test-support.js';
import {
  BADCOOKIE_RESPONSE, DS_NODATA_RESPONSE, FWDPTR_QUERY, FWDPTR_RESPONSE, MDNS_ANNOUNCEMENT, SRV_RESPONSE,
  TCPDUMP_QUERY, TCPDUMP_RESPONSE, UPDATE_REQUEST, WKS_RESPONSE,
} from './test-fixtures.js';

const data = (records: { data: string }[]): string[] => records.map((r) => r.data);

test('query: header, question, EDNS kept out of the additionals', () => {
  const m = parseDnsMessage(TCPDUMP_QUERY);
  assert.equal(m.malformed, false);
  assert.equal(m.header.id, 22836);
  assert.equal(m.header.qr, false);
  assert.equal(m.header.rd, true);
  assert.equal(m.header.ad, true);
  assert.equal(m.header.opcode, 0);
  assert.deepEqual(m.questions, [{ name: 'www.tcpdump.org', type: 1, class: 1, unicastResponse: false }]);
  assert.equal(m.header.arcount, 1);
  assert.deepEqual(m.additionals, []);
  assert.deepEqual(m.edns, { udpPayloadSize: 4096, extendedRcode: 0, version: 0, dnssecOk: false, options: [{ code: 10, length: 8 }] });
});

test('response: compressed names, A, NS, AAAA in compressed text form', () => {
  const m = parseDnsMessage(TCPDUMP_RESPONSE);
  assert.equal(m.malformed, false);
  assert.equal(m.header.aa, true);
  assert.equal(m.rcode, 0);
  assert.deepEqual(m.answers.map((r) => [r.name, r.type, r.class, r.ttl, r.data]), [
    ['www.tcpdump.org', 1, 1, 60, '192.139.46.66'],
    ['www.tcpdump.org', 1, 1, 60, '198.199.88.104'],
  ]);
  assert.deepEqual(m.authorities.map((r) => [r.name, r.data]), [
    ['tcpdump.org', 'sns.cooperix.net'], ['tcpdump.org', 'nic.sandelman.ca'],
  ]);
  assert.deepEqual(data(m.additionals), ['209.87.249.18', '2607:f0b0:f::babe:f00d', '97.107.133.15', '2600:3c03::f03c:91ff:fe96:e8ef']);
  assert.equal(m.header.arcount, 5, 'the OPT record is counted in the header');
  assert.notEqual(m.edns, null);
  assert.equal(m.trailingBytes, 0);
});

test('forward compression pointer inside the message is followed', () => {
  const q = parseDnsMessage(FWDPTR_QUERY);
  assert.equal(q.malformed, false);
  assert.deepEqual(q.questions.map((x) => x.name), ['codemonkey.net', 'codemonkey.net']);
  const r = parseDnsMessage(FWDPTR_RESPONSE);
  assert.deepEqual(data(r.answers), ['152.53.82.239']);
});

test('extended rcode from OPT: BADCOOKIE (header 7 + OPT 1 << 4)', () => {
  const m = parseDnsMessage(BADCOOKIE_RESPONSE);
  assert.equal(m.header.rcode, 7);
  assert.equal(m.edns?.extendedRcode, 1);
  assert.equal(m.rcode, 23);
  assert.equal(rcodeName(m.rcode), 'BADCOOKIE');
  assert.deepEqual(m.additionals, []);
});

test('DNSSEC records: SOA, RRSIG, NSEC (real response)', () => {
  const m = parseDnsMessage(DS_NODATA_RESPONSE);
  assert.equal(m.malformed, false);
  assert.deepEqual(m.questions.map((q) => [q.name, typeName(q.type)]), [['aei.mpg.de', 'DS']]);
  const [soa, soaSig, nsec, nsecSig] = m.authorities;
  assert.equal(soa.data, 'dns1.gwdg.de hostmaster.gwdg.de 793270550 21600 3600 2419200 3600');
  assert.equal(soaSig.data, 'SOA 13 2 60 20260402090014 20260323080014 29312 mpg.de '
    + 'WEKEazvAjqc6/cfswNFYdxAcabgl0wxzYWLqJlyCZDgx9xIQLuWNPTo+pp5CfBeIn0lsSIhL0/GKWl6ut0PetQ==');
  assert.equal(nsec.data, 'aei-potsdam.mpg.de NS RRSIG NSEC');
  assert.match(nsecSig.data, /^NSEC 13 3 60 20260402075548 20260323075048 29312 mpg\.de RGNbSKGw/);
});

test('SRV and WKS (real responses)', () => {
  assert.deepEqual(data(parseDnsMessage(SRV_RESPONSE).answers), [
    '20 1 5060 sip-anycast-2.voice.google.com', '10 1 5060 sip-anycast-1.voice.google.com',
  ]);
  assert.deepEqual(data(parseDnsMessage(WKS_RESPONSE).answers), ['192.168.0.1 6 0 1 2 21 23', '192.168.0.1 17 0 1 2 53']);
});

test('dynamic update: sections reused, empty data printed as "", classes NONE/ANY, TSIG kept as hex', () => {
  const m = parseDnsMessage(UPDATE_REQUEST);
  assert.equal(m.malformed, false);
  assert.equal(opcodeName(m.header.opcode), 'UPDATE');
  assert.deepEqual(m.questions.map((q) => [q.name, typeName(q.type)]), [['StratoLab.org', 'SOA']]);
  assert.deepEqual(m.answers.map((r) => [r.name, typeName(r.type), className(r.class), r.data]), [
    ['NWin2.StratoLab.org', 'CNAME', 'NONE', ''],
  ]);
  assert.deepEqual(m.authorities.map((r) => [typeName(r.type), className(r.class), r.data]), [
    ['AAAA', 'ANY', ''], ['A', 'ANY', ''], ['A', 'IN', '192.168.1.106'],
  ]);
  assert.equal(typeName(m.additionals[0].type), 'TSIG');
  assert.match(m.additionals[0].data, /^\\# 54 086773732D74736967/);
});

test('mDNS: a response without questions; the class top bit is masked and reported', () => {
  const m = parseDnsMessage(MDNS_ANNOUNCEMENT);
  assert.equal(m.header.qr, true);
  assert.deepEqual(m.questions, []);
  assert.deepEqual(m.answers.map((r) => [r.name, r.data, r.cacheFlush]), [['unrelated-reply-a.local', '192.168.0.2', false]]);
  const crafted = parseDnsMessage(buildMessage({
    id: 0, flags: 0x8400, questions: [['printer.local', 1, 0x8001]],
    answers: [{ name: 'printer.local', type: 1, class: 0x8001, ttl: 120, rdata: [192, 168, 1, 9] }],
  }));
  assert.deepEqual(crafted.questions[0], { name: 'printer.local', type: 1, class: 1, unicastResponse: true });
  assert.equal(crafted.answers[0].class, 1);
  assert.equal(crafted.answers[0].cacheFlush, true);
});

/**
 * RR data in presentation form. The rdata bytes and the reference text were
 * made with dnspython 2.8 (`dns.rdata.from_text(...).to_wire()` / `to_text()`);
 * the expected strings differ from dnspython's only where documented in
 * rdata.ts: no trailing dot on names, TXT strings concatenated, hex upper case,
 * base64 unsplit, SVCB values unquoted.
 */
const RDATA_CASES: [type: string, code: number, rdata: string, expected: string][] = [
  ['MX', 15, '000a046d61696c076578616d706c6503636f6d00', '10 mail.example.com'],
  ['TXT', 16, '07763d73706631201d696e636c7564653a5f7370662e6578616d706c652e636f6d207e616c6c', 'v=spf1 include:_spf.example.com ~all'],
  ['TXT', 16, '056122625c63040a746162', 'a"b\\\\c\\010tab'],
  ['TXT', 16, '00', ''],
  ['SPF', 99, '0b763d73706631202d616c6c', 'v=spf1 -all'],
  ['SRV', 33, '000a003c13c403736970076578616d706c6503636f6d00', '10 60 5060 sip.example.com'],
  ['SOA', 6, '036e7331076578616d706c6503636f6d000a686f73746d6173746572076578616d706c6503636f6d0078a3f17500001c20000003840012750000015180',
    'ns1.example.com hostmaster.example.com 2024010101 7200 900 1209600 86400'],
  ['CAA', 257, '000569737375656c657473656e63727970742e6f7267', '0 issue "letsencrypt.org"'],
  ['HTTPS', 65, '0001000001000602683202683300040008c0000201c00002020006001020010db8000000000000000000000001',
    '1 . alpn=h2,h3 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1'],
  ['SVCB', 64, '001003737663076578616d706c6503636f6d00000000040001000300010003026832000200000003000220fb00050003000102',
    '16 svc.example.com mandatory=alpn,port alpn=h2 no-default-alpn port=8443 ech=AAEC'],
  ['NAPTR', 35, '0064000a0153075349502b44325500045f736970045f756470076578616d706c6503636f6d00',
    '100 10 "S" "SIP+D2U" "" _sip._udp.example.com'],
  ['DNSKEY', 48, '0101030d99db2cc14cabdc33d6d77da63a2f15f71112584f234e8d1dc428e39e8a4a97e1aa271a555dc90701e17e2a4c4b6f120b7c32d44f4ac02bd894cf2d4be7778a19',
    '257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=='],
  ['DS', 43, '09430d021f987cc6583e92df0890718c42c8f4b9cc6c4b5a3f9b3f0f5a9a8c2e0b5e6e7d',
    '2371 13 2 1F987CC6583E92DF0890718C42C8F4B9CC6C4B5A3F9B3F0F5A9A8C2E0B5E6E7D'],
  ['NSEC3', 50, '0101000a04aabbccdd14174eb2409fe28bcb4887a1836f957f0a8425e27b0006400000000002',
    '1 1 10 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG'],
  ['NSEC3PARAM', 51, '0100000000', '1 0 0 -'],
  ['HINFO', 13, '0a47656e65726963205043054c696e7578', '"Generic PC" "Linux"'],
  ['TLSA', 52, '0301010c72ac70b745ac19998811b131d662c9ac69dbdbe7cb23e5b514b56664c5d3d6',
    '3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6'],
  ['DNAME', 39, '06746172676574076578616d706c65036e657400', 'target.example.net'],
  ['PTR', 12, '04686f7374076578616d706c6503636f6d00', 'host.example.com'],
  ['CNAME', 5, '03777777076578616d706c65036e657400', 'www.example.net'],
  ['CNAME (root)', 5, '00', '.'],
  ['NS', 2, '036e7331076578616d706c6503636f6d00', 'ns1.example.com'],
  ['A', 1, 'c0000201', '192.0.2.1'],
  ['NSEC', 47, '046e657874076578616d706c6503636f6d00000762010000000380ff200000000000000000000000000000000000000000000000000000000000000002',
    'next.example.com A NS SOA MX RRSIG NSEC DNSKEY TYPE65534'],
  ['URI', 256, '000a00016674703a2f2f667470312e6578616d706c652e636f6d2f7075626c6963', '10 1 "ftp://ftp1.example.com/public"'],
  ['AAAA', 28, '00000000000000000000ffffc0000201', '::ffff:192.0.2.1'],
  ['AAAA', 28, '20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
  ['AAAA', 28, '00000000000000000000000000000000', '::'],
  ['AAAA', 28, '00000000000000000000000000000001', '::1'],
  ['AAAA', 28, 'fe800000000000000000000000000000', 'fe80::'],
  ['TYPE65280 (unknown)', 65280, '0a000001', '\\# 4 0A000001'],
  ['TSIG (no formatter)', 250, 'c0ffee', '\\# 3 C0FFEE'],
];

for (const [label, code, rdata, expected] of RDATA_CASES) {
  test(`RR data: ${label} → ${expected.slice(0, 50)}`, () => {
    const m = parseDnsMessage(buildMessage({ id: 1, qr: true, answers: [{ name: 'example.com', type: code, rdata }] }));
    assert.equal(m.reason, null);
    assert.equal(m.answers[0].data, expected);
  });
}

test('RR data that does not fit its type: kept as RFC 3597 hex, marked, parsing goes on', () => {
  const m = parseDnsMessage(buildMessage({
    id: 1, qr: true,
    answers: [
      { name: 'a.example', type: 1, rdata: '0102030405' },                 // A with 5 bytes
      { name: 'b.example', type: 15, rdata: '000a03626164' },              // MX name runs out of the data
      { name: 'c.example', type: 1, rdata: '0a000001' },
    ],
  }));
  assert.equal(m.malformed, true);
  assert.equal(m.reason, 'bad-rdata');
  assert.deepEqual(data(m.answers), ['\\# 5 0102030405', '\\# 6 000A03626164', '10.0.0.1']);
});

test('names: escapes in labels, the root, case kept', () => {
  const label = [4, 0x61, 0x2e, 0x20, 0xff]; // "a. \xff"
  const bytes = new Uint8Array([
    0, 1, 0x81, 0x80, 0, 2, 0, 0, 0, 0, 0, 0,
    ...label, ...encodeName('Example.COM'), 0, 1, 0, 1,
    0, 0, 2, 0, 1, // root, NS
  ]);
  const m = parseDnsMessage(bytes);
  assert.deepEqual(m.questions.map((q) => q.name), ['a\\.\\032\\255.Example.COM', '.']);
});

// Hostile names. Each message: the 12-byte header, then the question name.
const header1q = [0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0];

test('pointer to itself: cut by the hop limit', () => {
  // 000c  c0 0c              name: pointer to offset 12 (itself)
  const m = parseDnsMessage(new Uint8Array([...header1q, 0xc0, 0x0c, 0, 1, 0, 1]));
  assert.equal(m.reason, 'pointer-loop');
  assert.deepEqual(m.questions, []);
});

test('two pointers pointing at each other: cut by the hop limit', () => {
  // 000c  c0 0e  c0 0c
  const m = parseDnsMessage(new Uint8Array([...header1q, 0xc0, 0x0e, 0xc0, 0x0c, 0, 1, 0, 1]));
  assert.equal(m.reason, 'pointer-loop');
});

test('a loop that adds a label each turn: cut by the 255-byte name limit', () => {
  // 000c  3f 61 61 .. 61 c0 0c    a 63-byte label "aaa…", then back to offset 12
  const m = parseDnsMessage(new Uint8Array([...header1q, 0x3f, ...new Array<number>(63).fill(0x61), 0xc0, 0x0c, 0, 1, 0, 1]));
  assert.equal(m.reason, 'name-too-long');
  // With short labels the hop limit comes first.
  // 000c  01 61 c0 0c              "a", then back to offset 12
  assert.equal(parseDnsMessage(new Uint8Array([...header1q, 0x01, 0x61, 0xc0, 0x0c, 0, 1, 0, 1])).reason, 'pointer-loop');
});

test(`a chain of ${MAX_NAME_POINTER_HOPS} pointers is followed, one more is a loop`, () => {
  // 000c  c0 12  00 01 00 01   question: pointer to 18, type A, class IN
  // 0012  c0 14  c0 16 ...      each pointer points to the next; the last chain link is a real name
  const build = (hops: number): Uint8Array => {
    const out = [...header1q, 0xc0, 18, 0, 1, 0, 1];
    for (let i = 1; i < hops; i++) out.push(0xc0, out.length + 2);
    out.push(...encodeName('x.example'));
    return new Uint8Array(out);
  };
  assert.equal(parseDnsMessage(build(MAX_NAME_POINTER_HOPS)).questions[0]?.name, 'x.example');
  assert.equal(parseDnsMessage(build(MAX_NAME_POINTER_HOPS + 1)).reason, 'pointer-loop');
});

test('pointer past the end of the message', () => {
  const m = parseDnsMessage(new Uint8Array([...header1q, 0xc0, 0xff, 0, 1, 0, 1]));
  assert.equal(m.reason, 'bad-pointer');
});

test('names of exactly 255 bytes pass, 256 fail', () => {
  const label = (n: number): number[] => [n, ...new Array<number>(n).fill(0x61)];
  const name255 = [...label(63), ...label(63), ...label(63), ...label(61), 0]; // 64*3 + 62 + 1 = 255
  const name256 = [...label(63), ...label(63), ...label(63), ...label(62), 0];
  assert.equal(parseDnsMessage(new Uint8Array([...header1q, ...name255, 0, 1, 0, 1])).reason, null);
  assert.equal(parseDnsMessage(new Uint8Array([...header1q, ...name256, 0, 1, 0, 1])).reason, 'name-too-long');
});

test('label types 0x40 and 0x80 are refused', () => {
  assert.equal(parseDnsMessage(new Uint8Array([...header1q, 0x41, 0x00, 0, 1, 0, 1])).reason, 'bad-label');
  assert.equal(parseDnsMessage(new Uint8Array([...header1q, 0x80, 0x00, 0, 1, 0, 1])).reason, 'bad-label');
});

test('every prefix of a real response: no throw, what was read is kept, then "truncated"', () => {
  let lastAnswers = 0;
  for (let len = 0; len < TCPDUMP_RESPONSE.length; len++) {
    const m = parseDnsMessage(TCPDUMP_RESPONSE.subarray(0, len));
    assert.equal(m.malformed, true, `prefix ${len}`);
    assert.equal(m.reason, 'truncated', `prefix ${len}`);
    assert.ok(m.answers.length >= lastAnswers, 'records only accumulate');
    lastAnswers = m.answers.length;
  }
  assert.equal(lastAnswers, 2);
  assert.equal(parseDnsMessage(TCPDUMP_RESPONSE).malformed, false);
});

test('hostile counts: 65535 claimed records in a short message stop at the end of the bytes', () => {
  const m = parseDnsMessage(new Uint8Array([0, 1, 0x81, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 1, 0, 1]));
  assert.equal(m.reason, 'truncated');
  assert.equal(m.questions.length, 1);
});

test(`at most ${MAX_RECORDS_PER_MESSAGE} questions and records are parsed per message`, () => {
  const answers = Array.from({ length: 1100 }, () => ({ name: '.', type: 10, rdata: '' }));
  const m = parseDnsMessage(buildMessage({ id: 1, qr: true, questions: [['a.example', 10]], answers }));
  assert.equal(m.malformed, false);
  assert.equal(m.questions.length + m.answers.length, MAX_RECORDS_PER_MESSAGE);
  assert.equal(m.recordsSkipped, 1101 - MAX_RECORDS_PER_MESSAGE);
});

test('trailing bytes are counted, not an error', () => {
  const bytes = new Uint8Array([...TCPDUMP_QUERY, 0, 0, 0]);
  const m = parseDnsMessage(bytes);
  assert.equal(m.malformed, false);
  assert.equal(m.trailingBytes, 3);
});

test('a second OPT record is a violation and is not used', () => {
  const opt = (ext: number): { name: string; type: number; class: number; ttl: number; rdata: string } =>
    ({ name: '.', type: 41, class: 1232, ttl: ext << 24, rdata: '' });
  const m = parseDnsMessage(buildMessage({ id: 1, qr: true, rcode: 0, additionals: [opt(0), opt(1)] }));
  assert.equal(m.reason, 'duplicate-opt');
  assert.equal(m.rcode, 0);
  assert.equal(m.edns?.udpPayloadSize, 1232);
});

test('messages shorter than the header', () => {
  for (let len = 0; len < 12; len++) {
    const m = parseDnsMessage(TCPDUMP_QUERY.subarray(0, len));
    assert.equal(m.reason, 'truncated');
    assert.deepEqual(m.questions, []);
  }
});

test('a real hostile message (tcpdump dns_fwdptr.pcap, 63 KB, fuzzed counts and pointers) parses quickly', () => {
  // One Ethernet/IPv4 (no options)/UDP record: payload after 24 + 16 + 14 + 20 + 8 bytes.
  const pcap = readFileSync(fixturePath('corpus', 'tcpdump', 'tests', 'dns_fwdptr.pcap'));
  const payload = new Uint8Array(pcap.buffer, pcap.byteOffset + 82, pcap.length - 82);
  assert.equal(payload.length, 63165);
  const started = performance.now();
  const m = parseDnsMessage(payload);
  assert.ok(performance.now() - started < 500);
  assert.equal(m.header.id, 51584);
  assert.equal(m.malformed, true);
});

function checkShape(m: DnsMessage): void {
  assert.equal(typeof m.header.id, 'number');
  assert.equal(m.malformed, m.reason !== null);
  for (const r of [...m.answers, ...m.authorities, ...m.additionals]) assert.equal(typeof r.data, 'string');
}

test('fuzz: random bytes and mutated real messages never throw', () => {
  const rand = prng(0xd15ec7);
  const seeds = [TCPDUMP_QUERY, TCPDUMP_RESPONSE, FWDPTR_QUERY, DS_NODATA_RESPONSE, UPDATE_REQUEST, SRV_RESPONSE, WKS_RESPONSE];
  let malformed = 0;
  for (let i = 0; i < 4000; i++) {
    let bytes: Uint8Array;
    if (i % 2 === 0) {
      bytes = new Uint8Array(Math.floor(rand() * 600));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
      if (bytes.length > 6) bytes[4] = 0; // keep qdcount small now and then
    } else {
      bytes = seeds[i % seeds.length].slice();
      const edits = 1 + Math.floor(rand() * 6);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * bytes.length);
        const kind = rand();
        if (kind < 0.5) bytes[at] = Math.floor(rand() * 256);
        else if (kind < 0.8) bytes[at] = 0xc0 | Math.floor(rand() * 4); // a pointer somewhere
        else bytes = bytes.subarray(0, at);
      }
    }
    const m = parseDnsMessage(bytes);
    checkShape(m);
    if (m.malformed) malformed++;
  }
  assert.ok(malformed > 1000, 'the fuzzer reaches the error paths');
});

test('code names', () => {
  assert.deepEqual([1, 28, 41, 46, 65, 99, 249, 250, 251, 252, 255, 257, 65534].map(typeName),
    ['A', 'AAAA', 'OPT', 'RRSIG', 'HTTPS', 'SPF', 'TKEY', 'TSIG', 'IXFR', 'AXFR', 'ANY', 'CAA', 'TYPE65534']);
  assert.deepEqual([1, 3, 4, 254, 255, 2, 32767].map(className), ['IN', 'CH', 'HS', 'NONE', 'ANY', 'CLASS2', 'CLASS32767']);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 15].map(opcodeName), ['QUERY', 'IQUERY', 'STATUS', 'OPCODE3', 'NOTIFY', 'UPDATE', 'OPCODE15']);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 9, 10, 16, 23, 12, 4095].map(rcodeName),
    ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'NOTAUTH', 'NOTZONE', 'BADVERS', 'BADCOOKIE', 'RCODE12', 'RCODE4095']);
});
