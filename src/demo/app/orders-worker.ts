/**
 * The orders worker pod: subscribes to new orders on the MQTT queue, keeps
 * running totals in Redis and publishes an e-mail notification for each.
 *   node orders-worker.js --pod orders-worker --dns <kube-dns ip>
 */
import { Redis } from 'ioredis';
import { connectAsync } from 'mqtt';
import { MQTT_PORT, REDIS_PORT, serviceName } from '../spec.js';
import { clusterResolver, fail, flags, onStop, ready, resolveService } from './common.js';
import { ORDERS_TOPIC } from './shop.js';

export const NOTIFY_TOPIC = 'shop/notifications/email';
/** Orders kept in the `orders:recent` list. */
export const RECENT_ORDERS = 50;

interface OrderMessage { orderId: number; cartId: string; totalCents: number }

async function main(): Promise<void> {
  const f = flags(['pod', 'dns']);
  const dns = clusterResolver(f.dns);
  const [queue, cache] = await Promise.all([resolveService(dns, serviceName('queue')), resolveService(dns, serviceName('cache'))]);
  const redis = new Redis({ host: cache, port: REDIS_PORT, maxRetriesPerRequest: 2, connectionName: f.pod });
  const mq = await connectAsync(`mqtt://${queue}:${MQTT_PORT}`, { clientId: `${f.pod}-${process.pid}`, keepalive: 30, clean: true });
  await mq.subscribeAsync(ORDERS_TOPIC, { qos: 1 });
  mq.on('message', (_topic, payload) => {
    let order: OrderMessage;
    try { order = JSON.parse(payload.toString('utf8')) as OrderMessage; } catch { return; }
    void redis.multi()
      .incr('stats:orders')
      .incrby('stats:revenue_cents', order.totalCents)
      .lpush('orders:recent', String(order.orderId))
      .ltrim('orders:recent', 0, RECENT_ORDERS - 1)
      .exec()
      .then(() => mq.publishAsync(NOTIFY_TOPIC, JSON.stringify({ template: 'order-confirmation', orderId: order.orderId, cartId: order.cartId })))
      .catch((err: Error) => process.stderr.write(`orders-worker: ${err.message}\n`));
  });
  onStop(async () => { await Promise.allSettled([mq.endAsync(), redis.quit()]); });
  ready(`subscribed to ${ORDERS_TOPIC}`);
}

main().catch(fail('orders-worker'));
