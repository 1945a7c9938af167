/**
 * The api pods' data access: a Redis read-through cache in front of
 * PostgreSQL, carts in Redis hashes, orders inserted in PostgreSQL and
 * announced on the MQTT queue.
 *
 * Queries use the simple query protocol with values the handlers have
 * already checked (integers, fixed category names), so the PostgreSQL
 * stand-in (pg-standin.ts) only needs that protocol.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Product } from './proto.js';

/** Cache entries expire quickly so that misses (and database queries) keep happening. */
export const CACHE_TTL_S = 8;
export const DB_POOL_SIZE = 3;
export const CART_TTL_S = 900;
export const ORDERS_TOPIC = 'shop/orders/created';
export const CATEGORIES = ['books', 'games', 'kitchen', 'garden'] as const;

export interface Backends {
  cache: { host: string; port: number };
  db: { host: string; port: number };
  queue: { host: string; port: number };
  pod: string;
}

interface ProductRow { id: number; name: string; price_cents: number; stock: number; category: string }
const toProduct = (r: ProductRow): Product => ({ id: r.id, name: r.name, priceCents: r.price_cents, stock: r.stock, category: r.category });
const COLUMNS = 'id, name, price_cents, stock, category';

export class Shop {
  private constructor(private readonly redis: Redis, private readonly db: pg.Pool, private readonly mq: MqttClient, private readonly pod: string) {}

  static async connect(b: Backends): Promise<Shop> {
    const redis = new Redis({ host: b.cache.host, port: b.cache.port, maxRetriesPerRequest: 2, connectionName: b.pod });
    const db = new pg.Pool({ host: b.db.host, port: b.db.port, user: 'postgres', database: 'shop', max: DB_POOL_SIZE, idleTimeoutMillis: 0, application_name: b.pod });
    const mq = await connectAsync(`mqtt://${b.queue.host}:${b.queue.port}`, { clientId: `${b.pod}-${process.pid}`, keepalive: 30 });
    const shop = new Shop(redis, db, mq, b.pod);
    await Promise.all([redis.ping(), db.query('SELECT 1')]);
    return shop;
  }

  /** Cache first; on a miss the database, then the cache is filled. */
  async product(id: number): Promise<Product | null> {
    const key = `product:${id}`;
    const cached = await this.redis.get(key);
    if (cached !== null) return JSON.parse(cached) as Product;
    const r = await this.db.query<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE id = ${id}`);
    const row = r.rows[0];
    if (row === undefined) return null;
    const p = toProduct(row);
    await this.redis.set(key, JSON.stringify(p), 'EX', CACHE_TTL_S);
    return p;
  }

  async list(category: string, limit: number): Promise<Product[]> {
    const key = `products:${category || 'all'}:${limit}`;
    const cached = await this.redis.get(key);
    if (cached !== null) return JSON.parse(cached) as Product[];
    const where = category === '' ? '' : ` WHERE category = '${category}'`;
    const r = await this.db.query<ProductRow>(`SELECT ${COLUMNS} FROM products${where} ORDER BY id LIMIT ${limit}`);
    const list = r.rows.map(toProduct);
    await this.redis.set(key, JSON.stringify(list), 'EX', CACHE_TTL_S);
    return list;
  }

  async addToCart(cartId: string, productId: number, qty: number): Promise<Record<string, number>> {
    const key = `cart:${cartId}`;
    await this.redis.multi().hincrby(key, String(productId), qty).expire(key, CART_TTL_S).exec();
    const items = await this.redis.hgetall(key);
    return Object.fromEntries(Object.entries(items).map(([k, v]) => [k, Number(v)]));
  }

  /** Null when the cart is empty or gone. */
  async checkout(cartId: string): Promise<{ orderId: number; totalCents: number; items: number } | null> {
    const key = `cart:${cartId}`;
    const items = Object.entries(await this.redis.hgetall(key)).map(([id, qty]) => ({ id: Number(id), qty: Number(qty) }));
    if (items.length === 0) return null;
    let totalCents = 0;
    for (const it of items) totalCents += ((await this.product(it.id))?.priceCents ?? 0) * it.qty;
    const r = await this.db.query<{ id: number }>(`INSERT INTO orders (cart_id, items, total_cents) VALUES ('${cartId}', ${items.length}, ${totalCents}) RETURNING id`);
    const orderId = r.rows[0]?.id ?? 0;
    await this.redis.del(key);
    await this.mq.publishAsync(ORDERS_TOPIC, JSON.stringify({ orderId, cartId, totalCents, items, by: this.pod }), { qos: 1 });
    return { orderId, totalCents, items: items.length };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.redis.quit(), this.db.end(), this.mq.endAsync()]);
  }
}
