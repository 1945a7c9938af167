/**
 * IP address text from inventories, in the one form the packet path prints
 * (`formatIpv4` / `formatIpv6` in src/layers/address.ts), so a string lookup
 * with an address seen on the wire finds the inventory's entry.
 */
import { isIP } from 'node:net';
import { formatIpv6 } from '../layers/address.js';

/** RFC 5952 text of `text` (as `formatIp` prints it), or null when it is not an IP address. */
export function canonicalIp(text: string): string | null {
  const family = isIP(text);
  if (family === 4) return text; // net.isIP refuses leading zeros: dotted decimal has one form
  if (family === 6) {
    const b = ipv6Bytes(text);
    return b === null ? null : formatIpv6(b, 0);
  }
  return null;
}

/** `a.b.c.d` as an unsigned 32-bit number (network order), as `DataView.getUint32` reads it from a header. */
export function ipv4ToUint32(text: string): number {
  let addr = 0;
  let octet = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) { addr = addr * 256 + octet; octet = 0; } else octet = octet * 10 + (c - 48);
  }
  return addr * 256 + octet;
}

function ipv4Bytes(text: string): Uint8Array {
  const n = ipv4ToUint32(text);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

/** 16 bytes of an IPv6 address that `net.isIP` accepted (zone ids are refused). */
function ipv6Bytes(text: string): Uint8Array | null {
  if (text.includes('%')) return null;
  const out = new Uint8Array(16);
  let groups: number[] = [];
  let tailV4: Uint8Array | null = null;
  const lastColon = text.lastIndexOf(':');
  let body = text;
  if (text.indexOf('.', lastColon) > 0) {
    tailV4 = ipv4Bytes(text.slice(lastColon + 1));
    body = text.slice(0, lastColon + 1) + '0:0'; // placeholder groups for the IPv4 tail
  }
  const halves = body.split('::');
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const head = parse(halves[0]);
  const tail = halves.length > 1 ? parse(halves[1]) : [];
  const zeros = 8 - head.length - tail.length;
  if (zeros < 0 || (halves.length === 1 && zeros !== 0)) return null;
  groups = [...head, ...new Array<number>(zeros).fill(0), ...tail];
  for (let i = 0; i < 8; i++) { out[2 * i] = groups[i] >> 8; out[2 * i + 1] = groups[i] & 0xff; }
  if (tailV4 !== null) out.set(tailV4, 12);
  return out;
}

/** A CIDR (`10.244.0.0/24`, `fd00::/64`) in canonical text, or null when malformed. */
export function canonicalCidr(text: string): string | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const ip = canonicalIp(text.slice(0, slash));
  const bitsText = text.slice(slash + 1);
  if (ip === null || !/^\d{1,3}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  if (bits > (isIP(ip) === 4 ? 32 : 128)) return null;
  return `${ip}/${bits}`;
}
