/**
 * IPv4 address sets as merged CIDR blocks, for kernel filters that must stay
 * short: 5,000 pod addresses in a few node pod CIDRs collapse to a handful of
 * `net` terms. Hand-written because it is tiny and exactness matters more
 * than features (IPv6 addresses are kept as single hosts).
 */
import { isIPv4 } from 'node:net';
import { ipv4ToUint32 } from '../cluster/ip-text.js';

export interface Cidr { base: number; bits: number }

/** `a.b.c.d` as an unsigned 32-bit number (the cluster model's parser). */
export const ipv4ToInt = ipv4ToUint32;

export function intToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function cidrText(c: Cidr): string {
  return c.bits === 32 ? intToIpv4(c.base) : `${intToIpv4(c.base)}/${c.bits}`;
}

export function parseCidr(text: string): Cidr | null {
  const [ip, bitsText] = text.split('/');
  if (!isIPv4(ip)) return null;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return null;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (ipv4ToInt(ip) & mask) >>> 0, bits };
}

/** Sorted, de-duplicated addresses to the fewest CIDR blocks covering exactly them. */
export function mergeToCidrs(addresses: Iterable<number>): Cidr[] {
  const sorted = [...new Set(addresses)].sort((a, b) => a - b);
  const out: Cidr[] = [];
  let i = 0;
  while (i < sorted.length) {
    // Run of consecutive addresses starting at sorted[i].
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    let start = sorted[i];
    const end = sorted[j]; // inclusive
    while (start <= end) {
      // Largest aligned block starting at `start` that fits in [start, end].
      let bits = 32;
      while (bits > 0) {
        const size = 2 ** (32 - (bits - 1));
        if (start % size !== 0 || start + size - 1 > end) break;
        bits--;
      }
      out.push({ base: start, bits });
      start += 2 ** (32 - bits);
    }
    i = j + 1;
  }
  return out;
}

/** Number of addresses a block covers. */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.bits);
}

export function cidrContains(c: Cidr, ip: number): boolean {
  const mask = c.bits === 0 ? 0 : (0xffffffff << (32 - c.bits)) >>> 0;
  return ((ip & mask) >>> 0) === c.base;
}
