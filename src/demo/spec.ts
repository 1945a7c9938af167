/**
 * The demo cluster: a small shop in namespace `shop`, spread over two nodes
 * (node1 bridged, node2 routed) so that traffic crosses nodes and stays on
 * one, goes to pod IPs and through ClusterIPs.
 *
 *   node1 (bridge)  shop/frontend   load generator (HTTP/1 + gRPC + DNS)
 *                   shop/api-1      HTTP/1 JSON API + gRPC
 *                   shop/cache-0    redis-server
 *                   kube-system/coredns-0   dnsmasq (cluster DNS)
 *   node2 (routed)  shop/api-2      HTTP/1 JSON API + gRPC
 *                   shop/db-0       PostgreSQL
 *                   shop/queue-0    mosquitto (MQTT)
 *                   shop/orders-worker   MQTT subscriber
 *
 * Services: shop/api (http 80, grpc 9090), shop/cache (6379), shop/db
 * (5432), shop/queue (1883), kube-system/kube-dns (53 UDP+TCP).
 */
import type { ClusterSpec } from '../lab/cluster/spec.js';
import { CLUSTER_DOMAIN } from '../lab/cluster/workloads.js';

export const SHOP_NS = 'shop';
export const API_HTTP_PORT = 8080;
export const API_GRPC_PORT = 9090;
export const SERVICE_HTTP_PORT = 80;
export const REDIS_PORT = 6379;
export const POSTGRES_PORT = 5432;
export const MQTT_PORT = 1883;

export const DNS_IP = '10.96.0.10';
export const API_IP = '10.96.0.20';
export const CACHE_IP = '10.96.0.30';
export const DB_IP = '10.96.0.40';
export const QUEUE_IP = '10.96.0.50';

/** Pods by role (`namespace/name`). */
export const PODS = {
  frontend: 'shop/frontend',
  apis: ['shop/api-1', 'shop/api-2'],
  cache: 'shop/cache-0',
  db: 'shop/db-0',
  queue: 'shop/queue-0',
  ordersWorker: 'shop/orders-worker',
  dns: 'kube-system/coredns-0',
} as const;

/** The DNS name of a shop service. */
export const serviceName = (name: string): string => `${name}.${SHOP_NS}.svc.${CLUSTER_DOMAIN}`;

const shop = (name: string, app: string) => ({ name, namespace: SHOP_NS, labels: { app } });

export function demoClusterSpec(id: string): ClusterSpec {
  const tcp = (name: string, port: number, targetPort = port) => ({ name, port, targetPort });
  return {
    id,
    outside: false,
    nodes: [
      {
        name: 'node1',
        cni: 'bridge',
        pods: [shop('frontend', 'frontend'), shop('api-1', 'api'), shop('cache-0', 'cache'), { name: 'coredns-0', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }],
      },
      { name: 'node2', cni: 'routed', pods: [shop('api-2', 'api'), shop('db-0', 'db'), shop('queue-0', 'queue'), shop('orders-worker', 'orders-worker')] },
    ],
    services: [
      { name: 'api', namespace: SHOP_NS, clusterIP: API_IP, selector: { app: 'api' }, ports: [tcp('http', SERVICE_HTTP_PORT, API_HTTP_PORT), tcp('grpc', API_GRPC_PORT)] },
      { name: 'cache', namespace: SHOP_NS, clusterIP: CACHE_IP, selector: { app: 'cache' }, ports: [tcp('redis', REDIS_PORT)] },
      { name: 'db', namespace: SHOP_NS, clusterIP: DB_IP, selector: { app: 'db' }, ports: [tcp('postgres', POSTGRES_PORT)] },
      { name: 'queue', namespace: SHOP_NS, clusterIP: QUEUE_IP, selector: { app: 'queue' }, ports: [tcp('mqtt', MQTT_PORT)] },
      {
        name: 'kube-dns',
        namespace: 'kube-system',
        clusterIP: DNS_IP,
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' },
        ],
      },
    ],
  };
}
