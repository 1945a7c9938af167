/**
 * TLS between workers and the hub, verified both ways (mutual TLS).
 *
 *   - The hub serves HTTPS and WSS on its one port with its certificate and
 *     asks every client for a certificate (`requestCert`), but lets the
 *     handshake finish without one (`rejectUnauthorized: false`): browsers
 *     and API clients use the token alone. The ingest stream is where the
 *     client certificate is required: `/api/ingest` answers 403 unless the
 *     connection's certificate chains to the hub's CA for client use
 *     (`clientCertProblem`). The token is checked there too.
 *   - The worker trusts the CA file alone (no system CAs; verification is
 *     never turned off), checks the hub's name against the URL, and presents
 *     its client certificate.
 *   - Plain HTTP sent to the TLS port is answered with a 400 that says so
 *     (`guardPlainHttp`), instead of a reset the client cannot explain.
 *
 * Files come from `--tls-dir DIR` (TLS_FILES names, as `podtap certs`
 * writes them) or one by one (`--tls-ca`, `--tls-cert`, `--tls-key`).
 * Everything is checked when the process starts (`loadTls`): a wrong file
 * is one TlsConfigError line naming the file and the fix.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import { TLS_FILES, TlsConfigError } from './certs.js';

export { TlsConfigError } from './certs.js';

export type TlsRole = 'hub' | 'worker';

/** The three files one side needs. */
export interface TlsFiles { ca: string; cert: string; key: string }

/** Checked TLS material, ready for node:tls. */
export interface TlsMaterial {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  files: TlsFiles;
  /** When this side's certificate expires. */
  notAfter: Date;
  /** Things worth a log line (an expiry close by, a key file others can read). */
  warnings: string[];
}

/** The TLS flags, as commander gives them. */
export interface TlsFlags { tlsDir?: string; tlsCa?: string; tlsCert?: string; tlsKey?: string }

/** A certificate expiring sooner than this is warned about at start. */
export const EXPIRY_WARNING_DAYS = 30;
/** How long a new connection to the TLS port may stay silent before it is closed. */
export const FIRST_BYTE_TIMEOUT_MS = 10_000;
/** First byte of every TLS connection (a handshake record). */
const TLS_HANDSHAKE = 0x16;

const OID_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const OID_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** The files named by the flags for `role`, or undefined when no TLS flag is given. */
export function tlsFiles(flags: TlsFlags, role: TlsRole): TlsFiles | undefined {
  const single = { '--tls-ca': flags.tlsCa, '--tls-cert': flags.tlsCert, '--tls-key': flags.tlsKey };
  const given = Object.entries(single).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (flags.tlsDir !== undefined) {
    if (given.length > 0) throw new TlsConfigError(`--tls-dir and ${given.join(', ')}: give the directory, or the three files, not both`);
    const [cert, key] = role === 'hub' ? [TLS_FILES.hubCert, TLS_FILES.hubKey] : [TLS_FILES.workerCert, TLS_FILES.workerKey];
    return { ca: join(flags.tlsDir, TLS_FILES.ca), cert: join(flags.tlsDir, cert), key: join(flags.tlsDir, key) };
  }
  if (given.length === 0) return undefined;
  const missing = Object.entries(single).filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length > 0) throw new TlsConfigError(`${given.join(', ')} without ${missing.join(', ')}: TLS needs all three (or --tls-dir DIR from podtap certs)`);
  return { ca: flags.tlsCa!, cert: flags.tlsCert!, key: flags.tlsKey! };
}

function read(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TlsConfigError(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); make the files with podtap certs --out DIR`);
  }
}

function parseCert(path: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new TlsConfigError(`${path}: not a PEM certificate (${(err as Error).message})`);
  }
}

/** Read and check one side's files. Throws TlsConfigError; `now` for tests. */
export function loadTls(files: TlsFiles, role: TlsRole, now = new Date()): TlsMaterial {
  const ca = read(files.ca), cert = read(files.cert), key = read(files.key);
  const caCert = parseCert(files.ca, ca);
  if (!caCert.ca) throw new TlsConfigError(`${files.ca}: not a CA certificate; give the ca.crt that podtap certs wrote`);
  const own = parseCert(files.cert, cert);
  if (own.checkIssued(caCert) === false || !own.verify(caCert.publicKey)) {
    throw new TlsConfigError(`${files.cert} is not signed by the CA in ${files.ca}; use files from the same podtap certs run`);
  }
  let privateKey;
  try { privateKey = createPrivateKey(key); } catch (err) {
    throw new TlsConfigError(`${files.key}: not a PEM private key (${(err as Error).message})`);
  }
  if (!own.checkPrivateKey(privateKey)) throw new TlsConfigError(`${files.key} is not the key of ${files.cert}`);
  const notBefore = new Date(own.validFrom), notAfter = new Date(own.validTo);
  if (now < notBefore) throw new TlsConfigError(`${files.cert} is not valid before ${notBefore.toISOString()} (is this host's clock right?)`);
  if (now > notAfter) throw new TlsConfigError(`${files.cert} expired on ${notAfter.toISOString()}; make new files with podtap certs`);
  const purpose = role === 'hub' ? OID_SERVER_AUTH : OID_CLIENT_AUTH;
  const eku = own.keyUsage; // extended key usage OIDs; undefined: any use
  if (eku !== undefined && !eku.includes(purpose)) {
    throw new TlsConfigError(`${files.cert} is not a ${role === 'hub' ? 'server' : 'client'} certificate; the ${role} uses ${role === 'hub' ? TLS_FILES.hubCert : TLS_FILES.workerCert}`);
  }
  const warnings: string[] = [];
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000);
  if (daysLeft < EXPIRY_WARNING_DAYS) warnings.push(`${files.cert} expires in ${daysLeft} days (${notAfter.toISOString()}); make new files with podtap certs`);
  try {
    if ((statSync(files.key).mode & 0o004) !== 0) warnings.push(`${files.key} is readable by every user; chmod 600 it`);
  } catch { /* read above; gone meanwhile */ }
  return { ca, cert, key, files, notAfter, warnings };
}

