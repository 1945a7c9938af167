/**
 * X.509 certificates for podtap's own CA, written in DER by hand (node:crypto
 * signs and verifies but cannot build a certificate, and podtap ships no
 * ASN.1 dependency). Only what `podtap certs` and the install need:
 * ECDSA P-256 keys signed with SHA-256, names of one CN (and O), and the
 * extensions basicConstraints, keyUsage, extKeyUsage, subjectAltName,
 * subject and authority key identifiers (RFC 5280).
 *
 * The result is checked by node's X509Certificate and by `openssl verify`
 * in tls.test.ts.
 */
import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

/** What a certificate is for. */
export type CertUsage = 'ca' | 'server' | 'client' | 'server-and-client';

export interface CertSpec {
  commonName: string;
  /** Subject key pair's public half. */
  publicKey: KeyObject;
  /** Signer: the CA's key and certificate (DER), or none for a self-signed CA (then signed with `signingKey`). */
  issuer?: { certDer: Buffer; key: KeyObject };
  /** Key that signs a self-signed certificate. */
  signingKey?: KeyObject;
  usage: CertUsage;
  notBefore: Date;
  notAfter: Date;
  /** DNS names and IP addresses (subjectAltName). */
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  /** Path length of a CA (default 0: it signs leaves only). */
  pathLen?: number;
}

// ---- DER --------------------------------------------------------------------

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.of(n);
  else {
    const bytes: number[] = [];
    for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
    len = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.of(tag), len, content]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.of(v ? 0xff : 0));
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);

/** A non-negative INTEGER from big-endian bytes (a leading 0 keeps it positive). */
function uint(bytes: Buffer): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const b = bytes.subarray(i);
  return tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.of(0), b]) : b);
}

const smallInt = (n: number): Buffer => uint(Buffer.of(n));

/** BIT STRING with no unused bits (keys, signatures). */
const bits = (b: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.of(0), b]));

