/**
 * The api's HTTP/1 JSON routes:
 *   GET  /api/products?category=&limit=   list (cache, else database)
 *   GET  /api/products/:id                one product, 404 when unknown
 *   GET  /api/recommendations?product=    slow (a few hundred ms), sometimes 500
 *   POST /api/cart      {cartId, productId, qty}   400 on a bad body
 *   POST /api/checkout  {cartId}                   slow "payment", sometimes 503; publishes the order
 *   GET  /healthz
 * Anything else is 404; a backend failure is 500.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CATEGORIES, type Shop } from './shop.js';

export const MAX_BODY_BYTES = 16 * 1024;
export const KEEP_ALIVE_MS = 65_000;
/** Share of checkouts whose payment "fails" (503), and the payment delay range. */
export const CHECKOUT_FAILURE_RATE = 0.08;
export const PAYMENT_DELAY_MS = [120, 480] as const;
export const RECOMMENDATIONS_DELAY_MS = [150, 450] as const;
/** Share of recommendation calls that fail (500) after the delay. */
export const RECOMMENDATIONS_FAILURE_RATE = 0.1;
export const MAX_LIST = 20;
const CART_ID = /^[a-z0-9-]{1,40}$/;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = ([lo, hi]: readonly [number, number]) => lo + Math.random() * (hi - lo);

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => { size += c.length; if (size <= MAX_BODY_BYTES) chunks.push(c); });
    req.on('error', reject);
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return reject(new HttpError(413, 'body too large'));
      try {
        const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        resolve(v as Record<string, unknown>);
      } catch {
        reject(new HttpError(400, 'body must be a JSON object'));
      }
    });
  });
}

function intParam(v: unknown, min: number, max: number, what: string): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new HttpError(400, `${what} must be an integer from ${min} to ${max}`);
  return n;
}

async function route(shop: Shop, req: IncomingMessage, url: URL): Promise<[number, unknown]> {
  const path = url.pathname;
  const product = /^\/api\/products\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && path === '/healthz') return [200, { ok: true }];
  if (req.method === 'GET' && path === '/api/products') {
    const category = url.searchParams.get('category') ?? '';
    if (category !== '' && !(CATEGORIES as readonly string[]).includes(category)) throw new HttpError(400, `unknown category ${JSON.stringify(category.slice(0, 40))}`);
    const limit = intParam(url.searchParams.get('limit') ?? 10, 1, MAX_LIST, 'limit');
    return [200, { products: await shop.list(category, limit) }];
  }
  if (req.method === 'GET' && product !== null) {
    const p = await shop.product(intParam(product[1], 1, 1_000_000, 'id'));
    return p === null ? [404, { error: `no product ${product[1]}` }] : [200, p];
  }
  if (req.method === 'GET' && path === '/api/recommendations') {
    await sleep(between(RECOMMENDATIONS_DELAY_MS)); // "the model is thinking"
    if (Math.random() < RECOMMENDATIONS_FAILURE_RATE) return [500, { error: 'recommendation model timed out' }];
    return [200, { products: (await shop.list('', 4)).map((p) => ({ id: p.id, name: p.name })) }];
  }
  if (req.method === 'POST' && path === '/api/cart') {
    const b = await readJson(req);
    if (typeof b.cartId !== 'string' || !CART_ID.test(b.cartId)) throw new HttpError(400, 'cartId must be 1-40 of a-z, 0-9 and -');
    const items = await shop.addToCart(b.cartId, intParam(b.productId, 1, 1_000_000, 'productId'), intParam(b.qty, 1, 10, 'qty'));
    return [201, { cartId: b.cartId, items }];
  }
  if (req.method === 'POST' && path === '/api/checkout') {
    const b = await readJson(req);
    if (typeof b.cartId !== 'string' || !CART_ID.test(b.cartId)) throw new HttpError(400, 'cartId must be 1-40 of a-z, 0-9 and -');
    await sleep(between(PAYMENT_DELAY_MS));
    if (Math.random() < CHECKOUT_FAILURE_RATE) return [503, { error: 'payment provider unavailable', retryAfterSeconds: 2 }];
    const order = await shop.checkout(b.cartId);
    return order === null ? [409, { error: 'cart is empty' }] : [201, order];
  }
  return [404, { error: `no route ${req.method ?? ''} ${path}` }];
}

export function startHttpApi(shop: Shop, host: string, port: number, pod: string): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://api');
    route(shop, req, url).then(
      ([status, body]) => send(res, status, body),
      (err: unknown) => send(res, err instanceof HttpError ? err.status : 500, { error: err instanceof HttpError ? err.message : 'internal error' }),
    );
  });
  function send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'x-served-by': pod });
    res.end(text);
  }
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
