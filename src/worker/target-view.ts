/**
 * The targeted address set as the capture points read it: swapped as a whole
 * when rules or the inventory change, so every packet sees one consistent set.
 */
import { ipv4Number } from './capture-point.js';

export class TargetView {
  private v4 = new Set<number>();
  private v6 = new Set<string>();

  /** Replace the set (rules or inventory changed). */
  update(ips: Iterable<string>): void {
    const v4 = new Set<number>();
    const v6 = new Set<string>();
    for (const ip of ips) {
      if (ip.includes(':')) v6.add(ip.toLowerCase());
      else v4.add(ipv4Number(ip));
    }
    this.v4 = v4;
    this.v6 = v6;
  }

  isTargeted4(ip: number): boolean { return this.v4.has(ip); }
  isTargeted6(ip: string): boolean { return this.v6.has(ip); }
  get size(): number { return this.v4.size + this.v6.size; }
}
