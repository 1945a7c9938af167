/**
 * Pod port-forward over WebSocket, as the API server offers it to
 * client-node and kubectl (`/api/v1/namespaces/{ns}/pods/{name}/portforward
 * ?ports=N`, subprotocol `v4.channel.k8s.io`): every message starts with a
 * channel byte (0: data of the first port, 1: its errors); the first message
 * on each channel is the port number, 2 bytes little endian. Where the kubelet
 * would reach into the pod, this forwards to the address a test registered
 * for that pod and port.
 */
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export const PORTFORWARD_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/;
const SUBPROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

export class PortForwarder {
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false });
  /** `ns/pod:port` → where the connection really goes. */
  private readonly targets = new Map<string, { host: string; port: number }>();
  /** Port-forward connections opened (for tests). */
  opened = 0;

  /** Connections to `port` of pod `ns/name` go to `target`. */
  route(ns: string, name: string, port: number, target: { host: string; port: number }): void {
    this.targets.set(`${ns}/${name}:${port}`, target);
  }

  /**
   * Handle an upgrade request; false when it is not a port-forward. `allowed`
   * answers whether the pod exists and the caller may (401/403/404 otherwise).
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, allowed: (ns: string, pod: string) => number): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = PORTFORWARD_PATH.exec(url.pathname);
    if (m === null) return false;
    const [ns, pod] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
    const code = allowed(ns, pod);
    const port = Number(url.searchParams.get('ports'));
    const target = this.targets.get(`${ns}/${pod}:${port}`);
    if (code !== 200 || target === undefined) {
      const status = code !== 200 ? code : 404;
      socket.end(`HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Forbidden'}\r\nContent-Length: 0\r\n\r\n`);
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.pipe(ws, port, target));
    return true;
  }

  private pipe(ws: WebSocket, port: number, target: { host: string; port: number }): void {
    this.opened++;
    const portBytes = Buffer.from([port & 0xff, port >> 8]);
    ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
    ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
    const tcp = connect(target.port, target.host);
    tcp.on('data', (d: Buffer) => { if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([0]), d])); });
    tcp.on('error', (e) => { if (ws.readyState === ws.OPEN) ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(e.message)])); ws.close(); });
    tcp.on('close', () => ws.close());
    ws.on('message', (d: Buffer) => { if (d.length > 0 && d[0] === 0) tcp.write(d.subarray(1)); });
    ws.on('close', () => tcp.destroy());
  }

  close(): void {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
  }
}
