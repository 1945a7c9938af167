import { test } from 'node:test';
import { runConformance } from '../conformance.js';
import { http1Spec } from './index.js';

const req = (path: string) => `GET ${path} HTTP/1.1\r\nHost: example.test\r\nUser-Agent: conformance\r\n\r\n`;
const res = (body: string) => `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

test('HTTP/1 passes the dissector conformance suite', async (t) => {
  await runConformance(t, http1Spec, [
    { name: 'keep-alive exchanges', port: 80, entries: 4, pipelining: true, exchanges: [[req('/a'), res('alpha')], [req('/b'), res('beta')], [req('/c'), res('x'.repeat(3000))], [req('/d'), res('delta')]] },
    { name: 'a chunked body', port: 8080, entries: 1, exchanges: [[req('/chunked'), 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n']] },
  ]);
});