/**
 * The hub's server options: its certificate, and a request for the
 * client's, verified against the CA but not required at this layer (the
 * ingest route requires it).
 */
export function hubServerOptions(m: TlsMaterial): { key: Buffer; cert: Buffer; ca: Buffer; requestCert: true; rejectUnauthorized: false; minVersion: 'TLSv1.2' } {
  return { key: m.key, cert: m.cert, ca: m.ca, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' };
}

/** The worker's client options: only the CA is trusted, the hub's name is checked, the client certificate is sent. */
export function workerClientOptions(m: TlsMaterial): { ca: Buffer; cert: Buffer; key: Buffer; rejectUnauthorized: true; minVersion: 'TLSv1.3' } {
  return { ca: m.ca, cert: m.cert, key: m.key, rejectUnauthorized: true, minVersion: 'TLSv1.3' };
}

/** Null when the connection presented a client certificate that chains to the CA; else why not (for a 403). */
export function clientCertProblem(socket: TLSSocket): string | null {
  if (socket.authorized) return null;
  const peer = socket.getPeerCertificate();
  if (peer === null || Object.keys(peer).length === 0) {
    return `the ingest stream needs a client certificate signed by the hub's CA, and none was sent: start the worker with --tls-dir DIR (${TLS_FILES.workerCert}, ${TLS_FILES.workerKey} and ${TLS_FILES.ca} from podtap certs)`;
  }
  return `the client certificate was refused (${String(socket.authorizationError)}): the ingest stream needs ${TLS_FILES.workerCert} from the podtap certs run that made the hub's certificate`;
}

/**
 * Answer plain HTTP on the TLS port with a 400 that says to use https://,
 * and hand TLS connections (first byte 0x16) to the server as they came.
 * Install once, right after the server is made.
 */
export function guardPlainHttp(server: TlsServer): void {
  const listeners = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const onError = (): void => { socket.destroy(); };
    socket.on('error', onError);
    const timer = setTimeout(() => socket.destroy(), FIRST_BYTE_TIMEOUT_MS);
    socket.once('data', (chunk: Buffer) => {
      if (chunk[0] === TLS_HANDSHAKE) {
        clearTimeout(timer);
        socket.pause();
        socket.unshift(chunk); // node:tls reads what the socket already buffered
        socket.off('error', onError);
        for (const l of listeners) l.call(server, socket);
        return;
      }
      // The rest of the request is read and discarded (unread data would turn the close into a reset);
      // the timer still ends a client that never closes.
      socket.on('data', () => {});
      const body = JSON.stringify({ error: 'this port serves HTTPS only: use https:// (workers: --hub https://… with --tls-dir)' });
      socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
    socket.once('close', () => clearTimeout(timer));
  });
}

const UNTRUSTED = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED']);

/**
 * Why a worker could not open its stream, in one line with the fix.
 * `caFile` is the worker's CA file (undefined without TLS).
 */
export function explainConnectError(err: Error & { code?: string; reason?: string }, url: string, caFile: string | undefined): string {
  const code = err.code ?? '';
  const host = (() => { try { return new URL(url).hostname; } catch { return url; } })();
  if (UNTRUSTED.has(code)) return `the hub's certificate is not signed by the CA in ${caFile ?? '(no CA)'} (${code}); give the ca.crt of the podtap certs run that made the hub's certificate`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the hub's certificate does not name ${host} (${err.reason ?? err.message}); make it with podtap certs --hub-names ${host}`;
  if (code === 'CERT_HAS_EXPIRED') return `the hub's certificate has expired; make new files with podtap certs`;
  if (code === 'CERT_NOT_YET_VALID') return `the hub's certificate is not valid yet (is this host's clock right?)`;
  if (code === 'INVALID_PURPOSE' || code === 'UNSUPPORTED_CERTIFICATE_PURPOSE') return `the hub's certificate is not for server use (${code}); the hub uses ${TLS_FILES.hubCert}`;
  if (code === 'EPROTO' || /wrong version number|packet length too long|unknown protocol/i.test(err.message)) {
    return `the hub does not speak TLS at ${url} (${err.message.split('\n')[0]}); use http:// without --tls-*, or start the hub with --tls-dir`;
  }
  if (caFile === undefined && (code === 'ECONNRESET' || /socket hang up/.test(err.message))) {
    return `the hub closed the connection (${code || err.message}); if it serves TLS (podtap hub --tls-dir), use --hub https://… with --tls-dir`;
  }
  return `${err.message}${code !== '' && !err.message.includes(code) ? ` (${code})` : ''}`;
}
