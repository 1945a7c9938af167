/**
 * RR data in presentation form (the text a zone file or dig would show).
 * Each formatter reads from the message cursor and answers null when the data
 * does not fit its type; the caller then keeps the RFC 3597 `\# len hex` form.
 * Types without a formatter here are kept in that generic form too.
 */
import { formatIpv4, formatIpv6 } from '../../layers/address.js';
import { typeName } from './codes.js';
import type { Cursor } from './cursor.js';
import { base32hex, base64, charString, dnssecTime, genericRdata, hex, typeBitmap } from './format.js';
import { readName } from './name.js';
import { svcb } from './svcb.js';

/** A name that must end inside the RR data (its pointer target may lie anywhere). */
function nameIn(c: Cursor, end: number): string | null {
  const name = readName(c);
  return name !== null && c.pos <= end ? name : null;
}

/** Are `n` more bytes there before `end`? */
function fits(c: Cursor, end: number, n: number): boolean {
  return c.pos + n <= end;
}

/** One <character-string> (length byte + bytes) ending inside the data. */
function charStringIn(c: Cursor, end: number, quoted: boolean): string | null {
  if (!fits(c, end, 1)) return null;
  const len = c.u8();
  if (!fits(c, end, len)) return null;
  const s = charString(c.buf, c.pos, len, quoted);
  c.pos += len;
  return s;
}

/**
 * TXT and SPF: the strings of one record concatenated with nothing between
 * them, the value that SPF (RFC 7208 §3.3) and DKIM (RFC 6376 §3.6.2.2)
 * define; unprintable bytes appear as \DDD and '\' as '\\'.
 */
function txt(c: Cursor, end: number): string | null {
  let s = '';
  while (c.pos < end) {
    const part = charStringIn(c, end, false);
    if (part === null) return null;
    s += part;
  }
  return s;
}

function soa(c: Cursor, end: number): string | null {
  const mname = nameIn(c, end);
  if (mname === null) return null;
  const rname = nameIn(c, end);
  if (rname === null || c.pos + 20 !== end) return null;
  return `${mname} ${rname} ${c.u32()} ${c.u32()} ${c.u32()} ${c.u32()} ${c.u32()}`;
}

/** MX, AFSDB, RT, KX: a 16-bit preference and a name. */
function preferenceName(c: Cursor, end: number): string | null {
  if (!fits(c, end, 3)) return null;
  const pref = c.u16();
  const name = nameIn(c, end);
  return name === null ? null : `${pref} ${name}`;
}

function srv(c: Cursor, end: number): string | null {
  if (!fits(c, end, 7)) return null;
  const priority = c.u16();
  const weight = c.u16();
  const port = c.u16();
  const target = nameIn(c, end);
  return target === null ? null : `${priority} ${weight} ${port} ${target}`;
}

function naptr(c: Cursor, end: number): string | null {
  if (!fits(c, end, 4)) return null;
  const order = c.u16();
  const pref = c.u16();
  const flags = charStringIn(c, end, true);
  const services = flags === null ? null : charStringIn(c, end, true);
  const regexp = services === null ? null : charStringIn(c, end, true);
  const replacement = regexp === null ? null : nameIn(c, end);
  return replacement === null ? null : `${order} ${pref} ${flags} ${services} ${regexp} ${replacement}`;
}

/** DS, CDS, DLV, SSHFP, TLSA, SMIMEA: small numbers of the given sizes, then hex. */
function numbersThenHex(c: Cursor, end: number, sizes: readonly number[]): string {
  const parts: (number | string)[] = [];
  for (const size of sizes) parts.push(size === 2 ? c.u16() : c.u8());
  parts.push(hex(c.buf, c.pos, end - c.pos));
  return parts.join(' ');
}

/** RRSIG and SIG (RFC 4034 §3.2). */
function rrsig(c: Cursor, end: number): string | null {
  if (!fits(c, end, 19)) return null;
  const covered = typeName(c.u16());
  const alg = c.u8();
  const labels = c.u8();
  const ttl = c.u32();
  const expiration = dnssecTime(c.u32());
  const inception = dnssecTime(c.u32());
  const keyTag = c.u16();
  const signer = nameIn(c, end);
  if (signer === null) return null;
  const sig = base64(c.buf, c.pos, end - c.pos);
  return `${covered} ${alg} ${labels} ${ttl} ${expiration} ${inception} ${keyTag} ${signer} ${sig}`;
}

/** DNSKEY, CDNSKEY, KEY: flags, protocol, algorithm, base64 key. */
function dnskey(c: Cursor, end: number): string | null {
  if (!fits(c, end, 4)) return null;
  return `${c.u16()} ${c.u8()} ${c.u8()} ${base64(c.buf, c.pos, end - c.pos)}`;
}

