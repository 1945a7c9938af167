/**
 * The targeted address set as the capture points read it: swapped as a whole
 * when rules or the inventory change, so every packet sees one consistent set.
 */
import { IpSet } from '../cluster/ip-set.js';

export class TargetView {
  private set = new IpSet();

  /** Replace the set (rules or inventory changed): the resolved targets' IpSet, or addresses. */
  update(ips: IpSet | Iterable<string>): void {
    this.set = ips instanceof IpSet ? ips : new IpSet(ips);
  }

  isTargeted4(ip: number): boolean { return this.set.hasV4(ip); }
  /** `ip` in the canonical text `formatIpv6` prints. */
  isTargeted6(ip: string): boolean { return this.set.has(ip); }
  get size(): number { return this.set.size; }
}
