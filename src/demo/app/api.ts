/**
 * An api pod: `node api.js --pod api-1 --host <pod ip> --dns <kube-dns ip>`.
 * Finds its backends by their service names through the cluster DNS, then
 * serves HTTP/1 on API_HTTP_PORT and gRPC on API_GRPC_PORT.
 */
import { API_GRPC_PORT, API_HTTP_PORT, MQTT_PORT, POSTGRES_PORT, REDIS_PORT, serviceName } from '../spec.js';
import { clusterResolver, fail, flags, onStop, ready, resolveService } from './common.js';
import { startGrpcApi } from './api-grpc.js';
import { startHttpApi } from './api-http.js';
import { Shop } from './shop.js';

async function main(): Promise<void> {
  const f = flags(['pod', 'host', 'dns']);
  const dns = clusterResolver(f.dns);
  const [cache, db, queue] = await Promise.all(['cache', 'db', 'queue'].map((s) => resolveService(dns, serviceName(s))));
  const shop = await Shop.connect({
    cache: { host: cache!, port: REDIS_PORT }, db: { host: db!, port: POSTGRES_PORT }, queue: { host: queue!, port: MQTT_PORT }, pod: f.pod,
  });
  const http = await startHttpApi(shop, f.host, API_HTTP_PORT, f.pod);
  const grpc = await startGrpcApi(shop, f.host, API_GRPC_PORT);
  onStop(async () => {
    grpc.forceShutdown();
    http.closeAllConnections();
    http.close();
    await shop.close();
  });
  ready(`http ${f.host}:${API_HTTP_PORT} grpc ${f.host}:${API_GRPC_PORT}`);
}

main().catch(fail('api'));