function withBitmap(head: string, c: Cursor, end: number): string | null {
  const types = typeBitmap(c.buf, c.pos, end);
  if (types === null) return null;
  return types === '' ? head : `${head} ${types}`;
}

function nsec(c: Cursor, end: number): string | null {
  const next = nameIn(c, end);
  return next === null ? null : withBitmap(next, c, end);
}

/** NSEC3 (withHash) and NSEC3PARAM: algorithm, flags, iterations, salt ('-' when empty). */
function nsec3(c: Cursor, end: number, withHash: boolean): string | null {
  if (!fits(c, end, 5)) return null;
  const head = `${c.u8()} ${c.u8()} ${c.u16()}`;
  const saltLen = c.u8();
  if (!fits(c, end, saltLen)) return null;
  const salt = saltLen === 0 ? '-' : hex(c.buf, c.pos, saltLen);
  c.pos += saltLen;
  if (!withHash) return c.pos === end ? `${head} ${salt}` : null;
  if (!fits(c, end, 1)) return null;
  const hashLen = c.u8();
  if (hashLen === 0 || !fits(c, end, hashLen)) return null;
  const next = base32hex(c.buf, c.pos, hashLen);
  c.pos += hashLen;
  return withBitmap(`${head} ${salt} ${next}`, c, end);
}

function caa(c: Cursor, end: number): string | null {
  if (!fits(c, end, 2)) return null;
  const flags = c.u8();
  const tagLen = c.u8();
  if (tagLen === 0 || !fits(c, end, tagLen)) return null;
  const tag = charString(c.buf, c.pos, tagLen, false);
  c.pos += tagLen;
  return `${flags} ${tag} ${charString(c.buf, c.pos, end - c.pos, true)}`;
}

function uri(c: Cursor, end: number): string | null {
  if (!fits(c, end, 4)) return null;
  return `${c.u16()} ${c.u16()} ${charString(c.buf, c.pos, end - c.pos, true)}`;
}

function hinfo(c: Cursor, end: number): string | null {
  const cpu = charStringIn(c, end, true);
  const os = cpu === null ? null : charStringIn(c, end, true);
  return os === null || c.pos !== end ? null : `${cpu} ${os}`;
}

/** WKS (RFC 1035 §3.4.2): address, IP protocol number, then the ports whose bits are set. */
function wks(c: Cursor, end: number): string | null {
  if (!fits(c, end, 5)) return null;
  const parts: (string | number)[] = [formatIpv4(c.buf, c.pos)];
  c.pos += 4;
  parts.push(c.u8());
  for (let port = 0; c.pos < end; c.pos++) {
    const byte = c.buf[c.pos];
    for (let bit = 0; bit < 8; bit++, port++) if (byte & (0x80 >> bit)) parts.push(port);
  }
  return parts.join(' ');
}

/**
 * The RR data of `type` spanning `c.pos` to `end`, in presentation form;
 * null when it does not fit the type. `c.pos` is left anywhere: the caller
 * moves it to `end`.
 */
export function formatRdata(c: Cursor, type: number, end: number): string | null {
  const b = c.buf;
  const len = end - c.pos;
  switch (type) {
    case 1: return len === 4 ? formatIpv4(b, c.pos) : null;
    case 28: return len === 16 ? formatIpv6(b, c.pos) : null;
    case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12: case 39: {
      const name = nameIn(c, end);
      return name !== null && c.pos === end ? name : null;
    }
    case 6: return soa(c, end);
    case 11: return wks(c, end);
    case 13: return hinfo(c, end);
    case 15: case 18: case 21: case 36: return preferenceName(c, end);
    case 16: case 99: return txt(c, end);
    case 24: case 46: return rrsig(c, end);
    case 25: case 48: case 60: return dnskey(c, end);
    case 33: return srv(c, end);
    case 35: return naptr(c, end);
    case 43: case 59: case 32769: return len >= 4 ? numbersThenHex(c, end, [2, 1, 1]) : null;
    case 44: return len >= 2 ? numbersThenHex(c, end, [1, 1]) : null;
    case 47: return nsec(c, end);
    case 50: return nsec3(c, end, true);
    case 51: return nsec3(c, end, false);
    case 52: case 53: return len >= 3 ? numbersThenHex(c, end, [1, 1, 1]) : null;
    case 64: case 65: return svcb(c, end);
    case 256: return uri(c, end);
    case 257: return caa(c, end);
    default: return genericRdata(b, c.pos, len);
  }
}
