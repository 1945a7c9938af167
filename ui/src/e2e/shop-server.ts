/**
 * A small JSON HTTP service and a client that calls it, on loopback, so the
 * UI tests see real captured traffic: products, a cart, slow calls and
 * server errors, with request and response bodies.
 */
import { createServer, request, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ShopServer { port: number; close(): Promise<void> }

export async function startShopServer(): Promise<ShopServer> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://shop');
      const send = (status: number, doc: unknown, delay = 0): void => {
        setTimeout(() => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(doc)); }, delay);
      };
      const m = /^\/api\/products\/(\d+)$/.exec(url.pathname);
      if (m !== null) send(200, { id: Number(m[1]), name: `Product ${m[1]}`, price: 9.99, tags: ['demo', 'ui'], stock: { warehouse: 'eu-1', count: 12 } });
      else if (url.pathname === '/api/cart') send(201, { ok: true, received: body.length, cart: JSON.parse(body || '{}') as unknown });
      else if (url.pathname === '/api/slow') send(200, { slow: true }, 150);
      else if (url.pathname === '/api/checkout') send(500, { error: 'payment service unavailable', code: 'PAYMENT_DOWN' });
      else send(404, { error: 'not found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

function call(agent: Agent, port: number, method: string, path: string, body?: unknown): Promise<number> {
  return new Promise((resolve) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { 'user-agent': 'shop-client/1.0', ...(data !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(data);
  });
}

/** Calls the shop in a loop (`perSecond` calls a second) until stopped; counts what it made. */
export function startShopClient(port: number, perSecond: number): { made: () => number; stop: () => Promise<void> } {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  let made = 0;
  let n = 0;
  let running = true;
  const calls: Array<Promise<number>> = [];
  const tick = (): void => {
    n++;
    const k = n % 10;
    const p = k === 0 ? call(agent, port, 'POST', '/api/checkout', { cart: n })
      : k === 5 ? call(agent, port, 'GET', '/api/slow')
      : k % 2 === 0 ? call(agent, port, 'POST', '/api/cart', { productId: n, quantity: 2, note: 'gift <b>wrap</b>' })
      : call(agent, port, 'GET', `/api/products/${n}`);
    calls.push(p.then((s) => { made++; return s; }));
    if (calls.length > 1000) calls.splice(0, 500);
  };
  const timer = setInterval(() => { if (running) tick(); }, 1000 / perSecond);
  return {
    made: () => made,
    stop: async () => { running = false; clearInterval(timer); await Promise.all(calls); agent.destroy(); },
  };
}
