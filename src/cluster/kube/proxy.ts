/**
 * `podtap proxy`: a local port that reaches the hub's pod through the API
 * server's port-forward (client-node's PortForward: one WebSocket per TCP
 * connection). The hub pod is looked up by its labels once per connection,
 * so a restarted hub is found again without restarting the proxy.
 *
 * A hub that serves TLS (the cluster install's default) is spoken to in TLS
 * by the proxy itself, its certificate checked against podtap's CA and the
 * Service name: the local end stays plain HTTP on loopback, as it was, so a
 * browser needs no certificate exception.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server, type Socket } from 'node:net';
import { PassThrough, Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { KubeError } from './config.js';
import { listPods } from './apply.js';

export interface ProxyOptions {
  namespace: string;
  /** Labels of the hub pod. */
  labels: Record<string, string>;
  /** The hub's port in its pod. */
  remotePort: number;
  /** Local address (default 127.0.0.1) and port (0: any free one). */
  host?: string;
  port: number;
  log?: (line: string) => void;
  /** The hub serves TLS: its CA (PEM) and the name its certificate must carry. */
  tls?: { ca: string; servername: string };
}

export interface Proxy { url: string; server: Server; close(): Promise<void> }

/** A running, ready hub pod's name; KubeError when there is none. */
export async function findHubPod(kc: KubeConfig, namespace: string, labels: Record<string, string>): Promise<string> {
  const pods = await listPods(kc, namespace, labels);
  const ready = pods.find((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running' && (p.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp === undefined);
  if (ready === undefined) throw new KubeError(`no running hub pod in namespace ${namespace}: is podtap deployed? (podtap tap), or see kubectl -n ${namespace} get pods`);
  return String((ready.metadata as { name: string }).name);
}

export async function startProxy(kc: KubeConfig, o: ProxyOptions): Promise<Proxy> {
  await findHubPod(kc, o.namespace, o.labels); // fail now, with the fix, rather than on the first connection
  const { PortForward } = await import('@kubernetes/client-node'); // loaded on first use (see config.ts)
  const pf = new PortForward(kc, true);
  const log = o.log ?? (() => {});
  const server = createServer((sock: Socket) => {
    sock.pause();
    findHubPod(kc, o.namespace, o.labels)
      .then(async (pod) => {
        let ws: unknown;
        if (o.tls === undefined) {
          ws = await pf.portForward(o.namespace, pod, [o.remotePort], sock, null, sock);
        } else {
          // Local bytes → TLS → the port-forward stream → the hub, and back.
          const toPod = new PassThrough(), fromPod = new PassThrough();
          ws = await pf.portForward(o.namespace, pod, [o.remotePort], fromPod, null, toPod);
          const secure = tlsConnect({ socket: Duplex.from({ readable: fromPod, writable: toPod }), ca: o.tls.ca, servername: o.tls.servername });
          secure.on('error', (err) => { log(`podtap proxy: TLS to the hub: ${err.message}`); sock.destroy(); });
          sock.on('error', () => secure.destroy());
          sock.pipe(secure).pipe(sock);
        }
        const socket = ws as { close?: () => void; on?: (ev: string, f: () => void) => void };
        sock.on('close', () => socket.close?.());
        socket.on?.('close', () => sock.destroy());
        sock.resume();
      })
      .catch((err: Error) => { log(`podtap proxy: ${err.message}`); sock.destroy(); });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new KubeError(`cannot listen on ${o.host ?? '127.0.0.1'}:${o.port}: ${e.message}; pick another --port`)));
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.address}:${a.port}`,
    server,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
