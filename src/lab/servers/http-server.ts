/**
 * The lab's HTTP/1.1 server (run as a script inside a namespace):
 *   node dist/lab/servers/http-server.js --host 10.231.1.1 --port 80
 * Prints "listening <host>:<port>" once ready. Routes, all deterministic:
 *   GET  /            "ok\n" (benchmark fallback when nginx is missing)
 *   GET  /x, /y       a short text body with Content-Length
 *   POST /echo        the request body back, same Content-Type
 *   GET  /gzip        a gzip-encoded text body (Content-Encoding: gzip)
 *   GET  /chunked     three chunks written apart (Transfer-Encoding: chunked)
 *   anything else     404 "not found\n"
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';

const GZIP_TEXT = 'gzip body: the quick brown fox jumps over the lazy dog\n'.repeat(8);
const CHUNKS = ['first chunk\n', 'second chunk\n', 'third and last chunk\n'];
/** Most request body bytes the echo route accepts. */
const MAX_ECHO_BYTES = 64 * 1024;

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(buf.length), ...headers });
  res.end(buf);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'POST' && path === '/echo') {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size <= MAX_ECHO_BYTES) parts.push(b);
    });
    req.on('end', () => send(res, 200, Buffer.concat(parts), { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' }));
    return;
  }
  req.resume();
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 404, 'not found\n');
  switch (path) {
    case '/':
      return send(res, 200, 'ok\n');
    case '/x':
    case '/y':
      return send(res, 200, `hello from ${path}\n`);
    case '/gzip':
      return send(res, 200, gzipSync(GZIP_TEXT), { 'content-encoding': 'gzip' });
    case '/chunked': {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      let i = 0;
      const next = (): void => {
        if (i < CHUNKS.length) {
          res.write(CHUNKS[i++]);
          setTimeout(next, 5);
        } else res.end();
      };
      next();
      return;
    }
    default:
      return send(res, 404, 'not found\n');
  }
}

function main(): void {
  const { values } = parseArgs({ options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8080' } } });
  const server = createServer(handle);
  server.keepAliveTimeout = 30_000;
  server.listen(Number(values.port), values.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : values.port;
    process.stdout.write(`listening ${values.host}:${port}\n`);
  });
  const stop = (): void => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
