/**
 * The Helm and sprig functions the chart uses, with their Helm semantics.
 * Anything else is refused by exec.ts, so the chart cannot silently depend
 * on a function this renderer gets wrong. Arguments arrive in template
 * order, a piped value last (`x | f a` is `f a x`).
 */
import { createPrivateKey, generateKeyPairSync, randomInt } from 'node:crypto';
import { stringify } from 'yaml';
import { certPem, createCertificate, publicOf } from '../../hub/x509.js';
import { isMap, strval, truth, type Value } from './value.js';

export interface FuncContext { include(name: string, data: Value): string }
export type Func = (args: Value[], ctx: FuncContext) => Value;

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function str(v: Value | undefined, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}
function int(v: Value | undefined, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${what}: expected an integer, got ${JSON.stringify(v)}`);
  return v;
}
function arity(args: Value[], n: number, name: string): void {
  if (args.length !== n) throw new Error(`${name} takes ${n} arguments, got ${args.length}`);
}

/** Go's eq on basic values: same kind required, as text/template checks it. */
function goEqual(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a !== typeof b || typeof a === 'object') throw new Error(`incompatible types for comparison: ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
  return a === b;
}

/** Helm's toYaml: sigs.k8s.io/yaml output (sorted keys, lists not indented, YAML 1.1 quoting), trailing newline removed. */
export function toYaml(v: Value): string {
  return stringify(v, { version: '1.1', sortMapEntries: true, indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false }).replace(/\n$/, '');
}

const indent = (n: number, s: string): string => {
  const pad = ' '.repeat(n);
  return pad + s.replaceAll('\n', `\n${pad}`);
};

/** Go's fmt for the verbs the chart uses: %s, %d, %v, %q, %%. */
function sprintf(format: string, args: Value[]): string {
  let i = 0;
  return format.replace(/%([sdvq%])/g, (_, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    if (a === undefined) return `%!${verb}(MISSING)`;
    if (verb === 'q') return JSON.stringify(strval(a));
    if (verb === 'd' && (typeof a !== 'number' || !Number.isInteger(a))) return `%!d(${typeof a}=${strval(a)})`;
    if (verb === 'd') return String(a);
    if (verb === 's' && typeof a !== 'string') throw new Error(`%s of a ${typeof a} prints Go's %!s(…): convert it first`);
    return strval(a);
  });
}

const DAY_MS = 86_400_000;

function strings(v: Value | undefined, what: string): string[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error(`${what}: expected a list of strings, got ${JSON.stringify(v)}`);
  return v as string[];
}

/** A certificate as sprig returns it: `.Cert` and `.Key`, PEM. */
function certificate(v: Value | undefined, what: string): { Cert: string; Key: string } {
  if (!isMap(v) || typeof v.Cert !== 'string' || typeof v.Key !== 'string') throw new Error(`${what}: expected a certificate from genCAWithKey, got ${JSON.stringify(v)}`);
  return { Cert: v.Cert, Key: v.Key };
}

/**
 * sprig's genCAWithKey / genSignedCertWithKey, built the way sprig builds
 * them (crypto/x509): a CA; leaves for both server and client use with the
 * given IP addresses and DNS names; validity from now for `days` days; the
 * key's PEM returned as `.Key`. Real certificates (x509.ts): a test checks
 * the chain the chart makes; the chart comparison gives fixed ones.
 */