function oid(text: string): Buffer {
  const parts = text.split('.').map(Number);
  const out = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const b = [p & 0x7f];
    for (let x = Math.floor(p / 128); x > 0; x = Math.floor(x / 128)) b.unshift(0x80 | (x & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime after; whole seconds, UTC. */
function time(d: Date): Buffer {
  const iso = d.toISOString(); // 2026-05-17T10:20:30.000Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${digits}Z`));
}

/** KeyUsage bits (RFC 5280 4.2.1.3), as a DER named-bit BIT STRING (trailing zero bits dropped). */
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;
function keyUsage(names: ReadonlyArray<keyof typeof KEY_USAGE>): Buffer {
  let value = 0;
  let last = 0;
  for (const n of names) { value |= 0x80 >> KEY_USAGE[n]; last = Math.max(last, KEY_USAGE[n]); }
  return tlv(0x03, Buffer.of(7 - last, value));
}

// ---- OIDs ---------------------------------------------------------------------

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

const SIGNATURE_ALGORITHM = seq(oid(OID.ecdsaWithSha256));

function name(commonName: string): Buffer {
  const rdn = (type: string, value: string) => set(seq(oid(type), utf8(value)));
  return seq(rdn(OID.organization, 'podtap'), rdn(OID.commonName, commonName));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

/** RFC 7093 method 1: the leftmost 160 bits of the SHA-256 of the public key bits. */
function keyId(spkiDer: Buffer): Buffer {
  // For an EC key the BIT STRING holding the point ends the SPKI; its value is the point.
  const point = spkiDer.subarray(spkiDer.length - 65);
  return createHash('sha256').update(point).digest().subarray(0, 20);
}

/** IPv4 (4 bytes) or IPv6 (16 bytes) for an iPAddress GeneralName. */
export function ipBytes(text: string): Buffer {
  const family = isIP(text);
  if (family === 4) return Buffer.from(text.split('.').map(Number));
  if (family !== 6 || text.includes('%')) throw new Error(`not an IP address: ${text}`);
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two hex groups; then "::" is filled with zeros.
  const t = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`);
  const [head, rest] = t.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const r = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = [...h, ...(rest === undefined ? [] : new Array<string>(8 - h.length - r.length).fill('0')), ...r];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function subjectAltName(dns: readonly string[], ips: readonly string[]): Buffer {
  return seq(
    ...dns.map((d) => tlv(0x82, Buffer.from(d, 'ascii'))), // [2] IMPLICIT IA5String
    ...ips.map((ip) => tlv(0x87, ipBytes(ip))), // [7] IMPLICIT OCTET STRING
  );
}

// ---- certificates -------------------------------------------------------------

/** A signed certificate, DER. */
export function createCertificate(spec: CertSpec): Buffer {
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  const subject = name(spec.commonName);
  const signer = spec.issuer?.key ?? spec.signingKey;
  if (signer === undefined) throw new Error('createCertificate: give issuer or signingKey');
  let issuerName = subject;
  let authorityKeyId = keyId(spki);
  if (spec.issuer !== undefined) {
    const ca = parseIssuer(spec.issuer.certDer);
    issuerName = ca.subject;
    authorityKeyId = ca.keyId;
  }
  const isCa = spec.usage === 'ca';
  const eku = spec.usage === 'server' ? [OID.serverAuth] : spec.usage === 'client' ? [OID.clientAuth] : spec.usage === 'server-and-client' ? [OID.serverAuth, OID.clientAuth] : [];
  const san = [...(spec.dnsNames ?? [])], ips = [...(spec.ipAddresses ?? [])];
  const extensions = [
    extension(OID.basicConstraints, true, isCa ? seq(bool(true), smallInt(spec.pathLen ?? 0)) : seq()),
    extension(OID.keyUsage, true, keyUsage(isCa ? ['digitalSignature', 'keyCertSign', 'cRLSign'] : ['digitalSignature'])),
    ...(eku.length === 0 ? [] : [extension(OID.extKeyUsage, false, seq(...eku.map(oid)))]),
    ...(san.length + ips.length === 0 ? [] : [extension(OID.subjectAltName, false, subjectAltName(san, ips))]),
    extension(OID.subjectKeyIdentifier, false, octets(keyId(spki))),
    extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, authorityKeyId))),
  ];
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  serial[0]! |= 0x01; // positive, and 16 bytes long
  const tbs = seq(
    explicit(0, smallInt(2)), // v3
    uint(serial),
    SIGNATURE_ALGORITHM,
    issuerName,
    seq(time(spec.notBefore), time(spec.notAfter)),
    subject,
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, signer); // DER ECDSA-Sig-Value for EC keys
  return seq(tbs, SIGNATURE_ALGORITHM, bits(signature));
}

/**
 * The subject Name (raw DER) and subject key id of a certificate made by
 * createCertificate, read by walking its top-level structure.
 */
function parseIssuer(der: Buffer): { subject: Buffer; keyId: Buffer } {
  const children = (b: Buffer): Buffer[] => {
    const out: Buffer[] = [];
    let i = headerLength(b);
    while (i < b.length) { const n = totalLength(b, i); out.push(b.subarray(i, i + n)); i += n; }
    return out;
  };
  const [tbs] = children(der);
  const f = children(tbs!);
  // version, serial, signature, issuer, validity, subject, spki, [3] extensions
  const subject = f[5]!;
  const spki = f[6]!;
  return { subject, keyId: keyId(spki) };
}

function headerLength(b: Buffer, at = 0): number {
  const l = b[at + 1]!;
  return l < 0x80 ? 2 : 2 + (l & 0x7f);
}

function totalLength(b: Buffer, at: number): number {
  const l = b[at + 1]!;
  if (l < 0x80) return 2 + l;
  let n = 0;
  for (let k = 0; k < (l & 0x7f); k++) n = n * 256 + b[at + 2 + k]!;
  return 2 + (l & 0x7f) + n;
}

/** PEM text of a DER certificate. */
export function certPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}

/** The public key of a private key, for CertSpec.publicKey. */
export const publicOf = (key: KeyObject): KeyObject => createPublicKey(key);
