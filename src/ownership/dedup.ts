/**
 * The second layer of exactly-once: drop a packet already seen at another
 * capture point of this worker within a short window. It catches what the
 * ownership rule did not foresee (an odd topology where one packet crosses
 * two targeted interfaces). The key uses fields that stay the same across
 * hops and NAT — IPv4 id, protocol, TCP sequence/ack/flags, payload length
 * and leading bytes, and the client side's address and port — not TTL,
 * checksums or the translated address.
 */

/** How long (capture time) a packet is remembered. */
export const DEDUP_WINDOW_MS = 200;
/** Packets remembered at most; the oldest are forgotten first (counted). */
export const DEDUP_MAX_ENTRIES = 1 << 17;

export interface DedupStats {
  duplicates: number;
  /** Entries forgotten early because the table was full. */
  evicted: number;
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

export class DuplicateFilter {
  private readonly seen = new Map<number, number>();
  readonly stats: DedupStats = { duplicates: 0, evicted: 0 };
  constructor(private readonly windowMs = DEDUP_WINDOW_MS, private readonly maxEntries = DEDUP_MAX_ENTRIES) {}

  /**
   * True when an identical packet was seen within the window (then it is
   * counted and should be dropped); otherwise remembers it. `l3` is the IPv4
   * header's offset in `d`; `l4`/`l4end` bound the transport segment.
   */
  isDuplicate(d: Uint8Array, l3: number, l4: number, l4end: number, protocol: number, clientIp: number, clientPort: number, ts: number): boolean {
    const ipId = (d[l3 + 4] << 8) | d[l3 + 5];
    // Two independent hashes over every field (different seeds), so the 53-bit key
    // really has 53 bits: keep-alive requests that look alike still differ in seq/ack.
    let a = 0x811c9dc5;
    let b = 0x01000193;
    const both = (v: number): void => { a = mix(a, v); b = mix(b ^ 0x5bd1e995, v); };
    both(ipId | (protocol << 16));
    both(clientIp);
    both(clientPort);
    both(l4end - l4);
    if (protocol === 6 && l4 + 20 <= l4end) {
      const hdr = (d[l4 + 12] >> 4) * 4;
      for (let i = 4; i < 14; i += 2) both((d[l4 + i] << 8) | d[l4 + i + 1]); // seq, ack, offset+flags
      const p = l4 + hdr;
      for (let i = p; i < Math.min(l4end, p + 16); i++) both(d[i]);
    } else {
      for (let i = l4 + 8; i < Math.min(l4end, l4 + 24); i++) both(d[i]);
    }
    const key = (a & 0x1fffff) * 0x100000000 + b; // 53 bits: collisions negligible within a window
    const prev = this.seen.get(key);
    if (prev !== undefined && ts - prev <= this.windowMs) {
      this.stats.duplicates++;
      return true;
    }
    if (prev !== undefined) this.seen.delete(key);
    this.seen.set(key, ts);
    if (this.seen.size > this.maxEntries) this.expire(ts);
    return false;
  }

  /** Forget packets older than the window; if still full, the oldest. */
  expire(now: number): void {
    for (const [k, t] of this.seen) {
      if (now - t <= this.windowMs && this.seen.size <= this.maxEntries) break;
      this.seen.delete(k);
      if (now - t <= this.windowMs) this.stats.evicted++;
    }
  }

  get size(): number { return this.seen.size; }
}
