/**
 * The soak cluster: the demo shop (demo/spec.ts: frontend, api pods, Redis,
 * PostgreSQL, mosquitto, cluster DNS) as background load, plus the soak's
 * own pods in namespace `soak`:
 *
 *   node1 (bridge)  soak/web-1     counting HTTP server (lab/cluster/http-counter-server)
 *                   soak/steady-1  counted client, the whole run
 *   node2 (routed)  soak/web-2     counting HTTP server
 *                   soak/steady-2  counted client, the whole run
 *   either node     soak/c<n>      counted clients that come and go (churn.ts)
 *
 * Service soak/web (10.96.0.60:80 → 8080) spreads over both web pods, so
 * counted HTTP goes through a ClusterIP, on one node and across nodes.
 */
import { demoClusterSpec, CACHE_IP, DB_IP, DNS_IP, POSTGRES_PORT, REDIS_PORT } from '../demo/spec.js';
import type { ClusterSpec } from '../lab/cluster/spec.js';

export const SOAK_NS = 'soak';
export const WEB_IP = '10.96.0.60';
export const WEB_PORT = 8080;
export const WEB_SERVICE_PORT = 80;
export const WEB_PODS = [{ node: 'node1', pod: 'soak/web-1' }, { node: 'node2', pod: 'soak/web-2' }] as const;
export const STEADY_PODS = [{ node: 'node1', pod: 'soak/steady-1', id: 's1' }, { node: 'node2', pod: 'soak/steady-2', id: 's2' }] as const;
/** Labels of the pods churn.ts adds. */
export const CHURN_LABELS = { app: 'soak-client' };

/** Where a counted client sends each kind of request (all ClusterIPs). */
export const CLIENT_TARGETS = {
  web: `${WEB_IP}:${WEB_SERVICE_PORT}`,
  dns: DNS_IP,
  redis: `${CACHE_IP}:${REDIS_PORT}`,
  postgres: `${DB_IP}:${POSTGRES_PORT}`,
} as const;

export function soakClusterSpec(id: string): ClusterSpec {
  const spec = demoClusterSpec(id);
  const pod = (ref: string, app: string) => ({ name: ref.split('/')[1]!, namespace: SOAK_NS, labels: { app } });
  for (const node of spec.nodes) {
    for (const w of WEB_PODS) if (w.node === node.name) node.pods.push(pod(w.pod, 'soak-web'));
    for (const s of STEADY_PODS) if (s.node === node.name) node.pods.push(pod(s.pod, 'soak-steady'));
  }
  spec.services = [
    ...(spec.services ?? []),
    { name: 'web', namespace: SOAK_NS, clusterIP: WEB_IP, selector: { app: 'soak-web' }, ports: [{ name: 'http', port: WEB_SERVICE_PORT, targetPort: WEB_PORT }] },
  ];
  return spec;
}
