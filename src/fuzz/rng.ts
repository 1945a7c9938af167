/** The fuzzer's random source: seeded (mulberry32 from src/testing), so a run replays from `--seed`. */
import { seededRandom } from '../testing/random.js';

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) { this.next = seededRandom(seed); }

  /** In [0, 1). */
  float(): number { return this.next(); }
  /** An integer in [0, n); 0 when n <= 0. */
  int(n: number): number { return n <= 0 ? 0 : Math.floor(this.next() * n); }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  /** Small sizes far more often than large ones (a geometric-ish spread up to `max`). */
  size(max: number): number { return Math.min(max, Math.floor(2 ** (this.next() * Math.log2(max + 1)))); }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/** A 32-bit string hash (FNV-1a), to derive per-target seeds from one `--seed`. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
