/**
 * Node's own HTTP client and dns.Resolver, run inside a lab namespace:
 *   node dist/lab/clients/node-client.js --server 10.231.1.1 --local 10.231.1.3
 * Does a fixed list of requests and queries one after another and prints,
 * as one JSON line, what it did and what it got back (ExpectedHttp/ExpectedDns).
 */
import { Agent, request } from 'node:http';
import { Resolver } from 'node:dns/promises';
import { parseArgs } from 'node:util';
import { normalizeDnsData, normalizeDnsName, type ExpectedDns, type ExpectedDnsAnswer, type ExpectedHttp } from '../golden/types.js';

const HOST = 'node.lab.test';

interface Call {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

const CALLS: Call[] = [
  { method: 'GET', path: '/x' },
  { method: 'GET', path: '/y?from=node&n=2' },
  { method: 'POST', path: '/echo', body: '{"client":"node","n":3}', contentType: 'application/json' },
  { method: 'GET', path: '/missing' },
];

function httpCall(agent: Agent, server: string, local: string, call: Call): Promise<ExpectedHttp> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: HOST };
    if (call.body !== undefined) {
      headers['content-type'] = call.contentType ?? 'text/plain';
      headers['content-length'] = String(Buffer.byteLength(call.body));
    }
    const req = request({ host: server, port: 80, localAddress: local, method: call.method, path: call.path, headers, agent }, (res) => {
      const parts: Buffer[] = [];
      const clientPort = res.socket.localPort ?? 0;
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () =>
        resolve({
          client: 'node',
          clientIp: local,
          clientPort,
          serverIp: server,
          serverPort: 80,
          method: call.method,
          path: call.path,
          host: HOST,
          status: res.statusCode ?? 0,
          ...(call.body === undefined ? {} : { requestBody: call.body }),
          responseBody: Buffer.concat(parts).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(call.body);
  });
}

type Lookup = (r: Resolver, name: string) => Promise<ExpectedDnsAnswer[]>;

const LOOKUPS: Array<{ name: string; type: string; lookup: Lookup }> = [
  { name: 'www.lab.test', type: 'A', lookup: async (r, n) => (await r.resolve4(n, { ttl: true })).map((a) => ({ type: 'A', data: a.address, ttl: a.ttl })) },
  { name: 'www.lab.test', type: 'AAAA', lookup: async (r, n) => (await r.resolve6(n, { ttl: true })).map((a) => ({ type: 'AAAA', data: normalizeDnsData('AAAA', a.address), ttl: a.ttl })) },
  { name: 'lab.test', type: 'MX', lookup: async (r, n) => (await r.resolveMx(n)).map((m) => ({ type: 'MX', data: normalizeDnsData('MX', `${m.priority} ${m.exchange}`) })) },
  { name: 'lab.test', type: 'TXT', lookup: async (r, n) => (await r.resolveTxt(n)).map((t) => ({ type: 'TXT', data: t.join('') })) },
  { name: 'nope.lab.test', type: 'A', lookup: async (r, n) => (await r.resolve4(n)).map((a) => ({ type: 'A', data: a })) },
];

/** c-ares error codes mapped back to the RCODE that caused them. */
function rcodeOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOTFOUND') return 'NXDOMAIN';
  if (code === 'ENODATA') return 'NOERROR';
  if (code === 'ESERVFAIL') return 'SERVFAIL';
  if (code === 'EREFUSED') return 'REFUSED';
  throw err;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { server: { type: 'string' }, local: { type: 'string' } } });
  const server = values.server ?? '10.231.1.1';
  const local = values.local ?? '10.231.1.3';

  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const http: ExpectedHttp[] = [];
  for (const call of CALLS) http.push(await httpCall(agent, server, local, call));
  agent.destroy();

  const resolver = new Resolver({ timeout: 3000, tries: 1 });
  resolver.setLocalAddress(local);
  resolver.setServers([server]);
  const dns: ExpectedDns[] = [];
  for (const q of LOOKUPS) {
    let rcode = 'NOERROR';
    let answers: ExpectedDnsAnswer[] = [];
    try {
      answers = await q.lookup(resolver, q.name);
    } catch (err) {
      rcode = rcodeOf(err);
    }
    dns.push({ client: 'node', clientIp: local, serverIp: server, transport: 'udp', name: normalizeDnsName(q.name), type: q.type, rcode, answers });
  }
  process.stdout.write(JSON.stringify({ http, dns }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`node-client: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
