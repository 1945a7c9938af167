/**
 * The shop's own programs (app/*.ts, compiled beside this file), each a
 * Node process inside its pod: the api pods, the orders worker and the
 * frontend load generator. They find each other through the cluster DNS.
 */
import { fileURLToPath } from 'node:url';
import type { ClusterLab } from '../lab/cluster/lab.js';
import { DemoProcess } from './process.js';
import { DNS_IP, PODS } from './spec.js';

const script = (name: string): string => fileURLToPath(new URL(`./app/${name}.js`, import.meta.url));
const READY = /^ready /m;

function startApp(lab: ClusterLab, where: string, name: string, args: string[]): Promise<DemoProcess> {
  return DemoProcess.start(lab, where, [process.execPath, script(name), '--pod', lab.pod(where).name, '--dns', DNS_IP, ...args], { name: `${name} (${where})`, ready: READY });
}

/** The api pods and the orders worker; they need the cache, the database and the queue up. */
export function startBackendApps(lab: ClusterLab): Promise<DemoProcess>[] {
  return [
    ...PODS.apis.map((pod) => startApp(lab, pod, 'api', ['--host', lab.pod(pod).ip])),
    startApp(lab, PODS.ordersWorker, 'orders-worker', []),
  ];
}

/** The load generator: `rate` calls a second to the api service. */
export function startFrontend(lab: ClusterLab, rate: number): Promise<DemoProcess> {
  return startApp(lab, PODS.frontend, 'frontend', ['--rate', String(rate)]);
}
