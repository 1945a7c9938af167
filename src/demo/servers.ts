/**
 * The shop's off-the-shelf servers, each bound to its pod's IP only:
 * redis-server (cache), mosquitto (queue, generated config) and dnsmasq
 * (the cluster DNS, flags from the cluster lab). PostgreSQL: postgres.ts.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterLab } from '../lab/cluster/lab.js';
import { clusterDnsArgs } from '../lab/cluster/workloads.js';
import { DemoProcess } from './process.js';
import { MQTT_PORT, REDIS_PORT } from './spec.js';

export function startRedis(lab: ClusterLab, where: string, dir: string): Promise<DemoProcess> {
  const ip = lab.pod(where).ip;
  const argv = ['redis-server', '--bind', ip, '--port', String(REDIS_PORT), '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'notice'];
  return DemoProcess.start(lab, where, argv, { name: 'redis-server', ready: /Ready to accept connections/ });
}

/** mosquitto with a config listening on the pod IP only, anonymous, nothing persisted. */
export async function startMosquitto(lab: ClusterLab, where: string, dir: string): Promise<DemoProcess> {
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, [
    `listener ${MQTT_PORT} ${lab.pod(where).ip}`,
    'allow_anonymous true',
    'persistence false',
    'log_dest stderr',
    'log_type error', 'log_type warning', 'log_type notice', 'log_type information',
    'connection_messages false',
    '',
  ].join('\n'), { mode: 0o644 });
  return DemoProcess.start(lab, where, ['mosquitto', '-c', conf], { name: 'mosquitto', ready: /mosquitto version \S+ running/ });
}

export function startClusterDns(lab: ClusterLab, where: string): Promise<DemoProcess> {
  return DemoProcess.start(lab, where, ['dnsmasq', ...clusterDnsArgs(lab, lab.pod(where).ip)], { name: 'dnsmasq', ready: /started, version/ });
}
