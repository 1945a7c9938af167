/**
 * Entries for the hub benchmark: the shapes real traffic has (HTTP with a
 * dozen headers and small JSON bodies, DNS), spread over services,
 * namespaces, statuses and latencies the way a small cluster spreads them,
 * so filters select realistic fractions. Deterministic for a given seed.
 */
import type { DnsEntry, Entry, HttpEntry } from '../entries/types.js';

export const SERVICES = ['cart', 'catalog', 'checkout', 'payments', 'users', 'search', 'ads', 'shipping', 'email', 'frontend'];
export const NAMESPACES = ['shop', 'platform', 'kube-system', 'monitoring'];
const PATHS = ['/api/v1/items', '/api/v1/cart', '/healthz', '/api/v2/users', '/metrics', '/static/app.js', '/api/v1/search'];
const AGENTS = ['Go-http-client/1.1', 'curl/8.5.0', 'python-requests/2.31', 'okhttp/4.12.0'];

/** A small deterministic generator (xorshift32). */
export class Rng {
  constructor(private s: number) { if (this.s === 0) this.s = 1; }
  next(): number {
    let x = this.s;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x1_0000_0000;
  }
  pick<T>(a: readonly T[]): T { return a[Math.floor(this.next() * a.length)]!; }
}

export function benchEntry(i: number, prefix: string, rng: Rng, now: number): Entry {
  const srcSvc = rng.pick(SERVICES), dstSvc = rng.pick(SERVICES);
  const srcNs = rng.pick(NAMESPACES), dstNs = rng.pick(NAMESPACES);
  const base = {
    id: `${prefix}${i}`, timestamp: now, connectionId: `${prefix}c${i >> 4}`, flags: [],
    src: { ip: `10.244.${1 + (i % 3)}.${10 + (i % 200)}`, port: 30000 + (i % 30000), name: srcSvc, namespace: srcNs, pod: `${srcSvc}-7d9f-${i % 7}` },
    dst: { ip: `10.96.0.${10 + SERVICES.indexOf(dstSvc)}`, port: 8080, name: dstSvc, namespace: dstNs, service: dstSvc },
  };
  if (rng.next() < 0.1) {
    const dns: DnsEntry = {
      ...base, protocol: 'dns', transport: 'udp', elapsedTime: Math.round(rng.next() * 2000) / 1000,
      dst: { ip: '10.96.0.10', port: 53, name: 'kube-dns', namespace: 'kube-system' },
      request: { id: i & 0xffff, opcode: 'QUERY', recursionDesired: true, authenticData: false, checkingDisabled: false, questions: [{ name: `${dstSvc}.${dstNs}.svc.cluster.local`, type: 'A', class: 'IN' }], edns: null },
      response: {
        id: i & 0xffff, rcode: 0, rcodeName: 'NOERROR', authoritative: true, truncated: false, recursionAvailable: true, authenticData: false, checkingDisabled: false,
        answers: [{ name: `${dstSvc}.${dstNs}.svc.cluster.local`, type: 'A', class: 'IN', ttl: 30, data: base.dst.ip }], authorities: [], additionals: [],
        questions: [{ name: `${dstSvc}.${dstNs}.svc.cluster.local`, type: 'A', class: 'IN' }], edns: null,
      },
    };
    return dns;
  }
  const r = rng.next();
  const status = r < 0.93 ? 200 : r < 0.97 ? 404 : r < 0.985 ? 500 : 503;
  const path = `${rng.pick(PATHS)}?page=${i % 50}`;
  const body = `{"id":${i},"items":[${i % 10},${i % 7}],"ok":${status < 400}}`;
  const http: HttpEntry = {
    ...base, protocol: 'http', transport: 'tcp', elapsedTime: Math.round((rng.next() ** 3) * 800_000) / 1000,
    request: {
      method: rng.next() < 0.8 ? 'GET' : 'POST', path, host: `${dstSvc}.${dstNs}.svc`, query: { page: String(i % 50) }, httpVersion: 'HTTP/1.1',
      headers: { host: `${dstSvc}.${dstNs}.svc`, 'user-agent': rng.pick(AGENTS), accept: 'application/json', 'accept-encoding': 'gzip', 'x-request-id': `${i.toString(16)}-${prefix}`, traceparent: `00-${i.toString(16).padStart(32, '0')}-00f067aa0ba902b7-01`, authorization: 'Bearer eyJhbGciOi.secret' },
      headersSize: 320, body: null,
    },
    response: {
      status, statusText: status === 200 ? 'OK' : status === 404 ? 'Not Found' : 'Server Error', httpVersion: 'HTTP/1.1',
      headers: { 'content-type': 'application/json', 'content-length': String(body.length), date: 'Fri, 27 Nov 2026 21:00:00 GMT', server: 'envoy', 'x-envoy-upstream-service-time': '3' },
      headersSize: 180,
      body: { size: body.length, content: body, encoding: 'text', mimeType: 'application/json', truncated: false },
    },
  };
  return http;
}
