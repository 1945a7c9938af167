/**
 * Hand-made entries covering the shapes writers must handle: for the output
 * tests and as examples next to docs/fields.md. Not captured traffic: the
 * dissectors' golden files cover that.
 */
import type { DnsEntry, HttpEntry } from '../entries/types.js';

const T0 = Date.UTC(2024, 4, 17, 10, 15, 30, 250);

export function httpGet(): HttpEntry {
  return {
    id: 'c1-0', protocol: 'http', transport: 'tcp', timestamp: T0, elapsedTime: 12.5,
    src: { ip: '10.244.1.15', port: 52344 }, dst: { ip: '10.96.12.4', port: 8080 },
    connectionId: 'c1', flags: [],
    request: {
      method: 'GET', path: '/v1/users?id=3&tag=a&tag=b%20c&q=x+y', host: 'api.default.svc',
      query: { id: '3', tag: 'b c', q: 'x y' }, httpVersion: 'HTTP/1.1',
      headers: { host: 'api.default.svc', cookie: 'session=abc123; theme=dark', accept: 'application/json' },
      headersSize: 112, body: null,
    },
    response: {
      status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1',
      headers: {
        'content-type': 'application/json', 'content-encoding': 'gzip',
        'set-cookie': 'id=a3fWa; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/; HttpOnly, lang=en; Secure',
      },
      headersSize: 180,
      body: { size: 31, content: '{"users":[{"id":3}]}', encoding: 'text', mimeType: 'application/json', decodedFrom: 'gzip', truncated: false },
    },
  };
}

export function httpPostBinary(): HttpEntry {
  return {
    id: 'c2-0', protocol: 'http', transport: 'tcp', timestamp: T0 + 1000, elapsedTime: 250,
    src: { ip: 'fd00::15', port: 40000 }, dst: { ip: 'fd00::4', port: 80 },
    connectionId: 'c2', flags: [],
    request: {
      method: 'POST', path: '/upload', host: '',
      query: {}, httpVersion: 'HTTP/1.1',
      headers: { 'content-type': 'application/octet-stream', 'content-length': '4' },
      headersSize: 80,
      body: { size: 4, content: '3q2+7w==', encoding: 'base64', mimeType: 'application/octet-stream', truncated: false },
    },
    response: {
      status: 503, statusText: 'Service Unavailable', httpVersion: 'HTTP/1.1',
      headers: { 'content-type': 'image/png', location: 'http://example.com/retry' },
      headersSize: 90,
      body: { size: 8, content: 'iVBORw0KGgo=', encoding: 'base64', mimeType: 'image/png', truncated: false },
    },
  };
}

export function httpNoResponse(): HttpEntry {
  const e = httpGet();
  return { ...e, id: 'c3-0', connectionId: 'c3', elapsedTime: 0, flags: ['no-response', 'gap'], response: null };
}

export function httpNoRequest(): HttpEntry {
  const e = httpGet();
  return { ...e, id: 'c4-0', connectionId: 'c4', elapsedTime: 0, flags: ['no-request'], request: null };
}

export function dnsA(): DnsEntry {
  return {
    id: 'u1-0', protocol: 'dns', transport: 'udp', timestamp: T0 + 2000, elapsedTime: 1.25,
    src: { ip: '10.244.1.15', port: 41000 }, dst: { ip: '10.96.0.10', port: 53 },
    connectionId: 'u1', flags: [],
    request: { id: 4660, opcode: 'QUERY', recursionDesired: true, authenticData: false, checkingDisabled: false, edns: null, questions: [{ name: 'example.com', type: 'A', class: 'IN' }] },
    response: {
      id: 4660, rcode: 0, rcodeName: 'NOERROR', authoritative: false, truncated: false, recursionAvailable: true, authenticData: false, checkingDisabled: false, edns: null,
      answers: [
        { name: 'example.com', type: 'A', class: 'IN', ttl: 300, data: '93.184.216.34' },
        { name: 'example.com', type: 'A', class: 'IN', ttl: 300, data: '93.184.216.35' },
        { name: 'example.com', type: 'A', class: 'IN', ttl: 300, data: '93.184.216.36' },
      ],
      authorities: [], additionals: [],
      questions: [{ name: 'example.com', type: 'A', class: 'IN' }],
    },
  };
}

export function dnsNxdomain(): DnsEntry {
  const e = dnsA();
  return {
    ...e, id: 'u2-0', connectionId: 'u2',
    request: { ...e.request!, questions: [{ name: 'nope.example.com', type: 'AAAA', class: 'IN' }] },
    response: { ...e.response!, rcode: 3, rcodeName: 'NXDOMAIN', answers: [], questions: [{ name: 'nope.example.com', type: 'AAAA', class: 'IN' }] },
  };
}
