import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endName, formatBytes, formatMs, rowOf } from './row.js';
import type { Entry } from '../../../src/entries/types.js';

const base = { id: 'a', transport: 'tcp' as const, timestamp: 0, elapsedTime: 3, connectionId: 'c', flags: [] as never[], src: { ip: '10.0.0.2', port: 4000, name: 'web', namespace: 'shop' }, dst: { ip: '10.96.0.5', port: 80 } };

test('rows: HTTP, DNS, gRPC, Redis and a request without response', () => {
  const http = rowOf({ ...base, protocol: 'http', request: { method: 'GET', path: '/a', host: '', query: {}, httpVersion: 'HTTP/1.1', headers: {}, headersSize: 0, body: null }, response: { status: 503, statusText: '', httpVersion: 'HTTP/1.1', headers: {}, headersSize: 0, body: { size: 10, content: '', encoding: 'text', mimeType: '', truncated: false } } } as Entry);
  assert.deepEqual([http.method, http.target, http.status, http.error, http.src, http.dst, http.size], ['GET', '/a', '503', true, 'shop/web', '10.96.0.5:80', 10]);
  const dns = rowOf({ ...base, transport: 'udp', protocol: 'dns', request: { questions: [{ name: 'api.shop.svc', type: 'A', class: 'IN' }] }, response: { rcode: 3, rcodeName: 'NXDOMAIN' } } as unknown as Entry);
  assert.deepEqual([dns.method, dns.target, dns.status, dns.error], ['A', 'api.shop.svc', 'NXDOMAIN', true]);
  const grpc = rowOf({ ...base, protocol: 'grpc', streamId: 1, request: { grpcService: 'shop.Cart', grpcMethod: 'Add', messages: [{ size: 5 }] }, response: { status: 200, grpcStatus: 5, grpcStatusName: 'NOT_FOUND', messages: [] } } as unknown as Entry);
  assert.deepEqual([grpc.method, grpc.target, grpc.status, grpc.error, grpc.size], ['gRPC', 'shop.Cart/Add', 'NOT_FOUND', true, 5]);
  const redis = rowOf({ ...base, protocol: 'redis', push: false, request: { command: 'GET', key: 'k1', args: ['k1'], argCount: 1 }, response: { type: 'bulk-string', value: 'v', error: null } } as unknown as Entry);
  assert.equal(redis.method, 'GET');
  assert.equal(redis.target, 'k1');
  assert.equal(redis.error, false);
  const lost = rowOf({ ...base, protocol: 'http', flags: ['no-response'], request: { method: 'POST', path: '/b', host: '', query: {}, httpVersion: 'HTTP/1.1', headers: {}, headersSize: 0, body: null }, response: null } as unknown as Entry);
  assert.deepEqual([lost.status, lost.error], ['no response', true]);
});

test('ends and units read like a person writes them', () => {
  assert.equal(endName({ ip: 'fd00::1', port: 53 }), '[fd00::1]:53');
  assert.equal(endName({ ip: '1.2.3.4', port: 443, dns: 'example.com' }), 'example.com');
  assert.equal(endName({ ip: '1.2.3.4', port: 443, pod: 'p-1' }), 'p-1');
  assert.deepEqual([formatBytes(undefined), formatBytes(512), formatBytes(2048), formatBytes(3 * 1024 * 1024)], ['', '512 B', '2.0 KiB', '3.0 MiB']);
  assert.deepEqual([formatMs(0), formatMs(0.25), formatMs(5), formatMs(250), formatMs(1500)], ['', '0.25 ms', '5.0 ms', '250 ms', '1.50 s']);
});
