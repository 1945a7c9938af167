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

/**
 * Slots probed for a key before the oldest of them is overwritten: one
 * 64-byte cache line (4 slots of 16 bytes, the group aligned), so a lookup
 * costs one memory access; the table is far larger than the window holds.
 */
const PROBES = 4;

/**
 * A fixed open-addressing table in one ArrayBuffer, 16 bytes per slot (two
 * 32-bit key halves, then the time as a double): no allocation per packet (a
 * Map keyed by 53-bit numbers boxes every key), and a slot's key and time
 * share a cache line. A slot whose time is older than the window counts as
 * free.
 */
export class DuplicateFilter {
  readonly stats: DedupStats = { duplicates: 0, evicted: 0 };
  /** Index of the first slot of the last group. */
  private readonly groupMask: number;
  private readonly keys: Uint32Array;
  private readonly when: Float64Array;
  private used = 0;

  constructor(private readonly windowMs = DEDUP_WINDOW_MS, maxEntries = DEDUP_MAX_ENTRIES) {
    let cap = 16;
    while (cap < maxEntries) cap *= 2;
    this.groupMask = (cap - 1) & ~(PROBES - 1);
    const table = new ArrayBuffer(cap * 16);
    this.keys = new Uint32Array(table); // slot i: keys[4i], keys[4i + 1], then when[2i + 1]
    this.when = new Float64Array(table);
    for (let i = 0; i < cap; i++) this.when[2 * i + 1] = -Infinity;
  }

  /**
   * True when an identical packet was seen within the window (then it is
   * counted and should be dropped); otherwise remembers it. `l3` is the IPv4
   * header's offset in `d`; `l4`/`l4end` bound the transport segment.
   */
  isDuplicate(d: Uint8Array, l3: number, l4: number, l4end: number, protocol: number, clientIp: number, clientPort: number, ts: number): boolean {
    // Two independent hashes over every field (different seeds): 64 bits of key,
    // so keep-alive requests that look alike still differ through seq/ack.
    let a = mix(0x811c9dc5, ((d[l3 + 4] << 8) | d[l3 + 5]) | (protocol << 16));
    let b = mix(0x5bd1e995, ((d[l3 + 4] << 8) | d[l3 + 5]) | (protocol << 16));
    a = mix(mix(mix(a, clientIp), clientPort), l4end - l4);
    b = mix(mix(mix(b ^ 0x27d4eb2f, clientIp), clientPort), l4end - l4);
    let p: number;
    let end: number;
    if (protocol === 6 && l4 + 20 <= l4end) {
      // seq, ack, then data offset + flags: whole words, fewer rounds than byte by byte.
      const seq = ((d[l4 + 4] << 24) | (d[l4 + 5] << 16) | (d[l4 + 6] << 8) | d[l4 + 7]) | 0;
      const ack = ((d[l4 + 8] << 24) | (d[l4 + 9] << 16) | (d[l4 + 10] << 8) | d[l4 + 11]) | 0;
      const offFlags = (d[l4 + 12] << 8) | d[l4 + 13];
      a = mix(mix(mix(a, seq), ack), offFlags);
      b = mix(mix(mix(b ^ 0x165667b1, seq), ack), offFlags);
      p = l4 + (d[l4 + 12] >> 4) * 4;
      end = Math.min(l4end, p + 16);
    } else {
      p = l4 + 8;
      end = Math.min(l4end, l4 + 24);
    }
    // Leading payload bytes, four at a time, then the rest one by one.
    let i = p;
    for (; i + 4 <= end; i += 4) {
      const v = ((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) | 0;
      a = mix(a, v);
      b = mix(b ^ 0x165667b1, v);
    }
    for (; i < end; i++) { a = mix(a, d[i]); b = mix(b ^ 0x165667b1, d[i]); }
    const window = this.windowMs;
    const keys = this.keys;
    const when = this.when;
    const group = a & this.groupMask;
    let free = -1;
    let oldest = -1;
    for (let slot = group; slot < group + PROBES; slot++) {
      const t = when[2 * slot + 1];
      if (ts - t > window) { if (free < 0) free = slot; continue; }
      if (keys[4 * slot] === a && keys[4 * slot + 1] === b) {
        this.stats.duplicates++;
        return true;
      }
      if (oldest < 0 || t < when[2 * oldest + 1]) oldest = slot;
    }
    let slot = free;
    if (slot < 0) { slot = oldest; this.stats.evicted++; }
    else if (when[2 * slot + 1] === -Infinity) this.used++;
    keys[4 * slot] = a;
    keys[4 * slot + 1] = b;
    when[2 * slot + 1] = ts;
    return false;
  }

  /** Slots ever filled (an upper bound of the packets remembered). */
  get size(): number { return this.used; }
}