const certFunctions: Readonly<Record<string, Func>> = {
  // sprig genPrivateKey "ecdsa": a P-256 key as SEC1 PEM (EC PRIVATE KEY).
  genPrivateKey: ([type]) => {
    if (str(type, 'genPrivateKey') !== 'ecdsa') throw new Error('genPrivateKey: only "ecdsa" is used by the chart');
    return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
  },
  genCAWithKey: (args) => {
    arity(args, 3, 'genCAWithKey');
    const key = createPrivateKey(str(args[2], 'genCAWithKey'));
    const now = new Date();
    const der = createCertificate({ commonName: str(args[0], 'genCAWithKey'), publicKey: publicOf(key), signingKey: key, usage: 'ca', notBefore: now, notAfter: new Date(now.getTime() + int(args[1], 'genCAWithKey') * DAY_MS) });
    return { Cert: certPem(der), Key: args[2]! };
  },
  genSignedCertWithKey: (args) => {
    arity(args, 6, 'genSignedCertWithKey');
    const [cn, ips, dns, days, caValue, keyPem] = args;
    const ca = certificate(caValue, 'genSignedCertWithKey');
    const key = createPrivateKey(str(keyPem, 'genSignedCertWithKey'));
    const now = new Date();
    const der = createCertificate({
      commonName: str(cn, 'genSignedCertWithKey'), publicKey: publicOf(key), usage: 'server-and-client',
      issuer: { certDer: Buffer.from(ca.Cert.replace(/-----[^-]+-----|\s/g, ''), 'base64'), key: createPrivateKey(ca.Key) },
      notBefore: now, notAfter: new Date(now.getTime() + int(days, 'genSignedCertWithKey') * DAY_MS),
      ipAddresses: strings(ips, 'genSignedCertWithKey'), dnsNames: strings(dns, 'genSignedCertWithKey'),
    });
    return { Cert: certPem(der), Key: keyPem! };
  },
};

export const FUNCTIONS: Readonly<Record<string, Func>> = {
  ...certFunctions,
  list: (args) => [...args],
  include: ([name, data], ctx) => ctx.include(str(name, 'include'), data ?? null),
  toYaml: (args) => { arity(args, 1, 'toYaml'); return toYaml(args[0]!); },
  indent: ([n, s]) => indent(int(n, 'indent'), str(s, 'indent')),
  nindent: ([n, s]) => `\n${indent(int(n, 'nindent'), str(s, 'nindent'))}`,
  // sprig quote: each non-nil argument as Go's %q, joined by spaces.
  quote: (args) => args.filter((a) => a !== null).map((a) => JSON.stringify(strval(a))).join(' '),
  // sprig default: the given value unless it is empty (nil, "", 0, false, empty list or mapping).
  default: (args) => (args.length < 2 || !truth(args[1]!) ? args[0]! : args[1]!),
  required: ([msg, v]) => {
    if (v === null || v === undefined || v === '') throw new Error(str(msg, 'required'));
    return v;
  },
  fail: ([msg]) => { throw new Error(str(msg, 'fail')); },
  printf: ([format, ...rest]) => sprintf(str(format, 'printf'), rest),
  join: ([sep, list]) => (Array.isArray(list) ? list.map(strval).join(str(sep, 'join')) : strval(list ?? null)),
  replace: ([from, to, s]) => { const t = str(to, 'replace'); return str(s, 'replace').replaceAll(str(from, 'replace'), () => t); },
  trimSuffix: ([suffix, s]) => { const t = str(s, 'trimSuffix'); const x = str(suffix, 'trimSuffix'); return x !== '' && t.endsWith(x) ? t.slice(0, -x.length) : t; },
  b64enc: ([s]) => Buffer.from(str(s, 'b64enc'), 'utf8').toString('base64'),
  // Cryptographically random here; tests give a fixed one through renderChart's options.
  randAlphaNum: ([n]) => Array.from({ length: int(n, 'randAlphaNum') }, () => ALNUM[randomInt(ALNUM.length)]).join(''),
  // As `helm template` and `--dry-run` (no cluster): an empty mapping.
  lookup: (args) => { arity(args, 4, 'lookup'); args.forEach((a) => str(a, 'lookup')); return {}; },
  dict: (args) => {
    if (args.length % 2 !== 0) throw new Error('dict takes key/value pairs');
    const out: Record<string, Value> = {};
    for (let i = 0; i < args.length; i += 2) out[strval(args[i]!)] = args[i + 1]!;
    return out;
  },
  get: ([m, k]) => (isMap(m) && Object.hasOwn(m, str(k, 'get')) ? m[k as string]! : ''),
  eq: ([a, ...rest]) => rest.some((b) => goEqual(a!, b)),
  ne: ([a, b]) => !goEqual(a!, b!),
  not: ([a]) => !truth(a!),
  len: ([v]) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (isMap(v)) return Object.keys(v).length;
    throw new Error(`len of ${JSON.stringify(v)}`);
  },
  lt: ([a, b]) => {
    if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) throw new Error('incompatible types for comparison');
    return (a as number | string) < (b as number | string);
  },
};
