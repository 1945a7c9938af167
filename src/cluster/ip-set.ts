/**
 * A set of IP addresses looked up per packet: `hasV4(u32)` takes the address
 * as `DataView.getUint32` reads it from the header (no string per packet);
 * `has(text)` takes the canonical text that `formatIp` prints.
 */
import { isIP } from 'node:net';
import { canonicalIp, ipv4ToUint32 } from './ip-text.js';

export class IpSet {
  private readonly texts = new Set<string>();
  /** Open addressing, 0 = empty slot (0.0.0.0 is kept in `hasZero`); at most half full. */
  private table = new Uint32Array(16);
  private v4Count = 0;
  private hasZero = false;

  constructor(ips: Iterable<string> = []) {
    for (const ip of ips) this.add(ip);
  }

  get size(): number {
    return this.texts.size;
  }

  /** Adds an address (any text form); returns false when it is not an IP. */
  add(ip: string): boolean {
    const text = canonicalIp(ip);
    if (text === null) return false;
    if (this.texts.has(text)) return true;
    this.texts.add(text);
    if (isIP(text) === 4) this.addV4(ipv4ToUint32(text));
    return true;
  }

  /** `ip` in canonical text (as `formatIp` prints it). */
  has(ip: string): boolean {
    return this.texts.has(ip);
  }

  hasV4(addr: number): boolean {
    if (addr === 0) return this.hasZero;
    const t = this.table;
    const mask = t.length - 1;
    for (let i = hash(addr) & mask; ; i = (i + 1) & mask) {
      const v = t[i];
      if (v === addr) return true;
      if (v === 0) return false;
    }
  }

  values(): IterableIterator<string> {
    return this.texts.values();
  }

  private addV4(addr: number): void {
    if (addr === 0) { this.hasZero = true; return; }
    if ((this.v4Count + 1) * 2 > this.table.length) this.grow();
    this.insert(this.table, addr);
    this.v4Count++;
  }

  private insert(t: Uint32Array, addr: number): void {
    const mask = t.length - 1;
    let i = hash(addr) & mask;
    while (t[i] !== 0) i = (i + 1) & mask;
    t[i] = addr;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    for (const v of old) if (v !== 0) this.insert(this.table, v);
  }
}

/** Spreads sequential pod IPs across the table (Knuth's multiplicative hash). */
function hash(addr: number): number {
  return Math.imul(addr, 0x9e3779b1) >>> 16;
}
