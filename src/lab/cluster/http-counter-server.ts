/**
 * The cluster lab's HTTP/1.1 server, run as a script inside a pod:
 *   node dist/lab/cluster/http-counter-server.js --host 10.240.2.2 --port 8080 --name api-1
 * Prints "listening <host>:<port>" once ready. Any GET/HEAD answers 200 with
 * the body "<name> <path>\n" (padded to N bytes with ?size=N); anything else
 * 404. Keep-alive stays on. It counts what it served: a line "stats" on stdin
 * prints `stats {"served":…,"connections":…}`, and so does SIGTERM/SIGINT
 * just before it exits. Counting is the server-side ground truth for tests.
 */
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

/** Largest body ?size= may ask for. */
const MAX_BODY_BYTES = 1024 * 1024;

const { values } = parseArgs({
  options: { host: { type: 'string', default: '0.0.0.0' }, port: { type: 'string', default: '8080' }, name: { type: 'string', default: 'server' } },
});
const stats = { served: 0, connections: 0 };

const server = createServer((req, res) => {
  req.resume();
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '10' }).end('not found\n');
    return;
  }
  stats.served++;
  let body = `${values.name} ${url.pathname}\n`;
  const size = Math.min(Number(url.searchParams.get('size') ?? 0) || 0, MAX_BODY_BYTES);
  if (size > body.length) body = body.slice(0, -1) + '.'.repeat(size - body.length) + '\n';
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), 'x-served-by': values.name ?? '' });
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.on('connection', () => stats.connections++);

const printStats = (): void => {
  process.stdout.write(`stats ${JSON.stringify(stats)}\n`);
};
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'stats') printStats();
});
const stop = (): void => {
  printStats();
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
server.listen(Number(values.port), values.host, () => process.stdout.write(`listening ${values.host}:${values.port}\n`));
