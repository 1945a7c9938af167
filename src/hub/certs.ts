/**
 * podtap's own small PKI for the worker → hub stream (`podtap certs`, and the
 * cluster install): one self-signed CA, one server certificate for the hub
 * and one client certificate shared by the workers, all ECDSA P-256.
 *
 * The CA's private key signs the two certificates and is then discarded: it
 * is never written, so nothing that holds the files (a Secret, a node) can
 * mint more certificates. To change the hub's names or renew, run
 * `podtap certs` again and roll out all five files together.
 */
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { certPem, createCertificate, publicOf } from './x509.js';

/** A TLS file or flag that cannot be used: one line naming it and the fix (a boundary error, like UsageError). */
export class TlsConfigError extends Error {
  override readonly name = 'TlsConfigError';
}

/** File names in a TLS directory (`--tls-dir`), and the keys of the install's Secret. */
export const TLS_FILES = {
  ca: 'ca.crt',
  hubCert: 'hub.crt',
  hubKey: 'hub.key',
  workerCert: 'worker.crt',
  workerKey: 'worker.key',
} as const;

/** Validity of the CA and of the hub's and workers' certificates (days). */
export const CA_DAYS = 3650;
export const LEAF_DAYS = 730;
/** notBefore is set this far in the past, for clocks a little behind. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** Names every hub certificate carries, so the hub is reachable on its own host (and through a port-forward). */
export const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'] as const;

export const CA_COMMON_NAME = 'podtap CA';
export const HUB_COMMON_NAME = 'podtap hub';
export const WORKER_COMMON_NAME = 'podtap worker';

/** The five PEM texts of a TLS directory. */
export interface CertBundle {
  ca: string;
  hubCert: string;
  hubKey: string;
  workerCert: string;
  workerKey: string;
}

export interface BundleOptions {
  /** Host names and IP addresses workers reach the hub by (the loopback names are always added). */
  hubNames?: readonly string[];
  /** Validity of the hub's and workers' certificates (default LEAF_DAYS). */
  days?: number;
  now?: Date;
}

const DNS_NAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Split hub names into DNS names and IP addresses, checked; TlsConfigError names a bad one. */
export function splitHubNames(names: readonly string[]): { dns: string[]; ips: string[] } {
  const dns: string[] = [], ips: string[] = [];
  for (const raw of [...names, ...LOOPBACK_NAMES]) {
    const n = raw.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
    if (n === '') continue;
    if (isIP(n) !== 0 && !n.includes('%')) { if (!ips.includes(n)) ips.push(n); continue; }
    if (n.length > 253 || !DNS_NAME.test(n)) throw new TlsConfigError(`--hub-names: "${raw}" is neither a host name nor an IP address`);
    if (!dns.includes(n)) dns.push(n);
  }
  return { dns, ips };
}

const ecKey = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
const keyPem = (k: KeyObject): string => k.export({ type: 'pkcs8', format: 'pem' }).toString();
const days = (from: Date, n: number): Date => new Date(from.getTime() + n * 86_400_000);

/** A fresh CA and the hub's and workers' certificates signed by it. */
export function generateBundle(o: BundleOptions = {}): CertBundle {
  const now = o.now ?? new Date();
  const notBefore = new Date(now.getTime() - CLOCK_SKEW_MS);
  const leafDays = o.days ?? LEAF_DAYS;
  if (!Number.isInteger(leafDays) || leafDays < 1 || leafDays > CA_DAYS) throw new TlsConfigError(`--days: use 1 to ${CA_DAYS} (the CA's own validity)`);
  const { dns, ips } = splitHubNames(o.hubNames ?? []);
  const caKey = ecKey();
  const caDer = createCertificate({ commonName: CA_COMMON_NAME, publicKey: publicOf(caKey), signingKey: caKey, usage: 'ca', notBefore, notAfter: days(now, CA_DAYS) });
  const issuer = { certDer: caDer, key: caKey };
  const hubKey = ecKey(), workerKey = ecKey();
  const hubDer = createCertificate({ commonName: HUB_COMMON_NAME, publicKey: publicOf(hubKey), issuer, usage: 'server', notBefore, notAfter: days(now, leafDays), dnsNames: dns, ipAddresses: ips });
  const workerDer = createCertificate({ commonName: WORKER_COMMON_NAME, publicKey: publicOf(workerKey), issuer, usage: 'client', notBefore, notAfter: days(now, leafDays) });
  return { ca: certPem(caDer), hubCert: certPem(hubDer), hubKey: keyPem(hubKey), workerCert: certPem(workerDer), workerKey: keyPem(workerKey) };
}

/** Key files are readable by their owner only; certificates by everyone. */
const MODES: Record<keyof CertBundle, number> = { ca: 0o644, hubCert: 0o644, hubKey: 0o600, workerCert: 0o644, workerKey: 0o600 };

/**
 * Write a bundle into `dir` (created 0700 when missing). Existing files are
 * kept unless `force`: TlsConfigError names them. Returns the paths written.
 */
export function writeBundle(dir: string, bundle: CertBundle, opts: { force?: boolean } = {}): string[] {
  const paths = (Object.keys(TLS_FILES) as Array<keyof CertBundle>).map((k) => [k, join(dir, TLS_FILES[k])] as const);
  const existing = paths.filter(([, p]) => existsSync(p)).map(([, p]) => p);
  if (existing.length > 0 && opts.force !== true) throw new TlsConfigError(`${existing.join(', ')} already exist; pass --force to replace them (running hubs and workers keep the old ones until restarted)`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [k, p] of paths) {
    writeFileSync(p, bundle[k], { mode: MODES[k] });
    chmodSync(p, MODES[k]); // writeFileSync's mode applies only to a new file
  }
  return paths.map(([, p]) => p);
}

/** One line about a certificate: subject, names, expiry (for `podtap certs` and the hub's start). */
export function describeCert(pem: string | Buffer): string {
  const c = new X509Certificate(pem);
  const cn = /CN=([^\n]*)/.exec(c.subject)?.[1] ?? c.subject;
  return `${cn}${c.subjectAltName === undefined ? '' : ` (${c.subjectAltName})`}, valid until ${new Date(c.validTo).toISOString().slice(0, 10)}`;
}
