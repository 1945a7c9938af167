/**
 * The frontend pod: a load generator standing in for the shop's web tier.
 *   node frontend.js --pod frontend --dns <kube-dns ip> --rate <requests/s>
 * It resolves the api service through the cluster DNS (again every
 * DNS_REFRESH_MS, plus a lookup of a name that does not exist), then sends
 * `rate` calls a second, mixed over HTTP/1 (keep-alive) and gRPC, to the
 * api's ClusterIP. Some calls fail by design (404, 400, 409, 503, gRPC
 * NOT_FOUND/UNAVAILABLE) and some are slow (recommendations, checkout).
 */
import { Agent, request } from 'node:http';
import { credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { API_GRPC_PORT, SERVICE_HTTP_PORT, serviceName } from '../spec.js';
import { CATALOG_SERVICE } from './catalog-grpc.js';
import { clusterResolver, fail, flags, onStop, ready, resolveService } from './common.js';
import { CATEGORIES } from './shop.js';

export const DNS_REFRESH_MS = 2_000;
export const MISSING_LOOKUP_MS = 7_000;
export const REQUEST_TIMEOUT_MS = 5_000;
export const HTTP_SOCKETS = 6;
/** gRPC channels, each its own connection (so both api pods get some). */
export const GRPC_CHANNELS = 2;
/** Calls started but not answered: above this the tick is skipped. */
export const MAX_IN_FLIGHT = 64;
export const SHOPPERS = 8;
/** Product ids asked for: 1..20 exist, the rest are 404 / NOT_FOUND. */
export const MAX_PRODUCT_ID = 24;

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const productId = (): number => 1 + Math.floor(Math.random() * MAX_PRODUCT_ID);
const newCart = (): string => `cart-${Math.random().toString(36).slice(2, 10)}`;

type GrpcCall = (req: unknown, options: { deadline: number }, done: (err: ServiceError | null) => void) => void;

async function main(): Promise<void> {
  const f = flags(['pod', 'dns', 'rate']);
  const rate = Number(f.rate);
  const dns = clusterResolver(f.dns);
  const apiName = serviceName('api');
  let apiIp = await resolveService(dns, apiName);
  const timers = [
    setInterval(() => { resolveService(dns, apiName).then((ip) => { apiIp = ip; }, () => {}); }, DNS_REFRESH_MS),
    setInterval(() => { dns.resolve4(serviceName('reviews')).catch(() => {}); }, MISSING_LOOKUP_MS), // NXDOMAIN
  ];
  const agent = new Agent({ keepAlive: true, maxSockets: HTTP_SOCKETS });
  const Catalog = makeGenericClientConstructor(CATALOG_SERVICE, 'Catalog');
  const channels = Array.from({ length: GRPC_CHANNELS }, () => new Catalog(`${apiIp}:${API_GRPC_PORT}`, credentials.createInsecure(), {
    'grpc.default_authority': `${apiName}:${API_GRPC_PORT}`, 'grpc.use_local_subchannel_pool': 1, 'grpc.primary_user_agent': 'shop-frontend/1.4',
  }));
  const carts = Array.from({ length: SHOPPERS }, newCart);
  let inFlight = 0;

  const http = (method: string, path: string, shopper: number, body?: unknown): Promise<number> => new Promise((resolve) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request({
      host: apiIp, port: SERVICE_HTTP_PORT, method, path, agent, timeout: REQUEST_TIMEOUT_MS,
      headers: {
        host: apiName, accept: 'application/json', 'user-agent': 'shop-frontend/1.4',
        authorization: `Bearer session-${shopper}-${carts[shopper]}`,
        ...(text === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }),
      },
    }, (res) => { res.resume(); res.on('close', () => resolve(res.statusCode ?? 0)); });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(text);
  });
  const grpc = (method: 'GetProduct' | 'ListProducts', req: unknown): Promise<void> => new Promise((resolve) => {
    const channel = pick(channels);
    (channel[method] as GrpcCall).call(channel, req, { deadline: Date.now() + REQUEST_TIMEOUT_MS }, () => resolve());
  });

  /** [weight, call]: what one shopper does next. */
  const actions: Array<[number, (s: number) => Promise<unknown>]> = [
    [15, (s) => http('GET', `/api/products?category=${pick(CATEGORIES)}&limit=${5 + Math.floor(Math.random() * 10)}`, s)],
    [30, (s) => http('GET', `/api/products/${productId()}`, s)],
    [5, (s) => http('GET', `/api/recommendations?product=${productId()}`, s)],
    [12, (s) => http('POST', '/api/cart', s, { cartId: carts[s], productId: 1 + Math.floor(Math.random() * 20), qty: 1 + Math.floor(Math.random() * 3) })],
    [3, (s) => http('POST', '/api/cart', s, { cartId: carts[s], productId: productId(), qty: pick([0, 11, -1]) })], // 400
    [6, async (s) => { const status = await http('POST', '/api/checkout', s, { cartId: carts[s] }); if (status === 201) carts[s] = newCart(); }],
    [1, (s) => http('GET', '/api/orders/latest', s)], // 404: no such route
    [20, () => grpc('GetProduct', productId())],
    [8, () => grpc('ListProducts', { category: pick(['', ...CATEGORIES]), limit: 5 })],
  ];
  const total = actions.reduce((n, [w]) => n + w, 0);
  const tick = setInterval(() => {
    if (inFlight >= MAX_IN_FLIGHT) return;
    let r = Math.random() * total;
    const action = actions.find(([w]) => (r -= w) < 0) ?? actions[0]!;
    inFlight++;
    void action[1](Math.floor(Math.random() * SHOPPERS)).finally(() => inFlight--);
  }, 1000 / rate);
  onStop(async () => {
    clearInterval(tick);
    for (const t of timers) clearInterval(t);
    for (const c of channels) c.close();
    agent.destroy();
  });
  ready(`${rate} calls/s to ${apiName} (${apiIp})`);
}

main().catch(fail('frontend'));
