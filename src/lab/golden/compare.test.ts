/** The golden comparison must agree on a faithful entry list and name every kind of difference. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { DnsEntry, Entry, EntryFlag, HttpEntry } from '../../entries/types.js';
import { parseDig, parseHeaderDump } from './clients.js';
import { compareGolden } from './compare.js';
import type { ExpectedDns, ExpectedHttp, GoldenExpectation } from './types.js';

const http: ExpectedHttp = {
  client: 'curl', clientIp: '10.231.1.2', clientPort: 40000, serverIp: '10.231.1.1', serverPort: 80,
  method: 'POST', path: '/echo?a=1', host: 'a', status: 200, requestBody: 'k=v', responseBody: 'k=v',
  responseHeaders: { 'content-encoding': 'gzip' },
};
const dns: ExpectedDns = {
  client: 'dig', clientIp: '10.231.1.2', serverIp: '10.231.1.1', transport: 'udp', id: 7,
  name: 'lab.test', type: 'TXT', rcode: 'NOERROR', answers: [{ type: 'TXT', data: 'v=spf1 -all', ttl: 300 }],
};
const expected: GoldenExpectation = { capture: 'x.pcap', note: '', http: [http], dns: [dns] };

const base = { elapsedTime: 1, connectionId: 'c1', flags: [] as EntryFlag[] };
const body = (content: string) => ({ size: content.length, content, encoding: 'text' as const, mimeType: 'text/plain', truncated: false });

function httpEntry(): HttpEntry {
  return {
    ...base, transport: 'tcp', id: 'c1-1', protocol: 'http', timestamp: 1, src: { ip: '10.231.1.2', port: 40000 }, dst: { ip: '10.231.1.1', port: 80 },
    request: { method: 'POST', path: '/echo?a=1', host: 'a', query: { a: '1' }, httpVersion: 'HTTP/1.1', headers: {}, headersSize: 10, body: body('k=v') },
    response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: { 'content-encoding': 'gzip' }, headersSize: 10, body: { ...body('k=v'), decodedFrom: 'gzip' } },
  };
}

function dnsEntry(): DnsEntry {
  return {
    ...base, transport: 'udp', id: 'u1-1', protocol: 'dns', timestamp: 2, src: { ip: '10.231.1.2', port: 5353 }, dst: { ip: '10.231.1.1', port: 53 },
    request: { id: 7, opcode: 'QUERY', recursionDesired: true, authenticData: false, checkingDisabled: false, edns: null, questions: [{ name: 'lab.test.', type: 'TXT', class: 'IN' }] },
    response: {
      id: 7, rcode: 0, rcodeName: 'NOERROR', authoritative: true, truncated: false, recursionAvailable: false, authenticData: false, checkingDisabled: false, edns: null, authorities: [], additionals: [],
      questions: [{ name: 'lab.test', type: 'TXT', class: 'IN' }],
      answers: [{ name: 'lab.test', type: 'TXT', class: 'IN', ttl: 300, data: '"v=spf1 -all"' }],
    },
  };
}

test('faithful entries give no problems', () => {
  assert.deepEqual(compareGolden([httpEntry(), dnsEntry()], expected), []);
});

test('each difference is named', () => {
  const h = httpEntry();
  h.response!.status = 500;
  h.request!.body = null;
  const d = dnsEntry();
  d.response!.answers[0]!.ttl = 299;
  const extra: Entry = { ...httpEntry(), id: 'c1-2', request: { ...httpEntry().request!, path: '/other' } };
  const problems = compareGolden([h, d, extra], expected);
  assert.equal(problems.length, 4, problems.join('\n'));
  assert.match(problems[0]!, /request: no body/);
  assert.match(problems[1]!, /status 500, client got 200/);
  assert.match(problems[2]!, /unexpected http entry POST \/other/);
  assert.match(problems[3]!, /answers \[v=spf1 -all\/299\], client got \[v=spf1 -all\/300\]/);
});

test('a missing entry is reported, matching needs the same client port and DNS id', () => {
  const h = httpEntry();
  h.src.port = 40001;
  const d = dnsEntry();
  d.request!.id = 8;
  d.response!.id = 8;
  const problems = compareGolden([h, d], expected);
  assert.ok(problems.some((p) => /POST \/echo\?a=1 \(port 40000\): no entry/.test(p)));
  assert.ok(problems.some((p) => /lab.test TXT id 7: no entry/.test(p)));
});

test('dig output and curl header dumps are read from the client side', () => {
  const dig = `; <<>> DiG 9.18 <<>> @10.231.1.1 lab.test TXT
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 4242
;; ANSWER SECTION:
lab.test.\t\t300\tIN\tTXT\t"v=spf1  -all" "x\\"y"
lab.test.\t\t300\tIN\tMX\t10 Mail.Lab.Test.

;; Query time: 0 msec`;
  assert.deepEqual(parseDig(dig), {
    id: 4242,
    rcode: 'NOERROR',
    answers: [{ type: 'TXT', ttl: 300, data: 'v=spf1  -allx"y' }, { type: 'MX', ttl: 300, data: '10 mail.lab.test' }],
  });
  const dump = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nHTTP/1.1 404 Not Found\r\nX: y\r\n\r\n';
  assert.deepEqual(parseHeaderDump(dump), [{ 'content-type': 'text/plain', 'set-cookie': 'a=1, b=2' }, { x: 'y' }]);
});
