/**
 * Writes fixtures/query/synthetic.pcap: HTTP and DNS exchanges the real
 * captures lack (5xx statuses, slow responses, /api paths, cluster DNS names,
 * a request left unanswered), built from packets with src/testing so podtap
 * decodes them like any capture. Run by fixtures/query/make-entries.sh:
 *
 *   node dist/query/fixture-capture.js fixtures/query/synthetic.pcap
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { pcapFile, type WriteRecord } from '../capture/writer.js';
import { tcpConversation, udpFrame } from '../testing/packets.js';
import { buildMessage, query, response } from '../dissectors/dns/test-support.js';

/** 2026-01-01T00:00:00Z; one exchange per second after it. */
const BASE_MS = 1_767_225_600_000;

interface HttpExchange { client: string; request: string; response: string | null; latencyMs: number }

const CHECKOUT = '10.244.1.10';
const REPORTS = '10.244.2.20';
const CART = '10.96.0.20';
const KUBE_DNS = '10.96.0.10';

const req = (method: string, path: string, headers: string[], body = ''): string =>
  `${method} ${path} HTTP/1.1\r\nHost: cart.shop.svc.cluster.local:8080\r\n${headers.map((h) => `${h}\r\n`).join('')}`
  + (body ? `Content-Length: ${body.length}\r\n` : '') + `\r\n${body}`;
const res = (status: string, headers: string[], body = ''): string =>
  `HTTP/1.1 ${status}\r\n${headers.map((h) => `${h}\r\n`).join('')}Content-Length: ${body.length}\r\n\r\n${body}`;

const HTTP: HttpExchange[] = [
  { client: CHECKOUT, latencyMs: 12.5, request: req('GET', '/api/v1/cart?id=7', ['User-Agent: curl/8.5.0', 'Accept: application/json']),
    response: res('200 OK', ['Content-Type: application/json'], '{"items":[{"sku":"A-1","qty":2}]}') },
  { client: CHECKOUT, latencyMs: 310, request: req('POST', '/api/v1/checkout', ['User-Agent: curl/8.5.0', 'Content-Type: application/json'], '{"cart":7}'),
    response: res('500 Internal Server Error', ['Content-Type: text/plain'], 'payment backend unavailable') },
  { client: CHECKOUT, latencyMs: 1200, request: req('GET', '/api/v1/items?page=2', ['User-Agent: Go-http-client/1.1', 'X-Request-ID: Abc-123']),
    response: res('503 Service Unavailable', ['Retry-After: 5', 'Content-Type: text/plain'], 'overloaded') },
  { client: CHECKOUT, latencyMs: 0.8, request: req('GET', '/healthz', ['User-Agent: kube-probe/1.29']),
    response: res('200 OK', ['Content-Type: text/plain'], 'ok') },
  { client: CHECKOUT, latencyMs: 2, request: req('GET', '/static/app.js', ['User-Agent: Mozilla/5.0 (X11; Linux x86_64)', 'If-None-Match: "v1"']),
    response: 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n' },
  { client: CHECKOUT, latencyMs: 45, request: req('DELETE', '/api/v1/cart/7', ['User-Agent: curl/8.5.0']),
    response: 'HTTP/1.1 204 No Content\r\n\r\n' },
  { client: REPORTS, latencyMs: 260, request: req('GET', '/api/v2/search?q=caf%C3%A9', ['User-Agent: python-requests/2.31.0']),
    response: res('502 Bad Gateway', ['Content-Type: text/html'], '<h1>502</h1>') },
  { client: REPORTS, latencyMs: 0, request: req('GET', '/api/v1/slow', ['User-Agent: python-requests/2.31.0']), response: null },
];

const DNS: Array<{ name: string; rcode: number; addresses: string[] }> = [
  { name: 'cart.shop.svc.cluster.local', rcode: 0, addresses: [CART] },
  { name: 'redis.shop.svc.cluster.local', rcode: 0, addresses: ['10.96.0.30'] },
  { name: 'payments.shop.svc.cluster.local', rcode: 3, addresses: [] },
  { name: 'api.example.com', rcode: 0, addresses: ['192.0.2.10', '192.0.2.11'] },
];

export function buildFixtureCapture(): Buffer {
  const records: WriteRecord[] = [];
  HTTP.forEach((x, i) => {
    const t0 = BASE_MS + i * 1000;
    const frames = tcpConversation({ client: x.client, server: CART, cport: 41000 + i, sport: 8080, exchanges: [[x.request, x.response ?? '']] });
    // Frames: SYN, SYN-ACK, ACK, request, [response], FIN, FIN, ACK (each message fits one segment).
    const times = [t0, t0 + 0.1, t0 + 0.2, t0 + 1];
    if (x.response !== null) times.push(t0 + 1 + x.latencyMs);
    const end = times[times.length - 1];
    times.push(end + 1, end + 1.1, end + 1.2);
    frames.forEach((data, k) => records.push({ ts: times[k], data }));
  });
  DNS.forEach((d, i) => {
    const t0 = BASE_MS + (HTTP.length + i) * 1000;
    const id = 0x4000 + i;
    const answer = d.rcode === 0 ? response(id, d.name, d.addresses) : buildMessage({ id, qr: true, rcode: d.rcode, questions: [[d.name, 1]] });
    records.push({ ts: t0, data: udpFrame({ src: CHECKOUT, dst: KUBE_DNS, sport: 53000 + i, dport: 53, payload: query(id, d.name) }) });
    records.push({ ts: t0 + 0.75 + i, data: udpFrame({ src: KUBE_DNS, dst: CHECKOUT, sport: 53, dport: 53000 + i, payload: answer }) });
  });
  return pcapFile(records, { linkType: 1 });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = process.argv[2];
  if (out === undefined) {
    process.stderr.write('usage: node dist/query/fixture-capture.js OUT.pcap\n');
    process.exit(2);
  }
  writeFileSync(out, buildFixtureCapture());
}
